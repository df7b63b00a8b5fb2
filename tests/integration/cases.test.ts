import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CaseDetail, type CaseSummary, type Channel, type CreatedOrder, type ErrorBody, type FiledReport, type RegisteredNumber, type ReportStatus, type StaffAction, luhnCheckDigit } from '@shared';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { ProvisioningError } from '../../bff/src/providers/provisioning/provisioning.port.js';
import { holderKey } from '../../bff/src/services/orderService.js';
import { admission, approveAgent, creditCode, legalRepIdNumber } from '../support/agents.js';
import { scanDatabase, scanFolder } from '../support/scan.js';
import { staffMember } from '../support/staff.js';
import { type TestServer, startTestServer } from '../support/testServer.js';

/**
 * Reports from the public and the cases they open, through the HTTP API: filed (a shop with its
 * screenshots, a fraud number, numbers opened in the reporter's name after their identity check),
 * followed by reference, and worked in the console with everything done recorded. The identity
 * check's verification itself is the buyer's (covered by the order suites): here it is marked
 * approved in its table, as the pipeline would leave it.
 */
let t: TestServer;
let operatorToken: string;

const iccidOf = (n: number): string => {
  const body = `898600${String(n).padStart(12, '0')}`;
  return `${body}${luhnCheckDigit(body)}`;
};
const reporter = SANDBOX_IDENTITIES[4]?.idNumber ?? '';
const someoneElse = SANDBOX_IDENTITIES[5]?.idNumber ?? '';

beforeAll(async () => {
  // The provisioning stand-in answers every time here (a busy one is retried, then the person is told to try again).
  t = await startTestServer({ PROVISIONING_MOCK_FAILURE_RATE: '0' });
  operatorToken = (await readFile(path.join(t.dataDir, 'operator.token'), 'utf8')).trim();
  // Two lines billing knows under the reporter's identity, one under another's.
  const pushed = await t.api.post('/api/operator/subscribers', { subscribers: [
    { msisdn: '13900070001', iccid: iccidOf(7001), registration: 'registered', channel: '营业厅', idNumber: reporter },
    { msisdn: '13900070002', iccid: iccidOf(7002), registration: 'registered', channel: '某代理点', idNumber: reporter },
    { msisdn: '13900070003', iccid: iccidOf(7003), registration: 'registered', channel: '营业厅', idNumber: someoneElse },
  ] }, operatorToken);
  expect(pushed.status).toBe(200);
});

afterAll(async () => {
  await t.stop();
});

const cases = async (): Promise<number> => Number((await t.server.db.db.selectFrom('cases').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

/** A shop report as the page sends it: its fields and screenshots in one form. */
function shopForm(fields: Record<string, string>, screenshots: Buffer[] = []): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const [i, shot] of screenshots.entries()) form.append('screenshots', new Blob([new Uint8Array(shot)], { type: 'image/png' }), `shot-${i}.png`);
  return form;
}
const postForm = <T>(form: FormData) => t.api.json<T>('/api/reports', { method: 'POST', body: form });

/** An identity check started by a reporter, approved as the pipeline would approve it for `idNumber`. */
async function approvedCheck(idNumber: string): Promise<{ id: string; token: string }> {
  const created = await t.api.post<CreatedOrder>('/api/reports/identity-checks', {});
  expect(created.status).toBe(201);
  expect(created.body.order).toMatchObject({ deliveryPath: 'identity_check', state: 'draft', msisdn: '' });
  const check = { id: created.body.order.id, token: created.body.orderToken };
  const early = await t.api.get<ErrorBody>(`/api/reports/identity-checks/${check.id}/numbers`, check.token);
  expect([early.status, early.body.error.code]).toEqual([409, 'identity_not_confirmed']);
  await t.server.db.db.updateTable('orders').set({ state: 'approved', holder_key: holderKey(t.server.envelope, idNumber) }).where('id', '=', check.id).execute();
  return check;
}

