import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { SANDBOX_COURIERS } from '../../bff/src/sandbox/couriers.js';
import { applyEffects } from '../../bff/src/sandbox/mockId/effects.js';
import { generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { buildWeb, cspViolations, launchChromium, look, stillToY4m } from '../support/browser.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES, cameraFrame } from '../support/liveFrames.js';
import { type TestServer, shippedOrder, startTestServer, waitForState } from '../support/testServer.js';

/**
 * The courier at the door, in a real browser on a phone: the parcel's QR code through the camera,
 * the photos of the original card and of the recipient, and the card handed over and activated.
 * No face is tracked on these pages, so the file runs beside the others.
 */
const SHOTS = path.resolve('tests/.output/e2e');
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 };

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ PROVISIONING_MOCK_LATENCY_MS: '50', PROVISIONING_MOCK_FAILURE_RATE: '0' });
  await buildWeb(path.join(t.dir, 'web'));
  await mkdir(SHOTS, { recursive: true });
});

afterAll(async () => {
  await t?.stop();
});

describe('the courier, in a real browser', () => {
  let browser: Browser | undefined;
  afterEach(async () => {
    await browser?.close();
    browser = undefined;
  });

  it('the courier signs in, scans the parcel\'s QR code, photographs the original ID card and the recipient, and the card is handed over and activated', async () => {
    const who = SANDBOX_IDENTITIES[0];
    const card = await generateMockCard({ face: await facePhoto(POSES.penny.neutral), name: who?.name, idNumber: who?.idNumber, seed: 'e2e-courier' });
    const order = await shippedOrder(t, card, POSES.penny, 'courier_verified');
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
});
