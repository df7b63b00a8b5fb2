import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentMark } from '@shared';
import { look } from '../support/browser.js';
import { enrolInBrowser } from '../support/staff.js';
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
  it('the operator registers an agent in the console, a buyer checks its mark, and a suspended agent no longer passes', async () => {
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
    await page.getByTestId('create-agent').click();
    await expect.poll(() => page.getByTestId('error').textContent()).toContain('licenceNumber');
    await page.getByTestId('new-licence').fill('91350100M000100Y43');
    await page.getByTestId('create-agent').click();
    await page.getByTestId('secrets').waitFor();
    await shot('01-console');
    expect(await page.locator('[data-agent="AG-E2E-0001"]').getAttribute('data-status')).toBe('active');

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

    // Suspended in the console: its mark still says whose it is, and that it is not authorised now.
    await page.locator('[data-agent="AG-E2E-0001"]').getByTestId('suspend').click();
    await expect.poll(() => page.locator('[data-agent="AG-E2E-0001"]').getAttribute('data-status')).toBe('suspended');
    await check.goto(`${t.server.url}/agents/verify#${mark.body.payload}`);
    await check.reload();
    await expect.poll(() => check.getByTestId('verify').getAttribute('data-authorised')).toBe('false');
    await look(check, path.join(SHOTS, 'agents-04-suspended.png'));

    // The public list has the demo agent, not the suspended one.
    await check.goto(`${t.server.url}/agents`);
    await expect.poll(() => check.getByTestId('agent-number').allTextContents()).toEqual(['SBX-AGENT-0001']);
    await look(check, path.join(SHOTS, 'agents-05-list.png'));
  });
});
