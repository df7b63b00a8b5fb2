import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { luhnCheckDigit, todayInChina } from '@shared';
import { CampaignsDb } from '../../bff/src/reregistration/campaigns.db.js';
import { importSubscribers } from '../../bff/src/reregistration/subscriberImport.js';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { cspViolations, look } from '../support/browser.js';
import { enrolInBrowser } from '../support/staff.js';
import { type BrowserSuite, startBrowserSuite } from '../support/browserSuite.js';
import type { TestServer } from '../support/testServer.js';

const SHOTS = path.resolve('tests/.output/console');
const DESK = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 };
const DAY = 86_400_000;

let t: TestServer;
let browser: Browser;
let suite: BrowserSuite | undefined;

beforeAll(async () => {
  suite = await startBrowserSuite(SHOTS, { PROVISIONING_MOCK_FAILURE_RATE: '0', PROVISIONING_MOCK_LATENCY_MS: '1', BILLING_MOCK_LATENCY_MS: '1', SMS_MOCK_LATENCY_MS: '1' });
  ({ t, browser } = suite);
});

afterAll(async () => {
  await suite?.stop();
});

/** Forty subscribers: half registered, the rest not (or not properly). */
async function importBase(): Promise<string[]> {
  const statuses = ['registered', 'unregistered', 'incomplete', 'suspected_false', 'registered'];
  const records = Array.from({ length: 40 }, (_, i) => {
    const body = `898600${String(500 + i).padStart(12, '0')}`;
    const registration = statuses[i % statuses.length] ?? 'registered';
    return {
      msisdn: `1390000${String(i).padStart(4, '0')}`, iccid: `${body}${luhnCheckDigit(body)}`, registration, channel: 'store-0571',
      idNumber: registration === 'registered' ? SANDBOX_IDENTITIES[i % SANDBOX_IDENTITIES.length]?.idNumber : undefined,
    };
  });
  await importSubscribers(records, {
    db: new CampaignsDb(t.server.db.database), envelope: t.server.envelope, now: t.now(), today: todayInChina(),
    onBatch: (rows) => t.server.sandboxProvisioning?.adopt(rows),
  });
  return records.filter((r) => r.registration !== 'registered').map((r) => r.msisdn);
}

describe('re-registration campaigns in the console', () => {
  it('shows a campaign under way with the real-name rate as a chart, starts another from the form, and gives the regulator\'s figures as a file', async () => {
    const unregistered = await importBase();
    await t.server.campaigns.create({
      name: '存量用户补登记 2027Q1', kind: 'reregistration', statuses: ['unregistered', 'incomplete', 'suspected_false'],
      startsAt: t.now() + 60_000, deadlineAt: t.now() + 20 * DAY, remindBeforeDays: [5, 1], graceDays: 2, finalReminderAfterDays: 5, stopAfterDays: 10,
    }, 'li.admin');
    // Three weeks of a campaign: every few days some register, the sweeps send what is due and record the day.
    for (let day = 0; day < 24; day += 3) {
      t.advance(3 * DAY);
      for (const msisdn of unregistered.splice(0, 2)) await t.server.campaigns.registered(msisdn, null);
      await t.server.campaigns.sweep();
      await t.server.campaigns.sweep();
    }

    const { oneTimePassword } = await t.server.staff.add({ username: 'li.admin', name: '李管理', roles: ['administrator'] }, 'cli');
    const page = await (await browser.newContext({ ...DESK, acceptDownloads: true })).newPage();
    const refused = cspViolations(page);
    await page.goto(`${t.server.url}/console`);
    await enrolInBrowser(page, 'li.admin', oneTimePassword, t);
    await page.getByTestId('nav-campaigns').click();
    const row = page.locator('[data-campaign="存量用户补登记 2027Q1"]');
    await row.waitFor();
    expect(await row.locator('[data-stage="registered"]').textContent()).toBe('16');
    expect(Number(await row.locator('[data-stage="suspended"]').textContent()) + Number(await row.locator('[data-stage="final_reminded"]').textContent())).toBe(8);
    expect(await page.getByTestId('base-rate').textContent()).toContain('80');
    // The chart is drawn: its canvas has coloured pixels of the lines.
    await expect.poll(() => page.getByTestId('rate-chart').evaluate((canvas) => {
      const c = canvas as unknown as { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
      const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
      let coloured = 0;
      for (let i = 0; i < data.length; i += 4) if ((data[i + 3] ?? 0) > 0 && Math.abs((data[i] ?? 0) - (data[i + 2] ?? 0)) > 60) coloured += 1;
      return coloured;
    }), { timeout: 15_000 }).toBeGreaterThan(200);
    await look(page, path.join(SHOTS, 'campaigns-01-overview.png'));

    // The regulator's figures for this half month, as a file.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-download').click()]);
    const csv = await readFile(await download.path(), 'utf8');
    expect(download.suggestedFilename()).toMatch(/^real-name-\d{4}-\d{2}-[12]\.csv$/u);
    expect(csv).toContain('base,40,32,80');
    expect(csv).toContain('存量用户补登记 2027Q1,reregistration');

    // A periodic re-check started from the form.
    await page.getByTestId('campaign-name').fill('2027 年度复核');
    await page.getByTestId('campaign-kind').selectOption('recheck');
    await page.getByLabel('已登记', { exact: true }).check();
    await page.getByLabel('未登记', { exact: true }).uncheck();
    await page.getByLabel('登记不全', { exact: true }).uncheck();
    await page.getByLabel('疑似不实', { exact: true }).uncheck();
    await page.getByTestId('campaign-start').fill('2031-01-05');
    await page.getByTestId('campaign-deadline').fill('2031-03-31');
    await page.getByTestId('campaign-create').click();
    await expect.poll(() => page.getByTestId('campaign-created').textContent()).toContain('32');
    await page.locator('[data-campaign="2027 年度复核"]').waitFor();
    // The notices' wording, as sent (Chinese) and in English, with the form's deadline.
    await page.getByTestId('notice-wording').locator('summary').click();
    const wording = await page.getByTestId('notice-wording').textContent() ?? '';
    expect(wording).toContain('2031-03-31');
    expect(wording).toContain('紧急呼叫不受影响');
    expect(wording).toContain('emergency calls still work');
    await look(page, path.join(SHOTS, 'campaigns-02-created.png'));
    expect(refused).toEqual([]);
  });
});
