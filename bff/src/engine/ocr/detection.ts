import { splitIntoLineImages } from '@gutenye/ocr-common/splitIntoLineImages';
import sharp from 'sharp';
import { type RawImage, ocrModelModules } from './modelInput.js';

/**
 * What the text detector is given: the image it looks for text in, and the larger one the lines
 * are cut out of for the recogniser. Both RGBA, the same picture at two sizes.
 */
export interface TextImage {
  detect: RawImage;
  source: RawImage;
}

/**
 * Share of the reading's long side the detector works at. The detector's time grows with its pixels
 * (about 190 ms at 960 px on a card, 65 ms at 640); it needs to find where lines are, not to read
 * them, so the lines are cut from the larger image and the recogniser sees what it saw before.
 */
const DETECTION_SHARE = 2 / 3;

/** The detector's input sides must be multiples of this (its feature maps halve five times). */
const DETECTION_MULTIPLE = 32;

const multipleOf = (value: number): number => Math.max(DETECTION_MULTIPLE, Math.round(value / DETECTION_MULTIPLE) * DETECTION_MULTIPLE);

/** The picture to read, decoded once: the source at `longSide` and the detector's copy of it. */
export async function textImageOf(image: Buffer, longSide: number, limitInputPixels: number): Promise<TextImage> {
  const { data, info } = await sharp(image, { limitInputPixels })
    .rotate()
    .resize({ width: longSide, height: longSide, fit: 'inside' })
    .ensureAlpha(1)
    .raw()
    .toBuffer({ resolveWithObject: true });
  const source = { data, width: info.width, height: info.height };
  // Stretched, not padded, to the multiples: each box then maps onto the source by the sides' ratios.
  const width = multipleOf(info.width * DETECTION_SHARE);
  const height = multipleOf(info.height * DETECTION_SHARE);
  const detect = await sharp(data, { raw: { width: info.width, height: info.height, channels: 4 } }).resize(width, height, { fit: 'fill' }).raw().toBuffer();
  return { detect: { data: detect, width, height }, source };
}

interface DetectionTensor {
  dims: readonly number[];
  data: Float32Array;
}

interface DetectionModel {
  imageToInput(image: RawImage, options: object): unknown;
  runModel(input: { modelData: unknown }): Promise<DetectionTensor>;
}

interface DetectionClass {
  prototype: { run: (this: DetectionModel, input: TextImage) => Promise<unknown> };
}

/** Where the detector's probability passes this, a pixel is text (the library's own threshold). */
const TEXT_PROBABILITY = 0.03;

/** The detector's output as the black-and-white RGBA mask the line splitter takes. */
function textMask(output: DetectionTensor): RawImage {
  const height = output.dims[2] ?? 0;
  const width = output.dims[3] ?? 0;
  const data = new Uint8Array(width * height * 4);
  for (let i = 0, at = 0; i < width * height; i += 1, at += 4) {
    const value = (output.data[i] ?? 0) > TEXT_PROBABILITY ? 255 : 0;
    data[at] = value;
    data[at + 1] = value;
    data[at + 2] = value;
    data[at + 3] = 255;
  }
  return { data, width, height };
}

/**
 * Makes the OCR library's detector take a `TextImage`: it finds the lines on the smaller picture and
 * its own splitter cuts them out of the larger one (it scales each box by the two pictures' ratio).
 * The library's own run decoded an encoded image again and padded it to the multiples.
 */
export async function detectOnSmallerImage(): Promise<void> {
  for (const { Detection } of await ocrModelModules<{ Detection: DetectionClass }>('Detection.js')) {
    if (typeof Detection?.prototype.run !== 'function') throw new Error('@gutenye/ocr-common: Detection.run not found');
    Detection.prototype.run = async function run(this: DetectionModel, input: TextImage): Promise<unknown> {
      const output = await this.runModel({ modelData: this.imageToInput(input.detect, {}) });
      // The splitter reads only the pictures' pixels and sides.
      type Picture = Parameters<typeof splitIntoLineImages>[0];
      return splitIntoLineImages(textMask(output) as unknown as Picture, input.source as unknown as Picture);
    };
  }
}
