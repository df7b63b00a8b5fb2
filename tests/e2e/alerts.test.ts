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

describe('the alerts page in a real browser', () => {
  it('shows support what the monitoring raised, with its figures, and closes one with a note', async () => {
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
    expect(refused).toEqual([]);
  });
});
