import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cspViolations, look } from '../support/browser.js';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES, cameraFrame, passLiveCheck } from '../support/liveFrames.js';
import { applyEffects } from '../../bff/src/sandbox/mockId/effects.js';
import { SANDBOX_COURIERS } from '../../bff/src/sandbox/couriers.js';
import type { OrderView, StaffRole } from '@shared';
import { enrolInBrowser, totpCode } from '../support/staff.js';
import { type BrowserSuite, startBrowserSuite } from '../support/browserSuite.js';
import { type TestServer, waitForState } from '../support/testServer.js';

const COURIER = SANDBOX_COURIERS[0];

const SHOTS = path.resolve('tests/.output/console');
const DESK = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 };

let t: TestServer;
let browser: Browser;
/** The one-time password the administrator's page showed for the first reviewer. */
let firstReviewerPassword = '';

let suite: BrowserSuite | undefined;

beforeAll(async () => {
  // A wide margin: a face a little unlike the portrait goes to a person rather than being refused.
  suite = await startBrowserSuite(SHOTS, { FACE_REVIEW_MARGIN: '0.6' });
  ({ t, browser } = suite);
});

afterAll(async () => {
  await suite?.stop();
});

/** A member of staff with `roles`, enrolled in their own browser, on `path`. */
async function signedInPage(username: string, roles: StaffRole[], to: string): Promise<Page> {
  const { oneTimePassword } = await t.server.staff.add({ username, name: username, roles }, 'li.admin');
  const page = await (await browser.newContext(DESK)).newPage();
  await page.goto(`${t.server.url}${to}`);
  await enrolInBrowser(page, username, oneTimePassword, t);
  return page;
}

const shooter = (page: Page) => (name: string) => look(page, path.join(SHOTS, `${name}.png`));

