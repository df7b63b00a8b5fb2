import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { type MockCard, generateMockCard, writeMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { actionPrompted, expectAccessible, liveCheckOutcome, look } from './browser.js';
import { facePhoto } from './fixtures.js';

/** The buyer's steps as the browser tests walk them. */

/** Screenshots of every step, kept for people to look at (ignored by git). */
export const SHOTS = path.resolve('tests/.output/e2e');

/** A specimen card of sandbox identity `index` with `face`, its photos written to `outDir`. */
export async function specimen(index: number, face: string, outDir: string): Promise<MockCard> {
  const who = SANDBOX_IDENTITIES[index];
  const card = await generateMockCard({ face: await facePhoto(face), name: who?.name, idNumber: who?.idNumber, seed: `e2e-${index}` });
  await writeMockCard(card, outDir);
  return card;
}

/** Walks the steps up to the first capture; leaves the page on the portrait-side step. */
export async function startPurchase(page: Page, baseUrl: string, flow: string, deliveryPath: 'courier_verified' | 'unactivated'): Promise<void> {
  // Each step is looked at (a screenshot) and checked against WCAG 2.2 AA (axe-core).
  const shot = (name: string) => look(page, path.join(SHOTS, `${flow}-${name}.png`));
  await page.goto(baseUrl);
  await expect.poll(() => page.locator('h1').textContent()).toBe('在线购卡，先完成实名认证');
  await shot('01-home');
  await page.getByTestId('start').click();
  await page.locator('input[name="msisdn"]').first().check();
  await shot('02-number');
  await page.getByTestId('hold').click();
  await page.waitForURL('**/buy/delivery');
  if (deliveryPath === 'unactivated') await page.getByTestId('unactivated').check();
  await shot('03-delivery');
  await page.getByTestId('confirm-delivery').click();
  await page.waitForURL('**/buy/consent');
  await page.getByTestId('consent-identity').check();
  await page.getByTestId('consent-biometric').check();
  await shot('04-consent');
  await page.getByTestId('agree').click();
  await page.waitForURL('**/buy/capture/portrait');
  await expectAccessible(page, `${flow} portrait side`);
}

/** The primer explains the camera before the browser asks; it is skipped where access was given before. */
export async function allowCameraAfterPrimer(page: Page): Promise<void> {
  const allow = page.getByRole('button', { name: '开启相机' });
  // The primer, or what shows without one: the viewfinder (access given before) or a camera problem.
  await allow.or(page.locator('video')).or(page.getByRole('alert')).first().waitFor({ timeout: 30_000 });
  if (await allow.isVisible()) await allow.click();
}

/** Chooses `file` from the gallery, sends it, and waits for the next step. */
export async function uploadFile(page: Page, flow: string, kind: string, file: string, nextUrl: string): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(file);
  await expect.poll(() => page.getByTestId('upload').isEnabled(), { timeout: 15_000 }).toBe(true);
  await look(page, path.join(SHOTS, `${flow}-${kind}-preview.png`));
  await page.getByTestId('upload').click();
  await page.waitForURL(nextUrl, { timeout: 60_000 });
}

/**
 * Moves the focus with Tab until `target` has it, as a keyboard user would (no click, no focus()
 * call); fails if `max` presses never reach it.
 */
export async function tabTo(page: Page, target: Locator, max = 80): Promise<void> {
  const passed: string[] = [];
  for (let i = 0; i < max; i += 1) {
    if (await target.evaluate((el: { ownerDocument: { activeElement: unknown } }) => el === el.ownerDocument.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
    passed.push(await page.evaluate<string>('(document.activeElement?.tagName ?? "") + ":" + (document.activeElement?.textContent ?? "").trim().slice(0, 12)'));
  }
  throw new Error(`${target.toString()} is not reached with the Tab key (focus went: ${passed.slice(0, 20).join(', ')})`);
}

/** Tabs to `target` and presses `key` on it (Enter for links and buttons, Space for boxes and radios). */
export async function press(page: Page, target: Locator, key: 'Enter' | 'Space' = 'Enter'): Promise<void> {
  await tabTo(page, target);
  await page.keyboard.press(key);
}

/** A photo step by keyboard only: the gallery button, the file chosen, the photo sent. */
export async function uploadByKeyboard(page: Page, file: string, nextUrl: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await press(page, page.getByTestId('use-file'));
  await (await chooser).setFiles(file);
  await expect.poll(() => page.getByTestId('upload').isEnabled(), { timeout: 15_000 }).toBe(true);
  await press(page, page.getByTestId('upload'));
  await page.waitForURL(nextUrl, { timeout: 60_000 });
}

/**
 * A purchase in a browser context's tab, for pages that only need one to be there (the steps'
 * guard): the page works before the order is fetched, and nothing is sent with it.
 */
export const FAKE_PURCHASE = `sessionStorage.setItem('purchase', '${JSON.stringify({ orderId: '00000000-0000-4000-8000-000000000000', orderToken: 'not-a-real-token' })}');`;

/** A web view that gives pages no camera API at all (navigator.mediaDevices undefined). */
export const NO_CAMERA_API = "Object.defineProperty(Navigator.prototype, 'mediaDevices', { get: () => undefined, configurable: true });";

/** Opens the camera on the page's photo step: past the primer where it shows, until the camera's picture plays. */
export async function openCamera(page: Page): Promise<void> {
  await page.getByTestId('use-camera').click();
  await expect.poll(async () => {
    const allow = page.getByRole('button', { name: '开启相机' });
    if (await allow.isVisible()) await allow.click();
    return page.locator('video').evaluate((v) => (v as unknown as { videoWidth: number }).videoWidth);
  }, { timeout: 20_000 }).toBeGreaterThan(0);
}

/** The live check with the camera; returns its outcome once the server has answered (tried again once after `retake`). */
export async function liveCheck(page: Page, flow: string, retake?: () => Promise<void>): Promise<string | null> {
  await page.waitForURL('**/buy/liveness');
  await look(page, path.join(SHOTS, `${flow}-07-liveness-intro.png`));
  await page.getByTestId('start-liveness').click();
  await page.getByTestId('liveness-prompt').waitFor({ timeout: 60_000 });
  await actionPrompted(page, /turn_left|open_mouth/);
  await look(page, path.join(SHOTS, `${flow}-07-liveness-action.png`));
  const { outcome, said } = await liveCheckOutcome(page, retake ? { retake } : {});
  await look(page, path.join(SHOTS, `${flow}-07-liveness-result.png`));
  return outcome === 'passed' ? outcome : `${outcome}: ${said}`;
}
