import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DeliveryPath, luhnCheckDigit, todayInChina } from '@shared';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { applyEffects } from '../../bff/src/sandbox/mockId/effects.js';
import { type MockCard, generateMockCard, writeMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { CampaignsDb } from '../../bff/src/reregistration/campaigns.db.js';
import { importSubscribers } from '../../bff/src/reregistration/subscriberImport.js';
import { actionPrompted, buildWeb, cspViolations, launchChromium, liveCheckOutcome, look } from '../support/browser.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES, RECORDED_CAMERA_ENV, recordFaceVideo } from '../support/liveFrames.js';
import { type TestServer, shippedOrder, startTestServer, waitForState } from '../support/testServer.js';
import { uploadFile } from '../support/buyerSteps.js';
import { enrolInBrowser } from '../support/staff.js';

/** Screenshots of every step, kept for people to look at (ignored by git). */
const SHOTS = path.resolve('tests/.output/e2e');
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 };
const DAY = 86_400_000;

let t: TestServer;

beforeAll(async () => {
  // The web app is built into the test server's folder; the recorded face video shows a left turn and an open mouth.
  t = await startTestServer({ ...RECORDED_CAMERA_ENV, PROVISIONING_MOCK_LATENCY_MS: '50', PROVISIONING_MOCK_FAILURE_RATE: '0' });
  await buildWeb(path.join(t.dir, 'web'));
  await mkdir(SHOTS, { recursive: true });
});

afterAll(async () => {
  await t?.stop();
});

/** A sandbox identity's specimen card with Penny's face (the face the recorded video shows). */
async function pennyCard(index: number): Promise<MockCard> {
  const who = SANDBOX_IDENTITIES[index];
  return generateMockCard({ face: await facePhoto(POSES.penny.neutral), name: who?.name, idNumber: who?.idNumber, seed: `e2e-after-${index}` });
}

const shipped = (card: MockCard, deliveryPath: DeliveryPath) => shippedOrder(t, card, POSES.penny, deliveryPath);

/**
 * The buyer's checks in the browser, from consent to submission, as a re-registering subscriber or a
 * reporter goes through them: the photos of `files`, the live check before the camera of `video`.
 */
async function identityCheck(page: Page, flow: string, card: MockCard, files: string, video: string, progress: string): Promise<void> {
  await page.waitForURL('**/buy/consent');
  await page.getByTestId('consent-identity').check();
  await page.getByTestId('consent-biometric').check();
  await page.getByTestId('agree').click();
  await page.waitForURL('**/buy/capture/portrait');
  // The steps counted for this path.
  expect(await page.locator('.buy-progress p').textContent()).toBe(progress);
  await uploadFile(page, flow, '04-portrait', path.join(files, 'portrait-side.jpg'), '**/buy/capture/emblem');
  await uploadFile(page, flow, '05-emblem', path.join(files, 'emblem-side.jpg'), '**/buy/capture/handheld');
  await uploadFile(page, flow, '06-handheld', path.join(files, 'handheld.jpg'), '**/buy/liveness');
  await page.getByTestId('start-liveness').click();
  await page.getByTestId('liveness-prompt').waitFor({ timeout: 60_000 });
  await actionPrompted(page, /turn_left|open_mouth/);
  const live = await liveCheckOutcome(page, { retake: () => recordFaceVideo(POSES.penny, video) });
  expect(live.outcome, live.said).toBe('passed');
  await page.getByTestId('next').click();
  await page.waitForURL('**/buy/review');
  await expect.poll(() => page.locator('[data-field="idNumber"]').textContent()).toBe(card.identity.portrait.idNumber);
  await page.getByTestId('confirm-details').check();
  await page.getByTestId('submit').click();
  await page.waitForURL('**/buy/status');
}

