import { sql } from 'kysely';
import { row } from '../support/db.js';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { storefrontPage } from '../../bff/src/sandbox/storefront.js';
import { type MockCard, generateMockCard, writeMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { buildWeb, cspViolations, expectAccessible, launchChromium, liveCheckOutcome } from '../support/browser.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES, RECORDED_CAMERA_ENV, recordFaceVideo } from '../support/liveFrames.js';
import { admission, approveAgent } from '../support/agents.js';
import { type TestServer, startTestServer } from '../support/testServer.js';

const SHOTS = path.resolve('tests/.output/e2e');
const AGENT = 'AG-SHOP-0001';

let t: TestServer;
let shop: Server;
let shopPort: number;
let browser: Browser;
let cards: string;
let card: MockCard;
let video: string;

beforeAll(async () => {
  t = await startTestServer({ ...RECORDED_CAMERA_ENV, PROVISIONING_MOCK_FAILURE_RATE: '0' });
  await buildWeb(path.join(t.dir, 'web'));
  await mkdir(SHOTS, { recursive: true });

  // The agent's storefront, on an origin of its own: the same page answers on localhost (registered)
  // and on 127.0.0.1 (not registered).
  shop = createServer((req, res) => {
    const way = new URL(req.url ?? '/', 'http://x').searchParams.get('way') === 'iframe' ? 'iframe' : 'component';
    // With the storefront's own strict CSP: embed.js and the mark work under it.
    const page = storefrontPage({ operatorUrl: t.server.url, agent: AGENT, way });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': page.csp }).end(page.html);
  });
  await new Promise<void>((resolve) => shop.listen(0, resolve));
  shopPort = (shop.address() as AddressInfo).port;
  const token = (await readFile(path.join(t.dataDir, 'operator.token'), 'utf8')).trim();
  const registered = await t.api.post<{ channel: { id: string } }>('/api/operator/channels', {
    agentNumber: AGENT, name: '示例网店', licenceNumber: '91350100M000100Y43', scope: ['sim_sale'], origins: [`http://localhost:${shopPort}`], webhookUrl: null, admission: admission(),
  }, token);
  expect(registered.status).toBe(201);
  await approveAgent(t.server, t, registered.body.channel.id);

  cards = path.join(t.dir, 'cards');
  const who = SANDBOX_IDENTITIES[2];
  card = await generateMockCard({ face: await facePhoto(POSES.penny.neutral), name: who?.name, idNumber: who?.idNumber, seed: 'e2e-embed' });
  await writeMockCard(card, cards);
  video = path.join(t.dir, 'face.y4m');
  await recordFaceVideo(POSES.penny, video);
  browser = await launchChromium(video);
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => shop?.close(resolve));
  await t?.stop();
});

const events = (page: Page): Promise<{ type: string; step?: string; orderId?: string }[]> =>
  page.evaluate(() => (globalThis as unknown as { simEvents: { type: string }[] }).simEvents);
const stepReached = (page: Page, step: string) =>
  expect.poll(async () => (await events(page)).some((e) => e.type === 'step' && e.step === step), { timeout: 60_000 }).toBe(true);

async function upload(frame: FrameLocator, page: Page, file: string, next: string): Promise<void> {
  await frame.getByTestId('file-input').setInputFiles(path.join(cards, file));
  await expect.poll(() => frame.getByTestId('upload').isEnabled(), { timeout: 15_000 }).toBe(true);
  await frame.getByTestId('upload').click();
  await stepReached(page, next);
}

