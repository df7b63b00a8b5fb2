import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { type Browser, type Frame, type Locator, type Page, chromium } from 'playwright-core';
import { build } from 'vite';
import { expect } from 'vitest';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** Debian's chromium: the project installs it (npm run setup); nothing is downloaded at test time. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that keep a headless Chromium quiet on a closed network and in a container run as root. */
const BASE_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches Chromium; with `fakeCamera` (a .y4m file) getUserMedia gets a camera that plays that file
 * and the permission prompt is answered yes.
 */
export function launchChromium(fakeCamera?: string): Promise<Browser> {
  const camera = fakeCamera
    ? ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${fakeCamera}`]
    : [];
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...BASE_ARGS, ...camera] });
}

/** Builds the SPA into `outDir` with the project's Vite config. */
export async function buildWeb(outDir: string): Promise<void> {
  await build({ configFile: new URL('../../vite.config.ts', import.meta.url).pathname, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
}

/**
 * A Y4M video of a still image, which Chromium's fake camera plays in a loop (needs ffmpeg);
 * `filter` (ffmpeg's, after the scaling to 960 px) makes it blurred or moving, over `seconds`.
 */
export async function stillToY4m(image: string, out: string, { filter, seconds = 1 }: { filter?: string; seconds?: number } = {}): Promise<void> {
  await run('ffmpeg', ['-y', '-loglevel', 'error', '-loop', '1', '-i', image, '-t', String(seconds), '-r', '10',
    '-vf', filter ? `scale=960:-2,${filter}` : 'scale=960:-2', '-pix_fmt', 'yuv420p', out]);
}

/**
 * What a page's Content-Security-Policy refused, as Chromium reports it (the console, and the
 * page's own securitypolicyviolation events): the live array fills as the page runs.
 */
export function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) seen.push(message.text());
  });
  page.on('pageerror', (error) => {
    if (/Content Security Policy|Refused to/i.test(error.message)) seen.push(error.message);
  });
  return seen;
}

/**
 * Waits until the live check asks for an action (`actions` lists the ones expected), or has already
 * finished: on a fast machine the prompt can come and go between two looks.
 */
export async function actionPrompted(where: { getByTestId(id: string): Locator }, actions: RegExp): Promise<void> {
  await expect.poll(async () => {
    if ((await where.getByTestId('liveness-result').count()) > 0) return true;
    const prompt = await where.getByTestId('liveness-prompt').getAttribute('data-prompt', { timeout: 1000 }).catch(() => null);
    return actions.test(prompt ?? '');
  }, { timeout: 90_000 }).toBe(true);
}

/**
 * The live check's outcome in a page (or a frame), with what the page says of it: `passed`, `failed`
 * or `review`. On a busy machine the tracker in the browser can miss an action the face video shows;
 * a buyer would press "try again", and with `retake` the test does so once, after `retake` has
 * recorded the camera's video again (the same frames twice are a replay, and refused as one).
 */
export async function liveCheckOutcome(where: { getByTestId(id: string): Locator }, { retake }: { retake?: () => Promise<void> } = {}): Promise<{ outcome: string | null; said: string }> {
  const settled = async (): Promise<{ outcome: string | null; said: string }> => {
    const result = where.getByTestId('liveness-result');
    await expect.poll(() => result.getAttribute('data-outcome'), { timeout: 120_000 }).toMatch(/passed|failed|review/);
    return { outcome: await result.getAttribute('data-outcome'), said: (await result.textContent()) ?? '' };
  };
  const first = await settled();
  if (!retake || first.outcome !== 'failed' || !(await where.getByTestId('retry-liveness').isVisible())) return first;
  await retake();
  await where.getByTestId('retry-liveness').click();
  await expect.poll(async () => (await where.getByTestId('liveness-result').count()) === 0, { timeout: 30_000 }).toBe(true);
  const second = await settled();
  return { ...second, said: `${first.said} | then: ${second.said}` };
}

/** axe-core's engine, run in the page through the debugger (a script tag would be refused by the page's CSP). */
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
/** WCAG 2.0, 2.1 and 2.2, levels A and AA: what axe-core checks of them automatically. */
const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * What axe-core finds against WCAG 2.2 AA in the page (or frame) as it stands: each violated rule
 * with the elements that break it. Empty when it finds nothing.
 */
export async function axeViolations(where: Page | Frame): Promise<string[]> {
  type Result = { violations: { id: string; nodes: { target: string[] }[] }[] };
  await where.evaluate(`${AXE}\n;0`);
  const result = await where.evaluate<Result>(`axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_AA)} }, resultTypes: ['violations'] })`);
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Fails with what axe-core found, named by `name`, if the page breaks any automatic WCAG 2.2 AA check. */
export async function expectAccessible(where: Page | Frame, name: string): Promise<void> {
  expect((await axeViolations(where)).join('\n'), `accessibility of ${name}`).toBe('');
}

/** A page as people will look at it (a full-page screenshot in `file`), checked against WCAG 2.2 AA. */
export async function look(where: Page, file: string): Promise<void> {
  await where.screenshot({ path: file, fullPage: true });
  await expectAccessible(where, file.split('/').at(-1) ?? file);
}
