import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../bff/src/server.js';
import { launchChromium, look, stillToY4m } from '../support/browser.js';
import { FAKE_PURCHASE, NO_CAMERA_API, SHOTS, openCamera, specimen, startPurchase, uploadFile } from '../support/buyerSteps.js';
import { facePhoto } from '../support/fixtures.js';
import { type SpaServer, startSpaServer } from '../support/spaServer.js';
import { IN_APP_AGENTS } from '../web/userAgents.js';

// The buyer in an app's own browser (WeChat, QQ, Alipay, …): user agents as the apps send them,
// the camera given to the page or not. No live check is done here: these run beside the other tests.
let spa: SpaServer;
let dir: string;
let server: RunningServer;
let browser: Browser | undefined;

beforeAll(async () => {
  spa = await startSpaServer('sim-inapp-');
  ({ dir, server } = spa);
});

afterAll(async () => {
  await spa?.stop();
});

afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

describe('in-app browsers', () => {
  it('inside WeChat without a camera: photos through the camera app, and the live check carried to the system browser with the same order', async () => {
    const cards = path.join(dir, 'wechat-cards');
    await specimen(4, 'photos/obama.jpg', cards);
    browser = await launchChromium();
    const wechat = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, userAgent: IN_APP_AGENTS['WeChat on an iPhone']!.agent });
    // WeChat's web view on this phone gives pages no camera API at all.
    await wechat.addInitScript({ content: NO_CAMERA_API });
    const page = await wechat.newPage();
    await startPurchase(page, server.url, 'wechat', 'courier_verified');

    expect(await page.getByTestId('inapp-notice').textContent()).toContain('微信');
    expect(await page.getByTestId('use-camera').count()).toBe(0);
    expect(await page.getByTestId('take-with-app').isVisible()).toBe(true);
    expect(await page.getByTestId('camera-input').getAttribute('capture')).toBe('environment');
    await look(page, path.join(SHOTS, 'wechat-05-portrait.png'));
    // The photo comes from the camera app, through the file input that asks for it.
    await page.getByTestId('camera-input').setInputFiles(path.join(cards, 'portrait-side.jpg'));
    await expect.poll(() => page.getByTestId('upload').isEnabled(), { timeout: 15_000 }).toBe(true);
    await page.getByTestId('upload').click();
    await page.waitForURL('**/buy/capture/emblem', { timeout: 60_000 });
    await uploadFile(page, 'wechat', '06-emblem', path.join(cards, 'emblem-side.jpg'), '**/buy/capture/handheld');
    expect(await page.getByTestId('camera-input').getAttribute('capture')).toBe('user');
    await uploadFile(page, 'wechat', '06-handheld', path.join(cards, 'handheld.jpg'), '**/buy/liveness');

    // The live check: no start button that cannot work, but the way to the system browser, with pictures.
    const guide = page.getByTestId('inapp-guide');
    await guide.waitFor({ timeout: 10_000 });
    expect(await guide.getAttribute('data-app')).toBe('wechat');
    expect(await guide.textContent()).toContain('在 Safari 中打开');
    expect(await page.getByTestId('start-liveness').count()).toBe(0);
    // WeChat's "open in Safari" opens the address the page is at: it has become the hand-off's.
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 15_000 }).toBe('/h');
    const address = new URL(page.url());
    expect(await page.getByTestId('inapp-link').inputValue()).toBe(`${server.publicUrl}/h${address.hash}`);
    await look(page, path.join(SHOTS, 'wechat-07-liveness-guide.png'));

    // The system browser opens that address and goes straight on to the live check with the same order.
    const safari = await (await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 })).newPage();
    await safari.goto(`${server.url}/h${address.hash}`);
    await safari.waitForURL('**/buy/liveness', { timeout: 30_000 });
    expect(await safari.getByTestId('inapp-guide').count()).toBe(0);
    expect(await safari.getByTestId('start-liveness').isVisible()).toBe(true);
    await look(safari, path.join(SHOTS, 'wechat-08-system-browser.png'));
  });

  it('recognises each app\'s browser, and uses the camera where the app gives the page one', async () => {
    const still = path.join(dir, 'still-camera.jpg');
    await writeFile(still, await facePhoto('photos/biden2.jpg'));
    await stillToY4m(still, path.join(dir, 'still-camera.y4m'));
    browser = await launchChromium(path.join(dir, 'still-camera.y4m'));
    const seen: Record<string, unknown> = {};
    for (const [name, { agent }] of Object.entries(IN_APP_AGENTS)) {
      for (const camera of [true, false]) {
        const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, userAgent: agent });
        // A purchase in this tab (the steps' guard needs one); the page works before the order is fetched.
        await context.addInitScript({ content: FAKE_PURCHASE });
        if (!camera) await context.addInitScript({ content: NO_CAMERA_API });
        const page = await context.newPage();
        await page.goto(`${server.url}/buy/capture/portrait`);
        await page.getByTestId('inapp-notice').waitFor({ timeout: 15_000 });
        await page.goto(`${server.url}/buy/liveness`);
        await page.getByTestId(camera ? 'start-liveness' : 'inapp-guide').waitFor({ timeout: 15_000 });
        seen[`${name}${camera ? '' : ', no camera'}`] = {
          guide: camera ? null : await page.getByTestId('inapp-guide').getAttribute('data-app'),
          start: await page.getByTestId('start-liveness').count(),
        };
        if (camera) {
          // The camera the app gives is used as in any browser (the hand-held step: nothing is taken by itself there).
          await page.goto(`${server.url}/buy/capture/handheld`);
          await openCamera(page);
        }
        await context.close();
      }
    }
    expect(seen).toEqual(Object.fromEntries(Object.entries(IN_APP_AGENTS).flatMap(([name, { app }]) => [
      [name, { guide: null, start: 1 }],
      [`${name}, no camera`, { guide: app, start: 0 }],
    ])));
  });
});
