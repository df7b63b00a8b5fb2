/**
 * Calibrates the face-match threshold on the fixture identities and writes the table to
 * bff/src/engine/face/CALIBRATION.md:  npm run calibrate
 *
 * Pairs, all through the product's own detector and descriptor:
 * - photo ~ photo: two different photos of one person, or of two people;
 * - mirrored: a horizontally flipped photo (a front camera's selfie) against another photo;
 * - card ~ photo: the portrait printed on a specimen card made from one photo against another photo,
 *   which is the comparison the product makes (card portrait against the hand-held photo).
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { loadConfig } from '../../bff/src/config.js';
import { type FaceBox, detectFaces } from '../../bff/src/engine/face/faceModels.js';
import { faceDistance } from '../../bff/src/engine/face/faceDistance.js';
import { generateIdentity } from '../../bff/src/sandbox/mockId/identity.js';
import { cropIdPhoto, photographCard, renderPortraitCard } from '../../bff/src/sandbox/mockId/render.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FACES = path.join(ROOT, 'tests/fixtures/faces');
const OUT = path.join(ROOT, 'bff/src/engine/face/CALIBRATION.md');
const THRESHOLDS = [0.3, 0.35, 0.4, 0.45, 0.48, 0.5, 0.52, 0.55, 0.56, 0.6];

interface Sample {
  person: string;
  file: string;
  photo: number[];
  mirrored: number[];
  card?: number[];
}

/** Tight crops get a neutral margin: the detector needs context around a face. */
async function prepare(file: string): Promise<Buffer> {
  const image = await readFile(file);
  const { width = 0 } = await sharp(image).metadata();
  if (width > 300) return image;
  const pad = Math.round(width * 0.6);
  return sharp(image).extend({ top: pad, bottom: pad, left: pad, right: pad, background: '#7f7f7f' }).resize({ width: 600 }).png().toBuffer();
}

async function largestFace(image: Buffer): Promise<{ descriptor: number[]; box: FaceBox } | undefined> {
  const face = (await detectFaces(image, 0.2)).faces[0];
  return face ? { descriptor: face.descriptor, box: face.box } : undefined;
}

async function cardDescriptor(image: Buffer, box: FaceBox, seed: string): Promise<number[] | undefined> {
  const { portrait } = generateIdentity({ seed });
  const card = await photographCard(await renderPortraitCard(portrait, await cropIdPhoto(image, box)));
  return (await largestFace(card))?.descriptor;
}

async function loadSamples(): Promise<{ samples: Sample[]; missed: string[] }> {
  const files: { person: string; file: string }[] = [];
  for (const person of await readdir(path.join(FACES, 'people'))) {
    for (const file of await readdir(path.join(FACES, 'people', person))) files.push({ person, file: path.join(FACES, 'people', person, file) });
  }
  // Photos with one person in them; obama3.jpg and biden.jpg show both men and are left out.
  for (const [person, name] of [['obama', 'obama.jpg'], ['obama', 'obama2.jpg'], ['obama', 'obama-480p.jpg'], ['biden', 'biden2.jpg']] as const) {
    files.push({ person, file: path.join(FACES, 'photos', name) });
  }
  const samples: Sample[] = [];
  const missed: string[] = [];
  for (const { person, file } of files) {
    const image = await prepare(file);
    const face = await largestFace(image);
    const flipped = await largestFace(await sharp(image).flop().png().toBuffer());
    if (!face || !flipped) {
      missed.push(path.relative(FACES, file));
      continue;
    }
    const card = await cardDescriptor(image, face.box, path.basename(file));
    samples.push({ person, file: path.relative(FACES, file), photo: face.descriptor, mirrored: flipped.descriptor, ...(card ? { card } : {}) });
  }
  return { samples, missed };
}

type Kind = 'photo ~ photo' | 'mirrored ~ photo' | 'card ~ photo';
interface Pair { kind: Kind; same: boolean; distance: number; a: string; b: string }

function pairs(samples: Sample[]): Pair[] {
  const out: Pair[] = [];
  for (const a of samples) {
    for (const b of samples) {
      if (a === b) continue;
      const same = a.person === b.person;
      if (a.file < b.file) out.push({ kind: 'photo ~ photo', same, distance: faceDistance(a.photo, b.photo), a: a.file, b: b.file });
      out.push({ kind: 'mirrored ~ photo', same, distance: faceDistance(a.mirrored, b.photo), a: a.file, b: b.file });
      if (a.card) out.push({ kind: 'card ~ photo', same, distance: faceDistance(a.card, b.photo), a: a.file, b: b.file });
    }
  }
  return out;
}

const fmt = (n: number): string => n.toFixed(3);
const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

