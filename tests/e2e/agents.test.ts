import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentMark } from '@shared';
import { look } from '../support/browser.js';
import { enrolInBrowser } from '../support/staff.js';
import { legalRepIdNumber } from '../support/agents.js';
import { type BrowserSuite, startBrowserSuite } from '../support/browserSuite.js';
import type { TestServer } from '../support/testServer.js';

const SHOTS = path.resolve('tests/.output/e2e');
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 };
const SHOP = 'https://shop.example.cn';

let t: TestServer;
let browser: Browser;
let suite: BrowserSuite | undefined;

beforeAll(async () => {
  suite = await startBrowserSuite(SHOTS);
  ({ t, browser } = suite);
});

afterAll(async () => {
  await suite?.stop();
});

describe('authorised agents in a real browser', () => {
  it('a channel manager records an agent\'s admission in the console, a second one approves it, a buyer checks its mark, and a suspended agent no longer passes', async () => {
    const page = await browser.newPage(PHONE);
    const shot = (name: string) => look(page, path.join(SHOTS, `agents-${name}.png`));

    // The console: the channel manager's first sign-in, a new agent, its secrets shown once.
    const { oneTimePassword } = await t.server.staff.add({ username: 'qian.channels', name: '钱渠道', roles: ['channel_manager'] }, 'cli');
    await page.goto(`${t.server.url}/console/channels`);
    await enrolInBrowser(page, 'qian.channels', oneTimePassword, t);
    await page.getByTestId('new-agent-number').fill('AG-E2E-0001');
    await page.getByTestId('new-name').fill('示例网店');
    await page.getByTestId('new-licence').fill('91350100M000100Y44');
    await page.getByTestId('new-origins').fill(SHOP);
    // The admission: the documents, the legal representative, the agreement, the commitments, the background check.
    await page.getByTestId('new-licence-document').fill('LIC-SCAN-2026-0099');
    await page.getByTestId('new-legal-rep').fill('郑代表');
    await page.getByTestId('new-legal-rep-id').fill(legalRepIdNumber(99));
    await page.getByTestId('new-agreement').fill('AGR-2026-0099');
    await page.getByTestId('new-signed-on').fill('2026-11-01');
    await page.getByTestId('new-valid-until').fill('2027-10-31');
    await page.getByTestId('new-background-check').fill('BGC-2026-0099');
    await page.getByTestId('new-checked-on').fill('2026-10-28');
    for (const box of ['new-commit-real-name', 'new-commit-data', 'new-commit-sub-agents']) await page.getByTestId(box).check();
    await page.getByTestId('create-agent').click();
    await expect.poll(() => page.getByTestId('error').textContent()).toContain('licenceNumber');
    await page.getByTestId('new-licence').fill('91350100M000100Y43');
    await page.getByTestId('create-agent').click();
    await page.getByTestId('secrets').waitFor();
    const card = page.locator('[data-agent="AG-E2E-0001"]');
    expect(await card.getAttribute('data-status')).toBe('pending');
    expect(await card.getByTestId('recorded-by').textContent()).toBe('staff:qian.channels');
    expect(await page.content()).not.toContain(legalRepIdNumber(99));
    await shot('01-console-pending');
    // Pending: its mark is not shown. Whoever recorded it cannot approve it.
    expect((await t.api.json('/api/agents/AG-E2E-0001/mark', { headers: { origin: SHOP } })).status).toBe(404);
    await card.getByTestId('approve').click();
    await expect.poll(() => page.getByTestId('error').textContent()).toContain('另一位人员');

    // The second person, in a browser of their own.
    const second = await t.server.staff.add({ username: 'sun.channels', name: '孙渠道', roles: ['channel_manager'] }, 'cli');
    const other = await browser.newPage(PHONE);
    await other.goto(`${t.server.url}/console/channels`);
    await enrolInBrowser(other, 'sun.channels', second.oneTimePassword, t);
    await other.locator('[data-agent="AG-E2E-0001"]').getByTestId('approve').click();
    await expect.poll(() => other.locator('[data-agent="AG-E2E-0001"]').getAttribute('data-status')).toBe('active');
    expect(await other.locator('[data-agent="AG-E2E-0001"]').getByTestId('approved-by').textContent()).toBe('staff:sun.channels');
    await look(other, path.join(SHOTS, 'agents-01-console-approved.png'));
    await other.close();
    await page.reload();
    await expect.poll(() => card.getAttribute('data-status')).toBe('active');

    // The mark the shop shows; its QR code opens the check on the operator's site.
    const mark = await t.api.json<AgentMark>('/api/agents/AG-E2E-0001/mark', { headers: { origin: SHOP } });
    expect(mark.status).toBe(200);
    const check = await browser.newPage(PHONE);
    await check.goto(`${t.server.url}/agents/verify#${mark.body.payload}`);
    await expect.poll(() => check.getByTestId('verify').getAttribute('data-genuine')).toBe('true');
    expect(await check.getByTestId('verify').getAttribute('data-authorised')).toBe('true');
    expect(await check.getByTestId('mark-origin').textContent()).toBe(SHOP);
    await look(check, path.join(SHOTS, 'agents-02-verified.png'));

    // The same mark clicked on another site (copied there): not verified.
    const copied = await browser.newPage(PHONE);
    await copied.goto(`${t.server.url}/agents/verify#${mark.body.payload}`, { referer: 'https://copycat.example.cn/buy' });
    await expect.poll(() => copied.getByTestId('verify').getAttribute('data-genuine')).toBe('false');
    expect(await copied.getByTestId('copied').isVisible()).toBe(true);
    await look(copied, path.join(SHOTS, 'agents-02-copied.png'));
    await copied.close();

    // An altered mark is not genuine.
    const [body = '', signature = ''] = mark.body.payload.split('.');
    const altered = Buffer.from(Buffer.from(body, 'base64url').toString().replace('AG-E2E-0001', 'SBX-AGENT-0001')).toString('base64url');
    await check.goto(`${t.server.url}/agents/verify#${altered}.${signature}`);
    await check.reload();
    await expect.poll(() => check.getByTestId('verify').getAttribute('data-genuine')).toBe('false');
    await look(check, path.join(SHOTS, 'agents-03-forged.png'));

    // Suspended in the console, with its reason and evidence: its mark still says whose it is, and that it is not authorised now.
    await card.getByTestId('suspend').click();
    await expect.poll(() => page.getByTestId('error').textContent()).toBeTruthy();
    await card.getByTestId('status-reason').fill('卖卡不核验买家身份');
    await card.getByTestId('status-evidence').fill('CASE-2026-0107 SCREENSHOT-0107');
    await card.getByTestId('suspend').click();
    await expect.poll(() => page.locator('[data-agent="AG-E2E-0001"]').getAttribute('data-status')).toBe('suspended');
    await check.goto(`${t.server.url}/agents/verify#${mark.body.payload}`);
    await check.reload();
    await expect.poll(() => check.getByTestId('verify').getAttribute('data-authorised')).toBe('false');
    await look(check, path.join(SHOTS, 'agents-04-suspended.png'));

    // The patrol of the demo agent's shop page (the sandbox's demo storefront): its genuine mark is found, and the console shows it.
    const demo = page.locator('[data-agent="SBX-AGENT-0001"]');
    await demo.getByTestId('patrol-now').click();
    await expect.poll(() => demo.locator('[data-testid="patrol"] li').first().getAttribute('data-outcome'), { timeout: 20_000 }).toBe('mark_shown');
    await demo.scrollIntoViewIfNeeded();
    await look(page, path.join(SHOTS, 'agents-04-patrol.png'));

    // The public list has the demo agent, not the suspended one.
    await check.goto(`${t.server.url}/agents`);
    await expect.poll(() => check.getByTestId('agent-number').allTextContents()).toEqual(['SBX-AGENT-0001']);
    await look(check, path.join(SHOTS, 'agents-05-list.png'));
  });
});
