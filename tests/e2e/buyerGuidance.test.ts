import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MockCardOptions, generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import type { RunningServer } from '../../bff/src/server.js';
import { launchChromium, look, stillToY4m } from '../support/browser.js';
import { facePhoto } from '../support/fixtures.js';
import { type SpaServer, startSpaServer } from '../support/spaServer.js';
import { SHOTS, allowCameraAfterPrimer, liveCheck, specimen, startPurchase, uploadFile } from '../support/buyerSteps.js';

/**
 * The buyer whom the flow cannot take through as it is, in a real browser: no camera, a blurred or
 * forged card photo, a still picture before the camera for the live check. What they are told.
 * No face is tracked on these pages, so the file runs beside the others.
 */
let spa: SpaServer;
let dir: string;
let server: RunningServer;

beforeAll(async () => {
  spa = await startSpaServer('sim-e2e-guidance-');
  ({ dir, server } = spa);
});

afterAll(async () => {
  await spa?.stop();
});

describe('the buyer the flow turns back, in a real browser', () => {
  let browser: Browser | undefined;
  afterEach(async () => {
    await browser?.close();
    browser = undefined;
  });

  it('helps a buyer without a camera: the photos from files, a blurred one caught on the device, and the live check explained', async () => {
    const cards = path.join(dir, 'upload-cards');
    const card = await specimen(1, 'photos/obama.jpg', cards);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    await startPurchase(page, server.url, 'upload', 'courier_verified');

    // No camera on this browser: after the primer, a recovery screen offers the file picker.
    await page.getByTestId('use-camera').click();
    await allowCameraAfterPrimer(page);
    await expect.poll(() => page.getByRole('alert').getByRole('button', { name: '从相册选择' }).isVisible(), { timeout: 10_000 }).toBe(true);
    await look(page, path.join(SHOTS, 'upload-05-no-camera.png'));

    // A blurred photo is caught on the device, with guidance, before anything is sent.
    const blurred = await generateMockCard({
      face: await facePhoto('photos/obama.jpg'), name: card.identity.portrait.name, idNumber: card.identity.portrait.idNumber,
      seed: 'e2e-1', effects: { blur: 6 }, effectsOn: ['portrait'],
    });
    await writeFile(path.join(dir, 'blurred-portrait.jpg'), blurred.images.portrait);
    await page.getByTestId('file-input').setInputFiles(path.join(dir, 'blurred-portrait.jpg'));
    await expect.poll(() => page.getByText('照片模糊，请拿稳手机、对好焦后重拍。').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.getByTestId('upload').isDisabled()).toBe(true);
    await look(page, path.join(SHOTS, 'upload-05-blurred.png'));

    // A portrait side the server reads and turns back, with what to do instead (as the buyer sees it).
    const turnedBack = async (name: string, options: Partial<MockCardOptions>, hint: string): Promise<void> => {
      const forged = await generateMockCard({
        face: await facePhoto('photos/obama.jpg'), name: card.identity.portrait.name, idNumber: card.identity.portrait.idNumber, seed: 'e2e-1', ...options,
      });
      await writeFile(path.join(dir, `${name}-portrait.jpg`), forged.images.portrait);
      await page.getByTestId('file-input').setInputFiles(path.join(dir, `${name}-portrait.jpg`));
      await expect.poll(() => page.getByTestId('upload').isEnabled(), { timeout: 15_000 }).toBe(true);
      await page.getByTestId('upload').click();
      await expect.poll(() => page.getByTestId('problems').textContent(), { timeout: 60_000 }).toContain(hint);
      await look(page, path.join(SHOTS, `upload-05-${name}.png`));
    };
    // A black-and-white copy of the card is refused as one.
    await turnedBack('photocopy', { effects: { photocopy: true }, effectsOn: ['portrait'] }, '这张照片看起来是证件的黑白复印件，请拍摄身份证原件。');
    // A photo glued over the card's portrait is pointed out, with what a genuine buyer can do (a sleeve).
    await turnedBack('pasted', { pasted: { face: await facePhoto('photos/obama.jpg'), background: 'blue', turn: 0.7 } }, '证件照片上似乎覆盖了带直边的东西');

    await uploadFile(page, 'upload', '05-portrait', path.join(cards, 'portrait-side.jpg'), '**/buy/capture/emblem');
    await uploadFile(page, 'upload', '06-emblem', path.join(cards, 'emblem-side.jpg'), '**/buy/capture/handheld');
    await uploadFile(page, 'upload', '06-handheld', path.join(cards, 'handheld.jpg'), '**/buy/liveness');

    // The live check has no file fallback: the buyer is told what to do instead.
    await page.getByTestId('start-liveness').click();
    await expect.poll(() => page.getByTestId('camera-problem').isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await page.getByTestId('camera-problem').textContent()).toContain('系统浏览器');
    await look(page, path.join(SHOTS, 'upload-07-liveness-no-camera.png'));
    // And the review page will not submit without it.
    await page.goto(`${server.url}/buy/review`);
    await expect.poll(() => page.getByText('提交前需要先完成视频认证。').isVisible(), { timeout: 10_000 }).toBe(true);
    await page.getByTestId('confirm-details').check();
    expect(await page.getByTestId('submit').isDisabled()).toBe(true);
  });

  it('takes the hand-held photo with the camera, then fails the live check on a still image, with guidance', async () => {
    const cards = path.join(dir, 'camera-cards');
    await specimen(2, 'photos/biden2.jpg', cards);
    const video = path.join(dir, 'handheld.y4m');
    await stillToY4m(path.join(cards, 'handheld.jpg'), video);
    browser = await launchChromium(video);
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    await startPurchase(page, server.url, 'camera', 'unactivated');
    await uploadFile(page, 'camera', '05-portrait', path.join(cards, 'portrait-side.jpg'), '**/buy/capture/emblem');
    await uploadFile(page, 'camera', '06-emblem', path.join(cards, 'emblem-side.jpg'), '**/buy/capture/handheld');

    await page.getByTestId('use-camera').click();
    await allowCameraAfterPrimer(page);
    await expect.poll(() => page.locator('video').evaluate((v) => (v as unknown as { videoWidth: number }).videoWidth), { timeout: 15_000 }).toBeGreaterThan(0);
    await look(page, path.join(SHOTS, 'camera-06-handheld-viewfinder.png'));
    await page.getByTestId('shutter').click();
    await expect.poll(() => page.getByTestId('upload').isEnabled(), { timeout: 15_000 }).toBe(true);
    await look(page, path.join(SHOTS, 'camera-06-handheld-preview.png'));
    await page.getByTestId('upload').click();

    // The same still picture in front of the camera: it never turns or opens its mouth.
    expect(await liveCheck(page, 'camera')).toMatch(/^failed/);
    expect(await page.locator('[data-reason]').first().getAttribute('data-reason')).toBe('liveness_action_missing');
    expect(await page.getByRole('alert').textContent()).toContain('举着照片或屏幕无法通过');
    expect(await page.getByTestId('retry-liveness').isVisible()).toBe(true);
  });
});