describe('reports from the public', () => {
  it('files a shop report with its screenshots, sealed; the reporter follows it by reference; a bad report stores nothing', async () => {
    const shot = await sharp({ create: { width: 390, height: 700, channels: 3, background: '#e33' } }).png().toBuffer();
    const before = await cases();
    const filed = await postForm<FiledReport>(shopForm({ kind: 'unauthorised_shop', link: 'https://weidian.example/shop/8848', description: '朋友圈卖“免实名”手机卡，200元一张' }, [shot, shot]));
    expect(filed.status).toBe(201);
    expect(filed.body.reference).toMatch(/^JB-[0-9A-Z]{5}-[0-9A-Z]{5}$/u);
    const status = await t.api.post<ReportStatus>('/api/reports/status', { reference: filed.body.reference.toLowerCase() });
    expect(status.body).toMatchObject({ reference: filed.body.reference, kind: 'unauthorised_shop', state: 'open' });
    // Five days to answer a shop report.
    expect(Date.parse(status.body.dueAt) - Date.parse(status.body.filedAt)).toBe(120 * 3_600_000);
    expect((await t.api.post<ErrorBody>('/api/reports/status', { reference: 'JB-00000-00000' })).status).toBe(404);
    expect((await t.api.post<ErrorBody>('/api/reports/status', { reference: 'anything' })).body.error.code).toBe('validation_failed');

    // Too short to act on; a screenshot that is no image; a fourth screenshot: refused, nothing kept.
    expect((await postForm<ErrorBody>(shopForm({ kind: 'unauthorised_shop', link: 'https://x.example', description: '卖卡' }))).body.error.code).toBe('validation_failed');
    expect((await postForm<ErrorBody>(shopForm({ kind: 'unauthorised_shop', link: 'https://x.example', description: '朋友圈卖免实名卡，很多人买' }, [Buffer.from('%PDF-1.4 not a picture')]))).body.error.code).toBe('upload_not_image');
    expect((await postForm<ErrorBody>(shopForm({ kind: 'unauthorised_shop', link: 'https://x.example', description: '朋友圈卖免实名卡，很多人买' }, [shot, shot, shot, shot]))).body.error.code).toBe('upload_unexpected_field');
    expect((await postForm<ErrorBody>(shopForm({ kind: 'fraud_number', number: '12345', description: '冒充公检法打电话要求转账' }))).body.error.code).toBe('validation_failed');
    expect(await cases()).toBe(before + 1);

    // The screenshots and the reporter's words are sealed at rest.
    expect((await scanFolder(t.dataDir, ['免实名'])).found).toEqual([]);
    expect((await scanDatabase(t.server.db, ['免实名', 'weidian.example'])).found).toEqual([]);
  });

  it('"opened in my name": after the identity check, the reporter sees the numbers registered to them, masked, and files the ones they did not open', async () => {
    const check = await approvedCheck(reporter);
    const listed = await t.api.get<{ numbers: RegisteredNumber[] }>(`/api/reports/identity-checks/${check.id}/numbers`, check.token);
    expect(listed.status).toBe(200);
    expect(listed.body.numbers.map((n) => n.masked)).toEqual(['139****0001', '139****0002']);
    expect(JSON.stringify(listed.body)).not.toContain('13900070003');
    // Another check's token, or none: no such check.
    const other = await t.api.post<CreatedOrder>('/api/reports/identity-checks', {});
    expect((await t.api.get(`/api/reports/identity-checks/${check.id}/numbers`, other.body.orderToken)).status).toBe(404);
    expect((await t.api.get(`/api/reports/identity-checks/${check.id}/numbers`)).status).toBe(404);

    expect((await t.api.post<ErrorBody>(`/api/reports/identity-checks/${check.id}/report`, { numbers: [7] }, check.token)).body.error.code).toBe('validation_failed');
    const filed = await t.api.post<FiledReport>(`/api/reports/identity-checks/${check.id}/report`, { numbers: [1], description: '我从没在代理点办过卡' }, check.token);
    expect(filed.status).toBe(201);
    const again = await t.api.post<ErrorBody>(`/api/reports/identity-checks/${check.id}/report`, { numbers: [0] }, check.token);
    expect([again.status, again.body.error.code]).toEqual([409, 'report_already_filed']);
    // A purchase's token opens no list of numbers.
    const purchase = await t.api.newOrder();
    expect((await t.api.get(`/api/reports/identity-checks/${purchase.id}/numbers`, purchase.token)).status).toBe(404);
  });
});

