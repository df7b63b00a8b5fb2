import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What a storefront makes its buyers' browsers load before the flow's first screen shows, gzipped. */
const BUDGET_BYTES = 150 * 1024;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sim-build-'));
  // As `npm run build` makes it: a production build (inside the test runner, libraries would build for tests).
  await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', dir, '--emptyOutDir', '--logLevel', 'silent'], {
    cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' },
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const gz = async (file: string): Promise<number> => gzipSync(await readFile(path.join(dir, file)), { level: 9 }).length;

describe('the embed\'s initial JavaScript', () => {
  it('stays under 150 kB gzipped: embed.js, the app\'s entry and what it preloads, and the first screen; the face models and the QR reader load later', async () => {
    const html = await readFile(path.join(dir, 'index.html'), 'utf8');
    const entry = [...html.matchAll(/<script type="module"[^>]*src="\/([^"]+)"/g), ...html.matchAll(/<link rel="modulepreload"[^>]*href="\/([^"]+)"/g)].map((m) => m[1] ?? '');
    const assets = await readdir(path.join(dir, 'assets'));
    const firstScreen = assets.filter((name) => /^(EmbedPage|HomePage)-.*\.js$/.test(name)).map((name) => `assets/${name}`);
    expect(entry.length).toBeGreaterThanOrEqual(2);
    expect(firstScreen).toHaveLength(2);
    const initial = ['embed.js', ...entry, ...firstScreen];
    const sizes = await Promise.all(initial.map(async (file) => [file, await gz(file)] as const));
    const total = sizes.reduce((sum, [, bytes]) => sum + bytes, 0);
    console.log(`initial JavaScript of the embed, gzipped: ${(total / 1024).toFixed(1)} kB\n${sizes.map(([f, b]) => `  ${f}: ${(b / 1024).toFixed(1)} kB`).join('\n')}`);
    expect(total).toBeLessThan(BUDGET_BYTES);
    expect(initial.some((file) => /face-api|jsQR|tfjs/i.test(file))).toBe(false);
    expect(assets.some((name) => name.startsWith('face-api'))).toBe(true);
  });
});
