import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { type MockCard, generateMockCard, writeMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { expectAccessible, look } from './browser.js';
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
  await allow.waitFor({ timeout: 5_000 }).then(() => allow.click(), () => undefined);
}

/** Chooses `file` from the gallery, sends it, and waits for the next step. */
export async function uploadFile(page: Page, flow: string, kind: string, file: string, nextUrl: string): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(file);
  await expect.poll(() => page.getByTestId('upload').isEnabled(), { timeout: 15_000 }).toBe(true);
  await look(page, path.join(SHOTS, `${flow}-${kind}-preview.png`));
  await page.getByTestId('upload').click();
  await page.waitForURL(nextUrl, { timeout: 60_000 });
}
