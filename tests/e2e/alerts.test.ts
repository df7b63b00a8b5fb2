import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cspViolations, look } from '../support/browser.js';
import { type BrowserSuite, startBrowserSuite } from '../support/browserSuite.js';
import { monitoringData, times } from '../support/monitoringData.js';
import { enrolInBrowser } from '../support/staff.js';
import type { TestServer } from '../support/testServer.js';

const SHOTS = path.resolve('tests/.output/console');

let t: TestServer;
let browser: Browser;
let suite: BrowserSuite | undefined;

beforeAll(async () => {
  suite = await startBrowserSuite(SHOTS, { MONITOR_LIVE_FAILURES: '3/10m', MONITOR_COURIER_REFUSALS: '1/1d', MONITOR_CLIENT_IDENTITIES: '2/1d' });
  ({ t, browser } = suite);
});

afterAll(async () => {
  await suite?.stop();
});

describe('the alerts page and the dashboard in a real browser', () => {
  it('shows support what the monitoring raised, with its figures, and closes one with a note; the dashboard draws the days\' figures and exports them', async () => {
    const data = monitoringData(t);
    await times(4, () => data.failedLiveCheck());
    const [courier] = await data.couriers();
    await times(2, () => data.handover(courier ?? '', 'refused'));
    for (const holder of ['a', 'b', 'c']) await data.order({ client: 'client-digest-0001', holder });
    await t.server.monitoring.sweep();

    const { oneTimePassword } = await t.server.staff.add({ username: 'zhao.support', name: '赵客服', roles: ['support'] }, 'cli');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const refused = cspViolations(page);
    await page.goto(`${t.server.url}/console/alerts`);
    await enrolInBrowser(page, 'zhao.support', oneTimePassword, t);
    await expect.poll(() => page.getByTestId('alert').count()).toBe(3);
    expect(await page.locator('[data-testid="alert"]').evaluateAll((items) => items.map((a) => (a as unknown as { dataset: { rule: string } }).dataset.rule).sort()))
      .toEqual(['client_identities', 'courier_refusals', 'live_check_failures']);
    const live = page.locator('[data-rule="live_check_failures"]');
    expect(await live.textContent()).toContain('活体检测集中失败');
    expect(await live.textContent()).toContain('失败次数4');
    await look(page, path.join(SHOTS, 'alerts-01-open.png'));

    await live.getByTestId('alert-note').fill('已核查：同一时段的批量攻击，已报送');
    await live.getByTestId('close-alert').click();
    await expect.poll(() => page.getByTestId('alert').count()).toBe(2);
    await page.getByTestId('show-all').check();
    await expect.poll(() => page.locator('[data-status="closed"]').count()).toBe(1);
    await look(page, path.join(SHOTS, 'alerts-02-closed.png'));

    // The dashboard: this week's orders, approvals and refusals (one for the five-card cap), by day.
    for (const [ago, outcome, reasons] of [[1, 'approved', []], [1, 'rejected', ['card_cap_reached']], [2, 'rejected', ['face_mismatch']], [2, 'approved', []], [3, 'review', []]] as const) {
      await data.order({ outcome, reasons: [...reasons], ago: ago * 86_400_000 });
    }
    // A fraud number reported today.
    expect((await t.api.post('/api/reports', { kind: 'fraud_number', number: '13900088001', description: '自称银行客服，要求转账到安全账户' })).status).toBe(201);
    await page.goto(`${t.server.url}/console/dashboard`);
    await page.getByTestId('dashboard-table').waitFor({ state: 'attached' });
    const total = async (series: string): Promise<number> => (await page.locator(`[data-testid="dashboard-table"] td[data-series="${series}"]`).allTextContents()).reduce((a, b) => a + Number(b), 0);
    // Two approvals, and the two orders the courier's refused hand-overs were for.
    expect(await total('approved')).toBe(4);
    expect(await total('refused')).toBe(2);
    expect(await total('fiveCards')).toBe(1);
    expect(await total('alerts')).toBe(3);
    expect(await total('cases')).toBe(1);
    expect(await page.locator('[data-testid="refusal-reasons"] li').count()).toBe(2);
    expect(await page.getByTestId('review-backlog').textContent()).toContain('1');
    // The chart has drawn its lines (coloured pixels on the canvas).
    const inked = await page.getByTestId('dashboard-chart').evaluate((c) => {
      const canvas = c as unknown as { width: number; height: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < pixels.length; i += 4) if ((pixels[i + 3] ?? 0) > 0 && Math.abs((pixels[i] ?? 0) - (pixels[i + 2] ?? 0)) > 60) n += 1;
      return n;
    });
    expect(inked).toBeGreaterThan(200);
    await look(page, path.join(SHOTS, 'dashboard-01.png'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('dashboard-csv').click()]);
    const csv = await readFile(await download.path(), 'utf8');
    expect(csv.split('\n')[0]).toBe('day,channel,submitted,approved,refused,review,five_card_refusals,alerts,cases');
    expect(refused).toEqual([]);
  });
});
