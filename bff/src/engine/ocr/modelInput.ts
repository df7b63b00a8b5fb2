import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** An RGBA image as the OCR library hands it to its models. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface ModelInput {
  /** Planar, blue plane first, then green and red: the layout PP-OCR's models were exported with. */
  data: Float32Array;
  width: number;
  height: number;
}

/**
 * The models' input, `(value / 255 - mean) / std` per channel, built in one typed array. The
 * library builds it in three JavaScript arrays grown a pixel at a time and then spread into a fourth:
 * for a 960 px card that took longer than the detection model itself (about 0.5 s of 1.2 s).
 * Same arithmetic, same order, so the same float32 values.
 */
export function imageToInput(image: RawImage, { mean = [0, 0, 0], std = [1, 1, 1] }: { mean?: number[]; std?: number[] } = {}): ModelInput {
  const pixels = image.width * image.height;
  const data = new Float32Array(3 * pixels);
  const source = image.data;
  const [meanR = 0, meanG = 0, meanB = 0] = mean;
  const [stdR = 1, stdG = 1, stdB = 1] = std;
  for (let pixel = 0, at = 0; pixel < pixels; pixel += 1, at += 4) {
    data[pixel] = ((source[at + 2] ?? 0) / 255 - meanB) / stdB;
    data[pixels + pixel] = ((source[at + 1] ?? 0) / 255 - meanG) / stdG;
    data[2 * pixels + pixel] = ((source[at] ?? 0) / 255 - meanR) / stdR;
  }
  return { data, width: image.width, height: image.height };
}

interface ModelBaseClass {
  prototype: { imageToInput: (image: RawImage, options: { mean?: number[]; std?: number[] }) => unknown };
}

/** The file of the OCR library's base class of its two models. */
export function modelBasePath(): string {
  return path.join(path.dirname(path.dirname(require.resolve('@gutenye/ocr-common/splitIntoLineImages'))), 'models', 'ModelBase.js');
}

/**
 * A module of the OCR library's `models` folder (ModelBase.js, Detection.js, Recognition.js), as
 * loaded here. Its package exports only the assembled reader, so its classes are reached by their
 * files; a release that moves one fails at load, loudly. The TypeScript loader loads the library
 * through require in a vision thread and through import in the main thread, and each way has its
 * own copy of each class: both copies are returned (the same module twice where the ways share it).
 */
export async function ocrModelModules<T>(fileName: string): Promise<Partial<T>[]> {
  const file = path.join(path.dirname(modelBasePath()), fileName);
  return [require(file) as Partial<T>, await import(pathToFileURL(file).href) as Partial<T>];
}

/** The OCR library's base class of its two models, each copy once. */
export async function ocrModelBases(): Promise<ModelBaseClass[]> {
  const copies = await ocrModelModules<{ ModelBase: ModelBaseClass }>('ModelBase.js');
  const classes = new Set(copies.map(({ ModelBase }) => {
    if (typeof ModelBase?.prototype.imageToInput !== 'function') throw new Error('@gutenye/ocr-common: ModelBase.imageToInput not found');
    return ModelBase;
  }));
  return [...classes];
}

/** Gives both OCR models (detection and recognition) the typed-array input above. */
export async function useTypedModelInput(): Promise<void> {
  for (const base of await ocrModelBases()) base.prototype.imageToInput = imageToInput;
}
