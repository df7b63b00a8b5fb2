import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../bff/src/server.js';
import { launchChromium, look, stillToY4m } from '../support/browser.js';
import { FAKE_PURCHASE, SHOTS, openCamera, specimen, startPurchase } from '../support/buyerSteps.js';
import { type SpaServer, startSpaServer } from '../support/spaServer.js';

// Card sides taken by themselves from a fake camera: a card held steady is taken, a blurred or moving
// one is not. No live check here: these run beside the other tests.
let spa: SpaServer;
let dir: string;
let cards: string;
let server: RunningServer;
let browser: Browser | undefined;

beforeAll(async () => {
  spa = await startSpaServer('sim-auto-');
  ({ dir, server } = spa);
  cards = path.join(dir, 'cards');
  await specimen(6, 'photos/obama.jpg', cards);
});

afterAll(async () => {
  await spa?.stop();
});

afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

describe('auto-capture of a card side', () => {
  it('takes the portrait side held steady by itself, and the server reads it as any other photo', async () => {
    const video = path.join(dir, 'steady.y4m');
    await stillToY4m(path.join(cards, 'portrait-side.jpg'), video);
    browser = await launchChromium(video);
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    await startPurchase(page, server.url, 'auto', 'courier_verified');
    await openCamera(page);
    await look(page, path.join(SHOTS, 'auto-05-viewfinder.png'));
    // No shutter pressed: the preview comes by itself.
    await expect.poll(() => page.locator('.capture-preview img').count(), { timeout: 30_000 }).toBe(1);
    await look(page, path.join(SHOTS, 'auto-05-taken.png'));
    await expect.poll(() => page.getByTestId('upload').isEnabled(), { timeout: 15_000 }).toBe(true);
    await page.getByTestId('upload').click();
    await page.waitForURL('**/buy/capture/emblem', { timeout: 60_000 });
  });

  it.each([
    ['blurred', 'boxblur=10:2', 'blurred'],
    ['moving', "crop=iw-120:ih-80:x='60+60*sin(2*PI*t*1.5)':y='40+40*cos(2*PI*t*1.5)'", 'moving'],
  ])('does not fire while the card is %s, and says why', async (name, filter, state) => {
    const video = path.join(dir, `${name}.y4m`);
    await stillToY4m(path.join(cards, 'portrait-side.jpg'), video, { filter, seconds: 2 });
    browser = await launchChromium(video);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    // A purchase in this tab (the step's guard needs one); nothing is sent here.
    await context.addInitScript({ content: FAKE_PURCHASE });
    const page = await context.newPage();
    await page.goto(`${server.url}/buy/capture/portrait`);
    await openCamera(page);
    const status = page.getByTestId('auto-status');
    // Twenty looks at the viewfinder (three seconds on a quiet machine), each one refusing.
    await expect.poll(async () => Number(await status.getAttribute('data-looks')), { timeout: 60_000 }).toBeGreaterThanOrEqual(20);
    expect(await status.getAttribute('data-state')).toBe(state);
    expect(await page.locator('.capture-preview').count()).toBe(0);
    expect(await page.getByTestId('shutter').isVisible()).toBe(true);
    await look(page, path.join(SHOTS, `auto-05-${name}.png`));
  });
});
