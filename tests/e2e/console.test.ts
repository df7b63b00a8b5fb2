import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb, cspViolations, launchChromium } from '../support/browser.js';
import { enrolInBrowser, totpCode } from '../support/staff.js';
import { type TestServer, startTestServer } from '../support/testServer.js';

const SHOTS = path.resolve('tests/.output/console');
const DESK = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 };

let t: TestServer;
let browser: Browser;

beforeAll(async () => {
  t = await startTestServer();
  await buildWeb(path.join(t.dir, 'web'));
  await mkdir(SHOTS, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const shooter = (page: Page) => (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

describe('the operator\'s console in a real browser', () => {
  it('the first administrator enrols, adds an auditor, and the auditor sees what the administrator did; a disabled account is signed out', async () => {
    // The first administrator, made with `npm run staff -- add`.
    const first = await t.server.staff.add({ username: 'li.admin', name: '李管理', roles: ['administrator'] }, 'cli');
    const admin = await (await browser.newContext(DESK)).newPage();
    const refused = cspViolations(admin);
    const shot = shooter(admin);
    await admin.goto(`${t.server.url}/console`);
    await admin.getByTestId('console-sign-in').waitFor();
    await shot('01-sign-in');
    const adminLogin = await enrolInBrowser(admin, 'li.admin', first.oneTimePassword, t, () => shot('02-enrolment'));
    // An administrator sees the staff section only.
    expect(await admin.locator('.console-nav a').allTextContents()).toEqual(['员工账号']);

    await admin.getByTestId('nav-staff').click();
    await admin.getByTestId('new-username').fill('sun.audit');
    await admin.getByTestId('new-name').fill('孙审计');
    await admin.getByTestId('new-role-auditor').check();
    await admin.getByTestId('add-account').click();
    const oneTime = (await admin.getByTestId('one-time-password').textContent()) ?? '';
    expect(oneTime).toMatch(/^[A-Za-z2-9]{20}$/);
    expect(await admin.locator('[data-account="sun.audit"]').getAttribute('data-status')).toBe('enrolling');
    await shot('03-staff');

    // The auditor, on their own computer.
    const auditor = await (await browser.newContext(DESK)).newPage();
    await auditor.goto(`${t.server.url}/console/actions`);
    await enrolInBrowser(auditor, 'sun.audit', oneTime, t);
    await auditor.locator('[data-action="staff.add"]').first().waitFor();
    const rows = await auditor.locator('tr[data-action="staff.add"]').allTextContents();
    expect(rows.some((r) => r.includes('li.admin') && r.includes('sun.audit'))).toBe(true);
    await shooter(auditor)('04-actions');
    // The staff page is not the auditor's.
    await auditor.goto(`${t.server.url}/console/staff`);
    await expect.poll(() => auditor.getByRole('alert').textContent()).toBe('您的角色无权使用此功能。');

    // Signed out, a wrong code is refused; the right one (a new half-minute) signs in.
    await admin.getByTestId('sign-out').click();
    await admin.getByTestId('console-sign-in').waitFor();
    await admin.getByTestId('username').fill('li.admin');
    await admin.getByTestId('password').fill(adminLogin.password);
    await admin.getByTestId('code').fill('000000');
    await admin.getByTestId('sign-in').click();
    await expect.poll(() => admin.getByTestId('error').isVisible()).toBe(true);
    await shot('05-wrong-code');
    t.advance(30_000);
    await admin.getByTestId('code').fill(totpCode(adminLogin.secret, t.now()));
    await admin.getByTestId('sign-in').click();
    await admin.getByTestId('signed-in-as').waitFor();

    // Disabled: the auditor's next request finds the session gone.
    await admin.getByTestId('nav-staff').click();
    await admin.locator('[data-account="sun.audit"]').getByTestId('disable').click();
    await expect.poll(() => admin.locator('[data-account="sun.audit"]').getAttribute('data-status')).toBe('disabled');
    await auditor.goto(`${t.server.url}/console/actions`);
    await auditor.getByTestId('console-sign-in').waitFor();
    expect(refused).toEqual([]);
  });
});
