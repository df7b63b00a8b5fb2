import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { type MockCard, generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { TEST_TODAY, facePhoto } from '../support/fixtures.js';

const run = promisify(execFile);
const CLI = path.resolve('bff/src/cli/mockId.ts');
let out: string;
let clean: MockCard;

beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'mock-id-'));
  clean = await generateMockCard({ face: await facePhoto('photos/biden2.jpg'), seed: 'effects', today: TEST_TODAY });
});
afterAll(() => rm(out, { recursive: true, force: true }));

const metadata = (image: Buffer) => sharp(image).metadata();
const stats = (image: Buffer) => sharp(image).stats();

/** Share of pixels blown out to white in every channel, as glare leaves them. */
async function blownOut(image: Buffer): Promise<number> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  let white = 0;
  for (let i = 0; i < data.length; i += info.channels) {
    if ((data[i] ?? 0) > 245 && (data[i + 1] ?? 0) > 245 && (data[i + 2] ?? 0) > 245) white += 1;
  }
  return white / (info.width * info.height);
}

describe('specimen images', () => {
  it('are JPEGs with the card ratio of 85.6 x 54 mm inside their margin', async () => {
    const { format, width = 0, height = 0 } = await metadata(clean.images.portrait);
    expect(format).toBe('jpeg');
    // Card 1284 x 810 plus a 77 px desk margin on each side.
    expect(width / height).toBeCloseTo((1284 + 154) / (810 + 154), 2);
  });

  it('are the same for the same seed and photo', async () => {
    const again = await generateMockCard({ face: await facePhoto('photos/biden2.jpg'), seed: 'effects', today: TEST_TODAY });
    expect(again.identity).toEqual(clean.identity);
    expect(again.images.portrait.equals(clean.images.portrait)).toBe(true);
  });

  it('carry a red specimen mark on both sides', async () => {
    for (const side of ['portrait', 'emblem'] as const) {
      const { data, info } = await sharp(clean.images[side]).raw().toBuffer({ resolveWithObject: true });
      let red = 0;
      for (let i = 0; i < data.length; i += info.channels) {
        if ((data[i] ?? 0) > 170 && (data[i + 1] ?? 0) < 60 && (data[i + 2] ?? 0) < 70) red += 1;
      }
      // The stamp's frame and letters: thousands of saturated red pixels, which nothing else on the card has.
      expect(red, side).toBeGreaterThan(3000);
    }
  });

  it.each([
    ['blur', { blur: 6 }],
    ['glare', { glare: true }],
    ['rotation', { rotate: 90 }],
    ['low resolution', { lowResolution: 480 }],
  ] as const)('apply %s only to the images asked for', async (_name, effects) => {
    const faulty = await generateMockCard({
      face: await facePhoto('photos/biden2.jpg'), seed: 'effects', today: TEST_TODAY, effects, effectsOn: ['portrait'],
    });
    expect(faulty.images.emblem.equals(clean.images.emblem)).toBe(true);
    expect(faulty.images.portrait.equals(clean.images.portrait)).toBe(false);

    const before = await metadata(clean.images.portrait);
    const after = await metadata(faulty.images.portrait);
    if ('rotate' in effects) expect([after.width, after.height]).toEqual([before.height, before.width]);
    if ('lowResolution' in effects) expect(Math.max(after.width ?? 0, after.height ?? 0)).toBe(480);
    if ('blur' in effects) expect((await stats(faulty.images.portrait)).sharpness).toBeLessThan((await stats(clean.images.portrait)).sharpness * 0.5);
    if ('glare' in effects) expect(await blownOut(faulty.images.portrait)).toBeGreaterThan((await blownOut(clean.images.portrait)) + 0.05);
  });
});

describe('npm run mock-id', () => {
  it('writes the three images and identity.json', async () => {
    const dir = path.join(out, 'cli');
    const { stdout } = await run('node', ['--import', 'tsx', CLI, '--face', 'tests/fixtures/faces/photos/obama.jpg', '--out', dir,
      '--seed', 'cli', '--invalid-checksum', '--today', '2026-11-22', '--name', '张三']);
    expect((await readdir(dir)).sort()).toEqual(['emblem-side.jpg', 'handheld.jpg', 'identity.json', 'portrait-side.jpg']);
    const identity: unknown = JSON.parse(await readFile(path.join(dir, 'identity.json'), 'utf8'));
    expect(identity).toMatchObject({ specimen: true, portrait: { name: '张三' }, expected: { idNumberReasons: ['id_checksum'] } });
    expect(stdout).toContain('expected: id_checksum');
  });

  it('prints a sandbox identity the mock national-ID service knows', async () => {
    const dir = path.join(out, 'sandbox');
    const list = await run('node', ['--import', 'tsx', CLI, '--list-sandbox']);
    expect(list.stdout).toMatch(/^0 {2}张伟 {2}\d{17}[\dX] {2}match/m);
    await run('node', ['--import', 'tsx', CLI, '--face', 'tests/fixtures/faces/photos/obama.jpg', '--out', dir, '--sandbox', '0']);
    const identity = JSON.parse(await readFile(path.join(dir, 'identity.json'), 'utf8')) as { portrait: { name: string; idNumber: string } };
    expect(identity.portrait).toMatchObject({ name: SANDBOX_IDENTITIES[0]?.name, idNumber: SANDBOX_IDENTITIES[0]?.idNumber });
  });

  it.each([
    [['--out', 'x'], /--face and --out are required/],
    [['--face', 'a.jpg', '--out', 'x', '--sandbox', '99'], /--sandbox takes 0 to/],
    [['--face', 'a.jpg', '--out', 'x', '--sex', 'other'], /--sex must be male or female/],
    [['--face', 'a.jpg', '--out', 'x', '--today', '22/11/2026'], /--today must be YYYY-MM-DD/],
    [['--face', 'a.jpg', '--out', 'x', '--bogus'], /Unknown option/],
    [['--face', 'a.jpg', '--out', 'x', '--address', '北京市'.repeat(12)], /--address holds at most 33 characters/],
    [['--face', 'a.jpg', '--out', 'x', '--pasted-face', 'b.jpg', '--pasted-background', 'green'], /--pasted-background takes photo, white, blue, red, none/],
    [['--face', 'a.jpg', '--out', 'x', '--pasted-background', 'white'], /--pasted-background needs --pasted-face/],
  ])('refuses %j with usage and exit code 2', async (args, message) => {
    const error = await run('node', ['--import', 'tsx', CLI, ...args]).then(() => undefined, (e: unknown) => e as { code: number; stderr: string });
    expect(error?.code).toBe(2);
    expect(error?.stderr).toMatch(message);
    expect(error?.stderr).toContain('Usage: npm run mock-id');
  });

  it('says so when the photo has no face', async () => {
    const blank = path.join(out, 'blank.jpg');
    await sharp({ create: { width: 600, height: 800, channels: 3, background: '#8899aa' } }).jpeg().toFile(blank);
    const error = await run('node', ['--import', 'tsx', CLI, '--face', blank, '--out', path.join(out, 'none')])
      .then(() => undefined, (e: unknown) => e as { code: number; stderr: string });
    expect(error?.code).toBe(1);
    expect(error?.stderr).toContain('no face found in the face photo');
  });
});