describe('the operator\'s console in a real browser', () => {
  it('the first administrator enrols, adds an auditor and the first reviewer, and the auditor sees what the administrator did; a disabled account is signed out', async () => {
    // The first administrator, made with `npm run staff -- add`.
    const first = await t.server.staff.add({ username: 'li.admin', name: '李管理', roles: ['administrator'] }, 'cli');
    const admin = await (await browser.newContext(DESK)).newPage();
    const refused = cspViolations(admin);
    const shot = shooter(admin);
    await admin.goto(`${t.server.url}/console`);
    await admin.getByTestId('console-sign-in').waitFor();
    await shot('01-sign-in');
    const adminLogin = await enrolInBrowser(admin, 'li.admin', first.oneTimePassword, t, () => shot('02-enrolment'));
    // An administrator sees the staff, operations and re-registration sections only.
    expect(await admin.locator('.console-nav a').allTextContents()).toEqual(['员工账号', '运营', '补登记', '监测告警', '经营看板', '举报案件']);

    await admin.getByTestId('nav-staff').click();
    await admin.getByTestId('new-username').fill('sun.audit');
    await admin.getByTestId('new-name').fill('孙审计');
    await admin.getByTestId('new-role-auditor').check();
    await admin.getByTestId('add-account').click();
    const oneTime = (await admin.getByTestId('one-time-password').textContent()) ?? '';
    expect(oneTime).toMatch(/^[A-Za-z2-9]{20}$/);
    expect(await admin.locator('[data-account="sun.audit"]').getAttribute('data-status')).toBe('enrolling');
    // …and the first reviewer, who signs in in the next test.
    await admin.getByTestId('new-username').fill('zhou.review');
    await admin.getByTestId('new-name').fill('周审核');
    await admin.getByTestId('new-role-reviewer').check();
    await admin.getByTestId('add-account').click();
    await admin.locator('[data-account="zhou.review"]').waitFor();
    firstReviewerPassword = (await admin.getByTestId('one-time-password').textContent()) ?? '';
    expect(firstReviewerPassword).toMatch(/^[A-Za-z2-9]{20}$/);
    await shot('03-staff');

    // The auditor, on their own computer.
    const auditor = await (await browser.newContext(DESK)).newPage();
    await auditor.goto(`${t.server.url}/console/actions`);
    await enrolInBrowser(auditor, 'sun.audit', oneTime, t);
    await auditor.locator('[data-action="staff.add"]').first().waitFor();
    const rows = await auditor.locator('tr[data-action="staff.add"]').allTextContents();
    expect(rows.some((r) => r.includes('li.admin') && r.includes('sun.audit'))).toBe(true);
    await shooter(auditor)('04-actions');
    // The staff page is not the auditor's.
    await auditor.goto(`${t.server.url}/console/staff`);
    await expect.poll(() => auditor.getByRole('alert').textContent()).toBe('您的角色无权使用此功能。');

    // Signed out, a wrong code is refused; the right one (a new half-minute) signs in.
    await admin.getByTestId('sign-out').click();
    await admin.getByTestId('console-sign-in').waitFor();
    await admin.getByTestId('username').fill('li.admin');
    await admin.getByTestId('password').fill(adminLogin.password);
    await admin.getByTestId('code').fill('000000');
    await admin.getByTestId('sign-in').click();
    await expect.poll(() => admin.getByTestId('error').isVisible()).toBe(true);
    await shot('05-wrong-code');
    t.advance(30_000);
    await admin.getByTestId('code').fill(totpCode(adminLogin.secret, t.now()));
    await admin.getByTestId('sign-in').click();
    await admin.getByTestId('signed-in-as').waitFor();

    // Disabled: the auditor's next request finds the session gone.
    await admin.getByTestId('nav-staff').click();
    await admin.locator('[data-account="sun.audit"]').getByTestId('disable').click();
    await expect.poll(() => admin.locator('[data-account="sun.audit"]').getAttribute('data-status')).toBe('disabled');
    await auditor.goto(`${t.server.url}/console/actions`);
    await auditor.getByTestId('console-sign-in').waitFor();
    expect(refused).toEqual([]);
  });

  it('two reviewers approve a case the face check doubted, the buyer\'s page moves on; support finds its registration with a reason and prints it; the auditor sees every access in a whole chain', async () => {
    // The buyer: the card's portrait shows one person, the hand-held photo another.
    const who = SANDBOX_IDENTITIES[4];
    const card = await generateMockCard({ face: await facePhoto('photos/obama.jpg'), cardFace: await facePhoto(POSES.sheldon.neutral), name: who?.name, idNumber: who?.idNumber, seed: 'console-review' });
    const order = await t.api.newOrder();
    for (const kind of ['portrait', 'emblem', 'handheld'] as const) expect((await t.api.upload(order.id, order.token, kind, card.images[kind])).status).toBe(200);
    expect((await passLiveCheck(t.api, order, POSES.sheldon)).outcome).toBe('passed');
    expect((await t.api.submit(order.id, order.token)).status).toBe(202);
    await t.server.orders.settled(order.id);
    const buyer = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    // The buyer's own tab keeps the order's id and token (as the flow left them).
    await buyer.addInitScript(`sessionStorage.setItem('purchase', ${JSON.stringify(JSON.stringify({ orderId: order.id, orderToken: order.token }))})`);
    await buyer.goto(`${t.server.url}/buy/status`);
    await expect.poll(() => buyer.getByTestId('status').getAttribute('data-state')).toBe('review');
    // The buyer leaves a mobile number for notices and confirms it with the code from the sandbox's SMS inbox.
    await buyer.getByTestId('notice-mobile').fill('139 1234 5678');
    await buyer.getByTestId('send-code').click();
    await buyer.getByTestId('notice-code').waitFor();
    const phone = await buyer.context().newPage();
    await phone.goto(`${t.server.url}/sandbox/sms`);
    const sms = phone.locator('[data-to="13912345678"]').first();
    await sms.waitFor();
    const smsCode = /验证码为 (\d{6})/u.exec((await sms.textContent()) ?? '')?.[1] ?? '';
    await buyer.getByTestId('notice-code').fill(smsCode);
    await buyer.getByTestId('confirm-notices').click();
    await expect.poll(() => buyer.getByTestId('notices-on').textContent()).toContain('139****5678');
    await look(buyer, path.join(SHOTS, '06-buyer-in-review.png'));

    // The reviewer the administrator added signs in (password and TOTP code), and a second one.
    const firstReviewer = await (await browser.newContext(DESK)).newPage();
    await firstReviewer.goto(`${t.server.url}/console/reviews`);
    await enrolInBrowser(firstReviewer, 'zhou.review', firstReviewerPassword, t);
    const reviewers = [firstReviewer, await signedInPage('wu.review', ['reviewer'], '/console/reviews')];
    const [first, second] = reviewers as [Page, Page];
    await first.locator(`[data-order="${order.id}"]`).getByTestId('open-case').click();
    await first.getByTestId('two-reviewers').waitFor();
    // Every photo of the case is shown: card sides, the hand-held photo, the live frame.
    await expect.poll(() => first.locator('.evidence-grid img').evaluateAll((imgs) => imgs.filter((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0).length)).toBe(4);
    expect(await first.locator('[data-check="face"]').getAttribute('data-outcome')).toBe('review');
    expect(await first.locator('[data-field="name"]').textContent()).toBe(who?.name);
    await shooter(first)('07-case');
    await first.getByTestId('approve').check();
    await first.getByTestId('verdict-reason').selectOption('same_person_on_inspection');
    await first.getByTestId('decide').click();
    await first.getByTestId('waiting-for-second').waitFor();
    await shooter(first)('08-first-approval');

    // The second reviewer's queue, opened before: looked at again, it shows the approval waiting.
    await second.reload();
    await second.locator(`[data-order="${order.id}"]`).getByTestId('proposal').waitFor();
    await shooter(second)('09-queue');
    await second.locator(`[data-order="${order.id}"]`).getByTestId('open-case').click();
    await second.getByTestId('proposal').waitFor();
    await second.getByTestId('approve').check();
    await second.getByTestId('verdict-reason').selectOption('same_person_on_inspection');
    await second.getByTestId('decide').click();
    await second.getByTestId('queue-empty').waitFor();

    // The buyer's status page, without a reload: shipped.
    await expect.poll(() => buyer.getByTestId('status').getAttribute('data-state'), { timeout: 60_000 }).toBe('shipped');
    await look(buyer, path.join(SHOTS, '10-buyer-shipped.png'));
    // The texts the buyer received: the review's outcome and the shipment, naming the order only.
    await expect.poll(() => phone.locator('[data-to="13912345678"]').count(), { timeout: 20_000 }).toBe(3);
    const texts = await phone.locator('[data-to="13912345678"] p').allTextContents();
    expect(texts.some((text) => text.includes(order.id.slice(0, 8)) && text.includes('已发货'))).toBe(true);
    expect(texts.join('')).not.toContain(who?.name ?? '-');
    await look(phone, path.join(SHOTS, '10-sandbox-sms.png'));

    // At the door the courier checks the card and the recipient: the number is activated and registered.
    const shipped = await t.api.get<OrderView>(`/api/orders/${order.id}`, order.token);
    const delivery = shipped.body.delivery;
    const handed = await t.api.handOver(delivery?.trackingNumber ?? '', COURIER.token, {
      code: delivery?.handoverCode ?? '', card: await applyEffects(card.images.portrait, { rotate: -1 }), face: await cameraFrame(POSES.sheldon.neutral),
    });
    expect(handed.body.outcome).toBe('handed_over');
    await waitForState(t.api, order, 'activated');

    // Support looks the number up, with the inspector's request as the reason, and prints the record.
    const desk = await signedInPage('qian.support', ['support'], '/console/registrations');
    await desk.addInitScript('window.print = () => { window.printRequested = true; }');
    await desk.reload();
    await desk.getByTestId('lookup-by').waitFor();
    await desk.getByTestId('lookup-by').selectOption('msisdn');
    await desk.getByTestId('lookup-value').fill(order.msisdn);
    await desk.getByTestId('lookup-reason').fill('检查人员调阅，工单 2026-1201');
    await desk.getByTestId('lookup').click();
    await desk.getByTestId('registration').waitFor();
    expect(await desk.locator('[data-field="method"]').textContent()).toContain('上门');
    expect(await desk.locator('[data-field="idNumber"]').textContent()).toBe(who?.idNumber);
    await expect.poll(() => desk.locator('.registration img').evaluateAll((imgs) => imgs.filter((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0).length)).toBe(6);
    await shooter(desk)('12-registration');
    await desk.getByTestId('print').click();
    expect(await desk.evaluate('window.printRequested')).toBe(true);
    expect(await desk.getByTestId('printed-by').textContent()).toContain('qian.support');
    await desk.emulateMedia({ media: 'print' });
    expect(await desk.getByTestId('lookup').isVisible()).toBe(false);
    await shooter(desk)('13-registration-printed');
    await desk.pdf({ path: path.join(SHOTS, '13-registration-printed.pdf'), format: 'A4' });
    await desk.emulateMedia({ media: 'screen' });

    // The buyer's requests: the same number's order is kept (a registration in service).
    const requests = await signedInPage('lu.support', ['support'], '/console/requests');
    await requests.getByTestId('lookup-value').fill(order.msisdn);
    await requests.getByTestId('lookup-reason').fill('用户来电要求删除，工单 2026-1202');
    await requests.getByTestId('lookup').click();
    await expect.poll(() => requests.getByTestId('deletes-at').textContent()).toContain('登记');
    await requests.getByTestId('access').click();
    await requests.getByTestId('exported').waitFor();
    await shooter(requests)('14-requests');

    // An administrator puts the order under a legal hold.
    const ops = await signedInPage('zhao.ops', ['administrator'], '/console/operations');
    await ops.getByTestId('hold-order').fill(order.id);
    await ops.getByTestId('hold-reason').fill('公安机关协查 2026-77');
    await ops.getByTestId('set-hold').click();
    await ops.locator(`[data-order="${order.id}"]`).waitFor();
    await shooter(ops)('15-operations');

    // The auditor (made in the first test) sees both reviewers' openings, and the chain checks out.
    const { oneTimePassword } = await t.server.staff.add({ username: 'qin.audit', name: '秦审计', roles: ['auditor'] }, 'li.admin');
    const auditor = await (await browser.newContext(DESK)).newPage();
    await auditor.goto(`${t.server.url}/console/audit`);
    await enrolInBrowser(auditor, 'qin.audit', oneTimePassword, t);
    await expect.poll(() => auditor.getByTestId('chain').getAttribute('data-ok')).toBe('true');
    const rows = await auditor.locator('tr[data-action="case.open"]').allTextContents();
    expect(rows.filter((r) => r.includes('zhou.review')).length).toBeGreaterThanOrEqual(1);
    expect(rows.filter((r) => r.includes('wu.review')).length).toBeGreaterThanOrEqual(1);
    expect(await auditor.locator('tr[data-action="evidence.view"]').count()).toBeGreaterThanOrEqual(8);
    // …and support's look-up, with its reason.
    const lookups = await auditor.locator('tr[data-action="registration.lookup"]').allTextContents();
    expect(lookups.some((r) => r.includes('qian.support') && r.includes('检查人员调阅，工单 2026-1201'))).toBe(true);
    await shooter(auditor)('11-audit');
  });

  it('a reviewer corrects a name the reader could not read whole, as the card shows it; the order is checked again and approved', async () => {
    // 赟 is not in the recogniser's dictionary: the name is read without it or with a look-alike in
    // doubt (上官, 上官贺), which the national record does not know.
    const who = SANDBOX_IDENTITIES.find((s) => s.name === '上官赟');
    const card = await generateMockCard({ face: await facePhoto(POSES.penny.neutral), name: who?.name, idNumber: who?.idNumber, seed: 'console-correction' });
    const order = await t.api.newOrder();
    for (const kind of ['portrait', 'emblem', 'handheld'] as const) expect((await t.api.upload(order.id, order.token, kind, card.images[kind])).status).toBe(200);
    expect((await passLiveCheck(t.api, order, POSES.penny)).outcome).toBe('passed');
    expect((await t.api.submit(order.id, order.token)).status).toBe(202);
    await t.server.orders.settled(order.id);

    const reviewer = await signedInPage('qian.review', ['reviewer'], `/console/reviews/${order.id}`);
    await reviewer.getByTestId('correction').waitFor();
    const read = await reviewer.locator('[data-field="name"]').textContent();
    expect(read?.startsWith('上官')).toBe(true);
    expect(read).not.toBe('上官赟');
    await reviewer.getByTestId('correction-field').selectOption('name');
    await reviewer.getByTestId('correction-value').fill('上官赟');
    await shooter(reviewer)('12-correction');
    await reviewer.getByTestId('correct').click();
    await reviewer.getByTestId('corrected').waitFor();
    expect(await reviewer.locator('[data-field="name"]').textContent()).toBe('上官赟');
    expect(await reviewer.locator('[data-check="authority"]').getAttribute('data-outcome')).toBe('pass');
    await reviewer.getByTestId('approve').check();
    await reviewer.getByTestId('verdict-reason').selectOption('card_genuine_on_inspection');
    await reviewer.getByTestId('decide').click();
    await reviewer.waitForURL(/\/console\/reviews$/);
    expect((await waitForState(t.api, order, 'shipped')).decision?.outcome).toBe('approved');
  });
});
