import { createRequire } from 'node:module';
import path from 'node:path';
import type * as FaceApiModule from '@vladmandic/face-api';
import { decodeRgb } from '../image.js';
import { loadOnce } from '../loadOnce.js';
import { FACE_MODEL_DIR } from './modelDir.js';

const require = createRequire(import.meta.url);

/**
 * The node-wasm build of face-api: tfjs-node cannot be installed without a download, the pure-JS CPU
 * backend is about 40x slower, and the wasm backend with SIMD ships inside the npm package.
 */
type FaceApi = typeof FaceApiModule;
export const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;

/** Long side the image is scaled to: enough for a face of 80 px on a phone photo to survive. */
const FACE_MAX_SIDE = 1600;

/** Video frames of a face filling much of the view: smaller, and the tiny detector finds them. */
const FRAME_MAX_SIDE = 640;

/**
 * SSD MobileNet for photos (a face may be small, far fewer misses); the tiny detector for live-check
 * frames, where the face is large and a dozen frames must be read (about 120 ms a frame against 450).
 */
export type FaceDetector = 'photo' | 'frame';

export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DetectedFace {
  /** In the pixels of the image as sent (before scaling). */
  box: FaceBox;
  score: number;
  /** 128-d face descriptor; compare with `faceDistance`. */
  descriptor: number[];
  /** The 68 landmarks (iBUG layout), in the pixels of the image as sent. */
  landmarks: [number, number][];
}

export interface FaceDetection {
  width: number;
  height: number;
  /** Largest first. */
  faces: DetectedFace[];
}

/** TensorFlow.js on its WebAssembly backend, as face-api carries it, set up once per thread. */
export const wasmBackend: () => Promise<void> = loadOnce(async () => {
  const tf = faceapi.tf as unknown as {
    setWasmPaths(prefix: string): void;
    setBackend(name: string): Promise<boolean>;
    ready(): Promise<void>;
  };
  tf.setWasmPaths(`${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`);
  await tf.setBackend('wasm');
  await tf.ready();
});

/** Loads the models once per thread; a failed load is tried again by the next call. */
export const loadFaceModels: () => Promise<void> = loadOnce(async () => {
  await wasmBackend();
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(FACE_MODEL_DIR);
  await faceapi.nets.tinyFaceDetector.loadFromDisk(FACE_MODEL_DIR);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(FACE_MODEL_DIR);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(FACE_MODEL_DIR);
});

/** The image decoded at `maxSide` as a tensor for `use`, freed after; `scale` takes its pixels back to the image's. */
async function withImageTensor<T>(image: Buffer, maxSide: number, use: (tensor: ReturnType<typeof faceapi.tf.tensor3d>, rgb: { width: number; height: number; scale: number }) => Promise<T>): Promise<T> {
  await loadFaceModels();
  const rgb = await decodeRgb(image, maxSide);
  const tensor = faceapi.tf.tensor3d(rgb.data, [rgb.height, rgb.width, 3], 'int32');
  try {
    return await use(tensor, rgb);
  } finally {
    tensor.dispose();
  }
}

const scaledBox = (box: FaceBox, scale: number): FaceBox => ({ x: box.x * scale, y: box.y * scale, width: box.width * scale, height: box.height * scale });
const photoDetector = (minConfidence: number) => new faceapi.SsdMobilenetv1Options({ minConfidence, maxResults: 10 });

/**
 * Where the faces are, largest first, without landmarks or descriptors: the same boxes as
 * `detectFaces` with the photo detector, for about two thirds of its time.
 */
export function findFaceBoxes(image: Buffer, minConfidence = 0.5): Promise<FaceBox[]> {
  return withImageTensor(image, FACE_MAX_SIDE, async (tensor, { scale }) => (await faceapi.detectAllFaces(tensor, photoDetector(minConfidence)))
    .map(({ box }) => scaledBox(box, scale))
    .sort((a, b) => b.width * b.height - a.width * a.height));
}

/** Finds every face with its landmarks and descriptor. */
export function detectFaces(image: Buffer, minConfidence = 0.5, detector: FaceDetector = 'photo'): Promise<FaceDetection> {
  const options = detector === 'photo'
    ? photoDetector(minConfidence)
    : new faceapi.TinyFaceDetectorOptions({ inputSize: 320, scoreThreshold: minConfidence });
  return withImageTensor(image, detector === 'photo' ? FACE_MAX_SIDE : FRAME_MAX_SIDE, async (tensor, rgb) => {
    const { scale } = rgb;
    const results = await faceapi
      .detectAllFaces(tensor, options)
      .withFaceLandmarks()
      .withFaceDescriptors();
    const faces = results
      .map((r) => ({
        box: scaledBox(r.detection.box, scale),
        score: r.detection.score,
        descriptor: Array.from(r.descriptor),
        landmarks: r.landmarks.positions.map((p): [number, number] => [p.x * scale, p.y * scale]),
      }))
      .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
    return { width: Math.round(rgb.width * scale), height: Math.round(rgb.height * scale), faces };
  });
}
