import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryPath, OrderView } from '@shared';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { SANDBOX_COURIERS } from '../../bff/src/sandbox/couriers.js';
import { applyEffects } from '../../bff/src/sandbox/mockId/effects.js';
import { type MockCard, generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { actionPrompted, buildWeb, cspViolations, launchChromium, liveCheckOutcome, look, stillToY4m } from '../support/browser.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES, cameraFrame, RECORDED_CAMERA_ENV, recordFaceVideo } from '../support/liveFrames.js';
import { type TestServer, shippedOrder, startTestServer, waitForState } from '../support/testServer.js';

/** Screenshots of every step, kept for people to look at (ignored by git). */
const SHOTS = path.resolve('tests/.output/e2e');
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 };

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

describe('after the purchase, in a real browser', () => {
  let browser: Browser | undefined;
  afterEach(async () => {
    await browser?.close();
    browser = undefined;
  });

  it('the courier signs in, scans the parcel\'s QR code, photographs the original ID card and the recipient, and the card is handed over and activated', async () => {
    const card = await pennyCard(0);
    const order = await shipped(card, 'courier_verified');
    const tracking = order.view.delivery?.trackingNumber ?? '';
    // The parcel label's QR code, in front of the courier's phone camera.
    const label = path.join(t.dir, 'label.png');
    await QRCode.toFile(label, tracking, { width: 480, margin: 4 });
    const camera = path.join(t.dir, 'label.y4m');
    await stillToY4m(label, camera);
    const atDoor = path.join(t.dir, 'card-at-door.jpg');
    await writeFile(atDoor, await applyEffects(card.images.portrait, { rotate: -1.5 }));
    const recipient = path.join(t.dir, 'recipient.jpg');
    await writeFile(recipient, await cameraFrame(POSES.penny.neutral));

    browser = await launchChromium(camera);
    const page = await browser.newPage(PHONE);
    const refused = cspViolations(page);
    const shot = (name: string) => look(page, path.join(SHOTS, `courier-${name}.png`));
    await page.goto(`${t.server.url}/courier`);
    await page.getByTestId('access-code').fill('wrong-code-00000000');
    await page.getByTestId('sign-in').click();
    await expect.poll(() => page.getByTestId('error').textContent()).toContain('访问码');
    await page.getByTestId('access-code').fill(SANDBOX_COURIERS[0].token);
    await shot('01-sign-in');
    await page.getByTestId('sign-in').click();

    await page.getByTestId('scan').click();
    await page.getByTestId('qr-scanner').waitFor();
    await shot('02-scan');
    await page.getByTestId('delivery').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('masked-name').textContent()).toBe(`${card.identity.portrait.name.slice(0, 1)}*`);
    expect(await page.getByTestId('id-last4').textContent()).toBe(card.identity.portrait.idNumber.slice(-4));
    expect(await page.content()).not.toContain(card.identity.portrait.idNumber);
    await shot('03-delivery');

    await page.getByTestId('handover-code').fill(order.view.delivery?.handoverCode ?? '');
    await page.getByTestId('file-card').setInputFiles(atDoor);
    await page.getByTestId('file-face').setInputFiles(recipient);
    // The courier confirms they compared the recipient with the card in their hand.
    await page.getByTestId('confirm-recipient').check();
    await expect.poll(() => page.getByTestId('check').isEnabled(), { timeout: 15_000 }).toBe(true);
    await shot('04-photographed');
    await page.getByTestId('check').click();
    const result = page.getByTestId('handover-result');
    await result.waitFor({ timeout: 60_000 });
    await shot('05-handed-over');
    expect(await result.getAttribute('data-outcome')).toBe('handed_over');
    await waitForState(t.api, order, 'activated');

    // The delivery is closed to the courier now.
    await page.getByTestId('next-delivery').click();
    await page.getByTestId('tracking').fill(tracking);
    await page.getByTestId('open-delivery').click();
    await expect.poll(() => page.getByTestId('error').textContent()).toBe('该派件已结束。');
    expect(refused).toEqual([]);
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
});