let agents = 0;
async function agent(): Promise<Channel> {
  agents += 1;
  const created = await t.api.post<{ channel: Channel }>('/api/operator/channels', {
    agentNumber: `AG-CASE-${String(agents).padStart(4, '0')}`, name: '案件代理商', licenceNumber: creditCode(700 + agents), scope: ['sim_sale'],
    origins: ['https://case.example.cn'], webhookUrl: null, admission: admission(legalRepIdNumber(700 + agents)),
  }, operatorToken);
  return approveAgent(t.server, t, created.body.channel.id);
}

describe('cases in the console', () => {
  it('a support person works a case: assigns it, notes, refers it to the police, suspends the number, puts its holder through re-verification, blacklists the agent and closes it; all recorded', async () => {
    const check = await approvedCheck(reporter);
    await t.server.db.db.deleteFrom('case_events').execute();
    await t.server.db.db.deleteFrom('cases').execute();
    const filed = await t.api.post<FiledReport>(`/api/reports/identity-checks/${check.id}/report`, { numbers: [0], contact: '13700001111' }, check.token);
    const fraud = await t.api.post<FiledReport>('/api/reports', { kind: 'fraud_number', number: '13900070003', description: '冒充客服要求转账到安全账户' });
    expect(fraud.status).toBe(201);

    const support = (await staffMember(t.server, t, ['support'])).client;
    const queue = await support.call<{ cases: CaseSummary[] }>('GET', '/api/console/cases');
    // The nearest deadline first: the fraud number (24 h) before the number opened in a name (48 h).
    expect(queue.body.cases.map((c) => c.kind)).toEqual(['fraud_number', 'opened_in_my_name']);
    const id = queue.body.cases[1]?.id ?? '';
    const opened = await support.call<CaseDetail>('GET', `/api/console/cases/${id}`);
    expect(opened.body).toMatchObject({ reference: filed.body.reference, contact: '13700001111', numbers: [{ msisdn: '13900070001', service: 'active' }], identityCheck: check.id });

    const act = (body: unknown) => support.call<CaseDetail & ErrorBody>('POST', `/api/console/cases/${id}/actions`, body);
    expect((await act({ action: 'assign', to: 'nobody.here' })).body.error.code).toBe('validation_failed');
    expect((await act({ action: 'assign', to: support.username })).body.assignee).toBe(support.username);
    await act({ action: 'note', text: '已电话联系举报人，确认未办理该号码' });
    await act({ action: 'referral', authority: 'police', reference: '京公(朝)立字[2026]1203号' });
    // A number not in the case cannot be suspended from it.
    expect((await act({ action: 'suspend_number', msisdn: '13900070003', reason: '冒名开户', authority: '公安机关协查函' })).body.error.code).toBe('number_not_in_case');
    const suspended = await act({ action: 'suspend_number', msisdn: '13900070001', reason: '冒名开户，举报属实', authority: '公安机关协查函 京公协[2026]88号' });
    expect(suspended.body).not.toHaveProperty("error");
    expect(suspended.status).toBe(200);
    expect((await t.server.sandboxProvisioning?.status(iccidOf(7001)))?.status).toBe('suspended');
    expect(suspended.body.numbers[0]?.service).toBe('suspended');
    await act({ action: 'reverify', msisdn: '13900070001', reason: '请实际使用人重新实名' });
    expect((await t.server.db.db.selectFrom('subscribers').select('registration').where('msisdn', '=', '13900070001').executeTakeFirstOrThrow()).registration).toBe('suspected_false');
    // The number is told by text where to re-register, and by when.
    const inbox = await t.api.get<{ messages: { to: string; text: string }[] }>('/api/sandbox/sms');
    expect(inbox.body.messages.find((m) => m.to === '13900070001')?.text).toMatch(/尾号0001的号码需补充登记身份信息。请于.*前打开 http:\/\/localhost:\d+\/reregister 在线办理/u);

    const shop = await agent();
    const blacklisted = await act({ action: 'agent', agentNumber: shop.agentNumber, status: 'blacklisted', reason: '代理点冒用他人身份开卡', evidence: ['举报 ' + filed.body.reference] });
    expect(blacklisted.status).toBe(200);
    const history = await t.api.get<{ events: { change: string; actor: string; reason?: string }[] }>(`/api/operator/channels/${shop.id}/history`, operatorToken);
    expect(history.body.events.at(-1)).toMatchObject({ change: 'changed status to blacklisted', actor: `staff:${support.username}`, reason: expect.stringContaining(filed.body.reference) as string });

    const closed = await act({ action: 'close', outcome: 'confirmed', summary: '冒名开户属实，号码已停机，代理商已列入黑名单' });
    expect(closed.body).toMatchObject({ state: 'closed', outcome: 'confirmed' });
    expect(closed.body.events.map((e) => e.kind)).toEqual(['filed', 'assigned', 'note', 'referral', 'number_suspended', 'reverification', 'agent_blacklisted', 'closed']);
    expect(closed.body.events.find((e) => e.kind === 'number_suspended')?.detail).toMatchObject({ authority: '公安机关协查函 京公协[2026]88号', status: 'suspended' });
    expect((await act({ action: 'note', text: 'after closing' })).body.error.code).toBe('case_closed');
    // The reporter sees the outcome, nothing of what was found.
    const status = await t.api.post<ReportStatus>('/api/reports/status', { reference: filed.body.reference });
    expect(status.body).toEqual({ reference: filed.body.reference, kind: 'opened_in_my_name', state: 'closed', filedAt: expect.any(String) as string, dueAt: expect.any(String) as string, outcome: 'confirmed' });

    // Every step is in the staff action log; notes are sealed at rest.
    const auditor = (await staffMember(t.server, t, ['auditor'])).client;
    const actions = (await auditor.call<{ actions: StaffAction[] }>('GET', '/api/console/actions')).body.actions.filter((a) => a.staff === support.username).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['case.view', 'case.assign', 'case.note', 'case.referral', 'case.suspend_number', 'case.reverify', 'case.agent', 'case.close']));
    expect((await scanDatabase(t.server.db, ['已电话联系举报人', '13700001111'])).found).toEqual([]);
  });

  it('who may see and work cases: an auditor reads, only support acts; a reviewer sees nothing; a busy provisioning system is asked three times, then the person told to try again; an open case past its deadline is overdue', async () => {
    const fraud = await t.api.post<FiledReport>('/api/reports', { kind: 'fraud_number', number: '13900070002', description: '半夜骚扰电话，自称快递' });
    const auditor = (await staffMember(t.server, t, ['auditor'])).client;
    const listed = (await auditor.call<{ cases: CaseSummary[] }>('GET', '/api/console/cases')).body.cases;
    const mine = listed.find((c) => c.reference === fraud.body.reference);
    expect(mine?.overdue).toBe(false);
    expect((await auditor.call('POST', `/api/console/cases/${mine?.id}/actions`, { action: 'note', text: 'not allowed' })).status).toBe(403);
    // A number that is not ours cannot be suspended: said, and nothing recorded on the case.
    const foreign = await t.api.post<FiledReport>('/api/reports', { kind: 'fraud_number', number: '13800000000', description: '外地号码冒充公检法，要求转账' });
    const support = (await staffMember(t.server, t, ['support'])).client;
    const foreignId = (await support.call<{ cases: CaseSummary[] }>('GET', '/api/console/cases')).body.cases.find((c) => c.reference === foreign.body.reference)?.id ?? '';
    const refusedSuspension = await support.call<ErrorBody>('POST', `/api/console/cases/${foreignId}/actions`, { action: 'suspend_number', msisdn: '13800000000', reason: '诈骗号码', authority: '公安机关通报' });
    expect([refusedSuspension.status, refusedSuspension.body.error.code]).toEqual([409, 'number_not_in_service']);
    expect((await support.call<CaseDetail>('GET', `/api/console/cases/${foreignId}`)).body.events.map((e) => e.kind)).toEqual(['filed']);
    // Provisioning busy three times in a row: the person is told to try again, and nothing is recorded.
    const provisioning = t.server.sandboxProvisioning;
    if (!provisioning) throw new Error('the test server runs the provisioning stand-in');
    const busy = vi.spyOn(provisioning, 'suspend').mockRejectedValue(new ProvisioningError('unavailable', 'provisioning system busy (503)'));
    const fraudId = (await support.call<{ cases: CaseSummary[] }>('GET', '/api/console/cases')).body.cases.find((c) => c.reference === fraud.body.reference)?.id ?? '';
    const unavailable = await support.call<ErrorBody>('POST', `/api/console/cases/${fraudId}/actions`, { action: 'suspend_number', msisdn: '13900070002', reason: '诈骗号码', authority: '公安机关通报' });
    const attempts = busy.mock.calls.length;
    busy.mockRestore();
    expect([unavailable.status, unavailable.body.error.code, attempts]).toEqual([503, 'provisioning_unavailable', 3]);
    expect((await support.call<CaseDetail>('GET', `/api/console/cases/${fraudId}`)).body.events.map((e) => e.kind)).toEqual(['filed']);
    expect((await provisioning.status(iccidOf(7002)))?.status).not.toBe('suspended');
    expect((await (await staffMember(t.server, t, ['reviewer'])).client.call('GET', '/api/console/cases')).status).toBe(403);
    expect((await t.api.get('/api/console/cases')).status).toBe(401);
    t.advance(25 * 3_600_000);
    const later = (await (await staffMember(t.server, t, ['auditor'])).client.call<{ cases: CaseSummary[] }>('GET', '/api/console/cases')).body.cases.find((c) => c.reference === fraud.body.reference);
    expect(later?.overdue).toBe(true);
  });
  it('retention: a closed case keeps its facts and loses what was said and noted, its screenshots deleted, after RETENTION_CASE_DAYS; a reporter\'s identity check goes with its case, or after RETENTION_CLOSED_DAYS when nothing was filed', async () => {
    // Runs last: the clock moves two years.
    const shot = await sharp({ create: { width: 300, height: 500, channels: 3, background: '#3a3' } }).png().toBuffer();
    const shop = await postForm<FiledReport>(shopForm({ kind: 'unauthorised_shop', link: 'https://shop.example/retention', description: '路边摊卖不用实名的卡，已拍照' }, [shot]));
    const unfiled = await approvedCheck(someoneElse);
    const support = (await staffMember(t.server, t, ['support'])).client;
    const id = (await support.call<{ cases: CaseSummary[] }>('GET', '/api/console/cases')).body.cases.find((c) => c.reference === shop.body.reference)?.id ?? '';
    await support.call('POST', `/api/console/cases/${id}/actions`, { action: 'note', text: '已派人现场核实' });
    await support.call('POST', `/api/console/cases/${id}/actions`, { action: 'close', outcome: 'referred', summary: '已移交市场监管部门' });
    const objects = async (): Promise<number> => (await scanFolder(t.dataDir, [])).files;
    const before = await objects();

    // A month on: the check nothing was filed from is emptied; the closed case is kept.
    t.advance(31 * 86_400_000);
    await t.server.sweep();
    const purged = async (orderId: string) => (await t.server.db.db.selectFrom('orders').select('purged_at').where('id', '=', orderId).executeTakeFirstOrThrow()).purged_at;
    expect(await purged(unfiled.id)).not.toBeNull();
    const auditor = async () => (await staffMember(t.server, t, ['auditor'])).client;
    expect((await (await auditor()).call<CaseDetail>('GET', `/api/console/cases/${id}`)).body.description).toBe('路边摊卖不用实名的卡，已拍照');

    // Two years after closing: what was said, the screenshot and the notes are gone; the facts stay.
    t.advance(730 * 86_400_000);
    await t.server.sweep();
    const emptied = (await (await auditor()).call<CaseDetail>('GET', `/api/console/cases/${id}`)).body;
    expect(emptied).toMatchObject({ reference: shop.body.reference, kind: 'unauthorised_shop', state: 'closed', outcome: 'referred', description: '', screenshots: 0, numbers: [] });
    expect(emptied.events.map((e) => [e.kind, e.detail])).toEqual([['filed', {}], ['note', {}], ['closed', {}]]);
    expect(await objects()).toBeLessThan(before);
    // The identity check behind an earlier case goes with it.
    const opened = (await t.server.db.db.selectFrom('cases').select('order_id').where('kind', '=', 'opened_in_my_name').where('state', '=', 'closed').executeTakeFirstOrThrow()).order_id;
    expect(await purged(opened ?? '')).not.toBeNull();
  });
});