const { samples, missed } = await loadSamples();
const all = pairs(samples);
const kinds: Kind[] = ['photo ~ photo', 'mirrored ~ photo', 'card ~ photo'];
const { faceMatchMaxDistance: configured, faceReviewMargin } = loadConfig();

const lines: string[] = [
  '# Face-match threshold calibration',
  '',
  'Generated by `npm run calibrate` (tests/calibration/faceThreshold.ts) from the photos in',
  '`tests/fixtures/faces` (see its README), with the product\'s detector (SSD MobileNet v1) and 128-d',
  'descriptors (face-api, WebAssembly backend). Distance is Euclidean; lower is more alike.',
  '',
  `Images used: ${samples.length} of ${samples.length + missed.length}, ${new Set(samples.map((s) => s.person)).size} people.` +
    (missed.length ? ` No face found in: ${missed.join(', ')}.` : ''),
  '',
  '## Distances',
  '',
  '| pairs | same person: n | median | max | different people: n | min | 1st percentile |',
  '| --- | --- | --- | --- | --- | --- | --- |',
];
for (const kind of kinds) {
  const same = all.filter((p) => p.kind === kind && p.same).map((p) => p.distance);
  const diff = all.filter((p) => p.kind === kind && !p.same).map((p) => p.distance);
  lines.push(`| ${kind} | ${same.length} | ${fmt(quantile(same, 0.5))} | ${fmt(Math.max(...same))} | ${diff.length} | ${fmt(Math.min(...diff))} | ${fmt(quantile(diff, 0.01))} |`);
}
const reviewUpTo = Math.round((configured + faceReviewMargin) * 1000) / 1000;
const band = (kind: Kind, same: boolean) => {
  const ofKind = all.filter((p) => p.kind === kind && p.same === same);
  const count = (f: (d: number) => boolean) => ofKind.filter((p) => f(p.distance)).length;
  return `${count((d) => d <= configured)} / ${count((d) => d > configured && d <= reviewUpTo)} / ${count((d) => d > reviewUpTo)}`;
};
lines.push(
  '',
  `## The configured decision: pass at ≤ ${configured}, a person reviews up to ${reviewUpTo}, refused above`,
  '',
  'Chosen so that no different-person pair passes on its own, with a margin below the closest one here',
  'and below the 0.49 seen between different people elsewhere; genuine pairs that fall between go to a',
  'reviewer instead of being refused. `FACE_MATCH_MAX_DISTANCE` and `FACE_REVIEW_MARGIN` set it.',
  '',
  '| pairs | same person: pass / review / refused | different people: pass / review / refused |',
  '| --- | --- | --- |',
  ...kinds.map((kind) => `| ${kind} | ${band(kind, true)} | ${band(kind, false)} |`),
);
lines.push('', '## False accepts and false rejects by threshold', '', '| threshold | ' + kinds.map((k) => `${k}: false accepts / false rejects`).join(' | ') + ' |', '| --- |' + kinds.map(() => ' --- |').join(''));
for (const t of THRESHOLDS) {
  const cells = kinds.map((kind) => {
    const ofKind = all.filter((p) => p.kind === kind);
    const fa = ofKind.filter((p) => !p.same && p.distance <= t).length;
    const fr = ofKind.filter((p) => p.same && p.distance > t).length;
    const nDiff = ofKind.filter((p) => !p.same).length;
    const nSame = ofKind.filter((p) => p.same).length;
    return `${fa}/${nDiff} (${((100 * fa) / nDiff).toFixed(2)}%) / ${fr}/${nSame} (${((100 * fr) / nSame).toFixed(1)}%)`;
  });
  lines.push(`| ${t === configured ? `**${t}**` : t} | ${cells.join(' | ')} |`);
}
const closest = all.filter((p) => !p.same).sort((x, y) => x.distance - y.distance).slice(0, 5);
lines.push('', '## Closest different-person pairs', '', '| pairs | a | b | distance |', '| --- | --- | --- | --- |',
  ...closest.map((p) => `| ${p.kind} | ${p.a} | ${p.b} | ${fmt(p.distance)} |`));
const farthest = all.filter((p) => p.same).sort((x, y) => y.distance - x.distance).slice(0, 5);
lines.push('', '## Farthest same-person pairs', '', '| pairs | a | b | distance |', '| --- | --- | --- | --- |',
  ...farthest.map((p) => `| ${p.kind} | ${p.a} | ${p.b} | ${fmt(p.distance)} |`), '');

await writeFile(OUT, lines.join('\n'));
process.stdout.write(`${lines.join('\n')}\nwritten to ${path.relative(ROOT, OUT)}\n`);