describe('a storefront embedding the flow, in a real browser', () => {
  it('shows the agent mark and runs the whole flow inside the web component, hearing each step and the outcome', async () => {
    const page = await browser.newPage({ viewport: { width: 430, height: 932 }, deviceScaleFactor: 1 });
    // Neither the storefront's CSP nor the flow's own refuses anything on the way.
    const refused = cspViolations(page);
    const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `embed-${name}.png`), fullPage: true });
    await page.goto(`http://localhost:${shopPort}/?way=component`);

    // The mark: the operator's, for this agent, its QR code linking to the check on the operator's site.
    const mark = page.locator('sim-agent-mark a');
    await expect.poll(() => mark.getAttribute('href'), { timeout: 15_000 }).toMatch(new RegExp(`^${t.server.publicUrl}/agents/verify#`));
    expect(await mark.textContent()).toContain('示例网店');
    // The operator's logo, and what the agent is entrusted with.
    expect(await mark.textContent()).toContain('授权范围 号卡销售');
    await expect.poll(() => mark.locator('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);

    const frame = page.frameLocator('sim-verification iframe');
    await expect.poll(() => frame.locator('h1').textContent(), { timeout: 30_000 }).toBe('在线购卡，先完成实名认证');
    // The host's colour, inside the frame.
    type Styles = { getComputedStyle: (el: unknown) => { getPropertyValue: (name: string) => string } };
    expect(await frame.locator('html').evaluate((el) => (globalThis as unknown as Styles).getComputedStyle(el).getPropertyValue('--sim-color-primary').trim())).toBe('#d4380d');
    await shot('01-home');

    await frame.getByTestId('start').click();
    await frame.locator('input[name="msisdn"]').first().check();
    await frame.getByTestId('hold').click();
    await frame.getByTestId('confirm-delivery').click();
    await frame.getByTestId('consent-identity').check();
    await frame.getByTestId('consent-biometric').check();
    await frame.getByTestId('agree').click();
    await stepReached(page, 'portrait');
    // A buyer at the shop's desktop page can go on with a phone: the QR code shows inside the frame,
    // and leads to the operator's site, not the shop's.
    await frame.getByTestId('handoff-start').click();
    await frame.getByTestId('handoff-qr').waitFor({ timeout: 10_000 });
    expect(await frame.getByTestId('handoff').textContent()).toContain(`${t.server.publicUrl}/h`);
    await shot('01-handoff');
    // The flow inside the frame is held to WCAG 2.2 AA as on its own (the shop's page is the shop's).
    const inner = await page.locator('sim-verification iframe').elementHandle().then((el) => el?.contentFrame());
    if (!inner) throw new Error('no frame of the flow');
    await expectAccessible(inner, 'the embedded flow');
    await frame.getByTestId('handoff-cancel').click();
    await expect.poll(() => frame.getByTestId('handoff').getAttribute('data-state')).toBe('cancelled');
    await upload(frame, page, 'portrait-side.jpg', 'emblem');
    await upload(frame, page, 'emblem-side.jpg', 'handheld');
    await upload(frame, page, 'handheld.jpg', 'liveness');
    await shot('02-liveness');

    await frame.getByTestId('start-liveness').click();
    const live = await liveCheckOutcome(frame, { retake: () => recordFaceVideo(POSES.penny, video) });
    expect(live.outcome, live.said).toBe('passed');
    await frame.getByTestId('next').click();
    await stepReached(page, 'review');
    await frame.getByTestId('confirm-details').check();
    await frame.getByTestId('submit').click();
    await expect.poll(async () => (await events(page)).map((e) => e.type), { timeout: 60_000 }).toContain('approved');
    await shot('03-approved');

    const heard = await events(page);
    const orderId = heard.find((e) => e.type === 'started')?.orderId;
    expect(orderId).toMatch(/^[0-9a-f-]{36}$/);
    expect(heard.map((e) => e.type).filter((type) => type !== 'step')).toEqual(['started', 'submitted', 'approved']);
    expect(heard.filter((e) => e.type === 'step').map((e) => e.step)).toEqual(expect.arrayContaining(['delivery', 'consent', 'portrait', 'emblem', 'handheld', 'liveness', 'review', 'status']));
    expect(heard.every((e) => !e.orderId || e.orderId === orderId)).toBe(true);
    // Nothing of the buyer reaches the host page.
    expect(JSON.stringify(heard)).not.toContain(card.identity.portrait.idNumber);
    expect(JSON.stringify(heard)).not.toContain(card.identity.portrait.name);
    // The order is the agent's.
    const { agent_number } = (await row(t.server.db, sql`SELECT c.agent_number FROM orders o JOIN channels c ON c.id = o.channel_id WHERE o.id = ${orderId}`)) as { agent_number: string };
    expect(agent_number).toBe(AGENT);
    expect(refused).toEqual([]);
    await page.close();
  }, 300_000);

  it('embeds as a plain iframe too, in the host\'s locale', async () => {
    const page = await browser.newPage({ viewport: { width: 430, height: 932 }, deviceScaleFactor: 1 });
    await page.goto(`http://localhost:${shopPort}/?way=iframe`);
    const frame = page.frameLocator('main iframe');
    await expect.poll(() => frame.locator('h1').textContent(), { timeout: 30_000 }).toBe('Buying a SIM online starts with verifying your identity');
    await frame.getByTestId('start').click();
    await expect.poll(async () => (await events(page)).map((e) => `${e.type}:${e.step ?? ''}`), { timeout: 15_000 }).toContain('step:number');
    await page.screenshot({ path: path.join(SHOTS, 'embed-04-iframe.png'), fullPage: true });
    await page.close();
  });

  it('refuses a page on an origin the agent has not registered: no flow, no mark, no events', async () => {
    const page = await browser.newPage({ viewport: { width: 430, height: 932 }, deviceScaleFactor: 1 });
    for (const way of ['component', 'iframe']) {
      await page.goto(`http://127.0.0.1:${shopPort}/?way=${way}`);
      const frame = page.frameLocator(way === 'component' ? 'sim-verification iframe' : 'main iframe');
      // The browser does not show the operator's page in a frame there (CSP frame-ancestors): an error page instead.
      await expect.poll(() => page.frames().some((f) => f.url().startsWith('chrome-error://')), { timeout: 15_000 }).toBe(true);
      expect(await frame.locator('#app').count()).toBe(0);
      expect(await events(page)).toEqual([]);
      expect(await page.locator('sim-agent-mark a').count()).toBe(0);
    }
    await page.screenshot({ path: path.join(SHOTS, 'embed-05-refused.png'), fullPage: true });
    await page.close();
  });

  it('shows the mark on the sandbox\'s own demo storefront, served beside the flow (same origin, no Referer)', async () => {
    const page = await browser.newPage({ viewport: { width: 430, height: 932 }, deviceScaleFactor: 1 });
    await page.goto(`${t.server.publicUrl}/demo/storefront`);
    const mark = page.locator('sim-agent-mark a');
    await expect.poll(() => mark.getAttribute('href'), { timeout: 15_000 }).toMatch(new RegExp(`^${t.server.publicUrl}/agents/verify#`));
    await page.close();
  });
});