describe('after the purchase, in a real browser', () => {
  let browser: Browser | undefined;
  afterEach(async () => {
    await browser?.close();
    browser = undefined;
  });

  it('the buyer activates an unactivated card: ICCID (a typo caught on the device), the ID card again, the live check', async () => {
    const card = await pennyCard(1);
    const order = await shipped(card, 'unactivated');
    const again = path.join(t.dir, 'card-again.jpg');
    await writeFile(again, await applyEffects(card.images.portrait, { rotate: -1.5 }));
    const video = path.join(t.dir, 'face-video.y4m');
    await recordFaceVideo(POSES.penny, video);

    browser = await launchChromium(video);
    const page = await browser.newPage(PHONE);
    const refused = cspViolations(page);
    const shot = (name: string) => look(page, path.join(SHOTS, `activate-${name}.png`));
    // From the order's status page, as the buyer finds it.
    await page.goto(`${t.server.url}/activate`);
    const typo = `${order.iccid.slice(0, -1)}${(Number(order.iccid.at(-1)) + 1) % 10}`;
    await page.getByTestId('iccid').fill(typo);
    await page.getByTestId('msisdn').fill(order.msisdn);
    // The code printed inside the pack (the sandbox shows it on the order, where a real pack has it on paper).
    await page.getByTestId('pack-code').fill(order.view.delivery?.sandboxPackCode ?? '');
    await page.getByTestId('start-activation').click();
    await page.getByTestId('iccid-problem').waitFor();
    await shot('01-iccid-typo');
    await page.getByTestId('iccid').fill(order.iccid);
    await page.getByTestId('start-activation').click();

    await page.getByTestId('file-card').setInputFiles(again);
    await expect.poll(() => page.getByTestId('send-card').isEnabled(), { timeout: 15_000 }).toBe(true);
    await shot('02-card');
    await page.getByTestId('send-card').click();

    await page.getByTestId('start-liveness').click({ timeout: 60_000 });
    await page.getByTestId('liveness-prompt').waitFor({ timeout: 60_000 });
    await actionPrompted(page, /turn_left|open_mouth/);
    await shot('03-live');
    const live = await liveCheckOutcome(page, { retake: () => recordFaceVideo(POSES.penny, video) });
    expect(live.outcome, live.said).toBe('passed');
    await page.getByTestId('next').click();

    const result = page.getByTestId('activation-result');
    await expect.poll(() => result.getAttribute('data-outcome'), { timeout: 30_000 }).toBe('activated');
    await shot('04-activated');
    expect(await page.locator('.outcome').textContent()).toBe('您的卡已开通，欢迎使用！');
    expect((await waitForState(t.api, order, 'activated')).state).toBe('activated');
    expect(refused).toEqual([]);
  });

  it('a reporter proves who they are, sees the numbers registered to them and reports the one they did not open; a support person works the case and suspends that number', async () => {
    // Two lines in service under the reporter's identity (one opened by someone else), one under another's.
    const reporter = SANDBOX_IDENTITIES[3]?.idNumber ?? '';
    const iccid = (n: number): string => `89860099000077${n}000${luhnCheckDigit(`89860099000077${n}000`)}`;
    await importSubscribers([
      { msisdn: '13900077001', iccid: iccid(1), registration: 'registered', channel: '自有营业厅', idNumber: reporter },
      { msisdn: '13900077002', iccid: iccid(2), registration: 'registered', channel: '某代理点', idNumber: reporter },
      { msisdn: '13900077003', iccid: iccid(3), registration: 'registered', channel: '自有营业厅', idNumber: SANDBOX_IDENTITIES[2]?.idNumber },
    ], { db: new CampaignsDb(t.server.db.database), envelope: t.server.envelope, now: t.now(), today: todayInChina(), onBatch: (rows) => t.server.sandboxProvisioning?.adopt(rows) });

    const card = await pennyCard(3);
    const files = path.join(t.dir, 'report');
    await writeMockCard(card, files);
    const video = path.join(t.dir, 'report-face.y4m');
    await recordFaceVideo(POSES.penny, video);
    browser = await launchChromium(video);
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    const refused = cspViolations(page);
    const shot = (name: string) => look(page, path.join(SHOTS, `report-${name}.png`));

    await page.goto(`${t.server.url}/`);
    await page.getByTestId('report-link').click();
    await page.waitForURL('**/report');
    await page.getByTestId('kind-opened_in_my_name').check();
    await shot('01-kind');
    await page.getByTestId('start-report-check').click();
    // The identity check: no number chosen, nothing delivered.
    await identityCheck(page, 'report', card, files, video, '2 / 7 · 人像面');
    await page.getByTestId('identity-report').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('registered-number').count()).toBe(2);
    const listed = await page.getByTestId('registered-number').allTextContents();
    expect(listed.join('|')).toMatch(/139\*\*\*\*7001.*\|.*139\*\*\*\*7002/u);
    expect(listed.join('|')).not.toContain('7003');
    await page.getByTestId('not-mine-1').check();
    await page.getByTestId('report-description').fill('我从未在代理点办理过这个号码');
    await shot('02-numbers');
    await page.getByTestId('file-report').click();
    const reference = /JB-[0-9A-Z]{5}-[0-9A-Z]{5}/u.exec(await page.getByTestId('report-reference').textContent() ?? '')?.[0] ?? '';
    expect(reference).not.toBe('');
    await shot('03-filed');
    expect(refused).toEqual([]);

    // Support, at a desk: the case in the queue, opened, the number suspended with its reason and authority.
    const { oneTimePassword } = await t.server.staff.add({ username: 'qian.support', name: '钱客服', roles: ['support'] }, 'cli');
    const desk = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const deskRefused = cspViolations(desk);
    await desk.goto(`${t.server.url}/console/cases`);
    await enrolInBrowser(desk, 'qian.support', oneTimePassword, t);
    const row = desk.locator(`[data-testid="case-row"][data-reference="${reference}"]`);
    await row.getByTestId('open-case').click();
    const number = desk.locator('[data-testid="case-number"][data-msisdn="13900077002"]');
    await number.waitFor();
    expect(await desk.getByTestId('case-description').textContent()).toBe('我从未在代理点办理过这个号码');
    await desk.getByTestId('assign-me').click();
    await expect.poll(() => desk.locator('[data-testid="case-history"] li').count()).toBe(2);
    await desk.getByTestId('case-reason').fill('冒名开户，举报人已通过身份核验');
    await desk.getByTestId('case-authority').fill('本公司核查结论 HC-2026-1203');
    await number.getByTestId('suspend-number').click();
    await expect.poll(() => number.getAttribute('data-service')).toBe('suspended');
    expect((await t.server.sandboxProvisioning?.status(iccid(2)))?.status).toBe('suspended');
    expect((await t.server.sandboxProvisioning?.status(iccid(1)))?.status).toBe('active');
    await desk.getByTestId('case-summary').fill('冒名开户属实，号码已停机');
    await desk.getByTestId('close-case').click();
    await expect.poll(() => desk.getByTestId('case').getAttribute('data-state')).toBe('closed');
    expect(await desk.locator('[data-testid="case-history"] li').evaluateAll((items) => items.map((li) => (li as unknown as { dataset: { kind: string } }).dataset.kind)))
      .toEqual(['filed', 'assigned', 'number_suspended', 'closed']);
    await look(desk, path.join(SHOTS, 'report-04-case.png'));
    expect(deskRefused).toEqual([]);

    // The reporter follows the report by its reference.
    await page.goto(`${t.server.url}/report`);
    await page.getByTestId('follow-reference').fill(reference);
    await page.getByTestId('follow-report').click();
    await expect.poll(() => page.getByTestId('report-status').getAttribute('data-state')).toBe('closed');
    expect(await page.getByTestId('report-status').textContent()).toContain('举报属实');
    await shot('05-followed');
  });

  it('a subscriber whose line a campaign suspended re-registers online: the code from the SMS inbox, the photos, the live check, and the line back at once', async () => {
    // Runs last: the clock is moved through the campaign.
    const msisdn = '13900001234';
    const iccid = `8986009900001234567${luhnCheckDigit('8986009900001234567')}`;
    const campaigns = new CampaignsDb(t.server.db.database);
    await importSubscribers([{ msisdn, iccid, registration: 'unregistered', channel: 'store-0571' }], {
      db: campaigns, envelope: t.server.envelope, now: t.now(), today: todayInChina(), onBatch: (rows) => t.server.sandboxProvisioning?.adopt(rows),
    });
    const start = t.now() + 60_000;
    const { campaign } = await t.server.campaigns.create({
      name: '补登记', kind: 'reregistration', statuses: ['unregistered'],
      startsAt: start, deadlineAt: start + 10 * DAY, remindBeforeDays: [1], graceDays: 1, finalReminderAfterDays: 7, stopAfterDays: 15,
    }, 'admin.test');
    // The first notice, the reminder, then the suspension after the deadline and its grace.
    for (const at of [start + 60_000, start + 9 * DAY + 60_000, start + 11 * DAY + 120_000]) {
      t.advance(at - t.now());
      await t.server.campaigns.sweep();
      await t.server.campaigns.sweep();
    }
    expect((await t.server.sandboxProvisioning?.status(iccid))?.status).toBe('suspended');

    const card = await pennyCard(4);
    const files = path.join(t.dir, 'reregister');
    await writeMockCard(card, files);
    const video = path.join(t.dir, 'reregister-face.y4m');
    await recordFaceVideo(POSES.penny, video);
    browser = await launchChromium(video);
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    const refused = cspViolations(page);
    const shot = (name: string) => look(page, path.join(SHOTS, `reregister-${name}.png`));

    // From the link in the notice.
    await page.goto(`${t.server.url}/reregister`);
    expect(await page.getByTestId('free').textContent()).toContain('免费');
    await page.getByTestId('reregister-number').fill(msisdn);
    await shot('01-number');
    await page.getByTestId('send-number-code').click();
    await page.getByTestId('number-code').waitFor();
    // The code, as the SMS centre's inbox shows it.
    const sms = await context.newPage();
    await sms.goto(`${t.server.url}/sandbox/sms`);
    const message = sms.locator(`li[data-to="${msisdn}"]`, { hasText: '验证码' }).first();
    await message.waitFor({ timeout: 20_000 });
    const code = /验证码为 (\d{6})/u.exec(await message.textContent() ?? '')?.[1] ?? '';
    await sms.close();
    await page.getByTestId('number-code').fill(code);
    await shot('02-code');
    await page.getByTestId('confirm-number').click();
    await expect.poll(() => page.getByTestId('proven-number').textContent()).toContain('139****1234');
    expect(await page.getByTestId('suspended').isVisible()).toBe(true);
    expect(await page.getByTestId('deadline').count()).toBe(1);
    await shot('03-proven');

    await page.getByTestId('start-check').click();
    await identityCheck(page, 'reregister', card, files, video, '3 / 8 · 人像面');
    await expect.poll(() => page.getByTestId('status').getAttribute('data-state'), { timeout: 60_000 }).toBe('activated');
    expect(await page.locator('.outcome').textContent()).toBe('登记完成');
    // Nothing to deliver, nothing to pay, no notices to sign up for.
    expect(await page.getByTestId('journey').count()).toBe(0);
    expect(await page.getByTestId('notices').count()).toBe(0);
    await shot('07-registered');

    // The line is back at once, and the number has left the campaign.
    expect((await t.server.sandboxProvisioning?.status(iccid))?.status).toBe('active');
    expect((await campaigns.member(campaign.id, msisdn))?.stage).toBe('registered');
    expect(await campaigns.subscriber(msisdn)).toMatchObject({ registration: 'registered', service: 'active' });
    expect(refused).toEqual([]);
  });
});
