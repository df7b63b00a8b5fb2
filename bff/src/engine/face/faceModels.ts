import { createRequire } from 'node:module';
import path from 'node:path';
import type * as FaceApiModule from '@vladmandic/face-api';
import { decodeRgb } from '../image.js';
import { loadOnce } from '../loadOnce.js';
import { FACE_MODEL_DIR } from './modelDir.js';
import { type KernelRegistry, useShortRunConcat } from './wasmConcat.js';

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
 * SSD MobileNet for photos of people (the hand-held photo, the recipient at the door: a face may be
 * small, far fewer misses). For a card's printed portrait, where the face is large, frontal and
 * alone, the tiny detector looks first (about 80 ms against SSD's 300; on the specimen cards it found
 * every portrait, SSD 14 of 16 at 0.5, and its descriptors matched the holder's photos more often:
 * docs/EVALUATION.md), and SSD looks again where it finds none. For live-check frames, the tiny
 * detector at a smaller input: a dozen frames to read.
 */
export type FaceDetector = 'photo' | 'card' | 'frame';

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
  /**
   * The face that counts (the largest; on a card, the surest), with its landmarks and descriptor;
   * empty when there is none. (Those cost about 75 ms a face, and no caller compares any other.)
   */
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
  useShortRunConcat(faceapi.tf as unknown as KernelRegistry);
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
const ssdDetector = (minConfidence: number) => new faceapi.SsdMobilenetv1Options({ minConfidence, maxResults: 10 });

/**
 * Where the faces are, largest first, without landmarks or descriptors, found by SSD MobileNet
 * alone: for the specimen generator, whose source photos may hold a small face or only a face.
 */
export function findFaceBoxes(image: Buffer, minConfidence = 0.5): Promise<FaceBox[]> {
  return withImageTensor(image, FACE_MAX_SIDE, async (tensor, { scale }) => (await faceapi.detectAllFaces(tensor, ssdDetector(minConfidence)))
    .map(({ box }) => scaledBox(box, scale))
    .sort((a, b) => b.width * b.height - a.width * a.height));
}

const tinyDetector = (inputSize: number) => (minConfidence: number) => new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: minConfidence });

interface DetectorUse {
  maxSide: number;
  options: (minConfidence: number) => FaceDetectionOptions;
  /** Looks again where the first finds none. */
  orElse?: (minConfidence: number) => FaceDetectionOptions;
  /**
   * The face described: the largest (the buyer nearest the camera), or the surest (a card shows one
   * face, and the tiny detector's doubtful boxes on a card's pattern can be larger than it).
   */
  pick: 'largest' | 'surest';
}

const DETECTORS: Record<FaceDetector, DetectorUse> = {
  photo: { maxSide: FACE_MAX_SIDE, options: ssdDetector, pick: 'largest' },
  card: { maxSide: FACE_MAX_SIDE, options: tinyDetector(416), orElse: ssdDetector, pick: 'surest' },
  frame: { maxSide: FRAME_MAX_SIDE, options: tinyDetector(320), pick: 'largest' },
};

type FaceDetectionOptions = ConstructorParameters<typeof faceapi.DetectAllFacesTask>[1];

/** Finds the faces with `detector` (and its fallback where it finds none) and describes one: landmarks and descriptor. */
export function detectFaces(image: Buffer, minConfidence = 0.5, detector: FaceDetector = 'photo'): Promise<FaceDetection> {
  const { maxSide, options, orElse, pick } = DETECTORS[detector];
  const measure = (face: { score: number; box: { area: number } }): number => (pick === 'surest' ? face.score : face.box.area);
  return withImageTensor(image, maxSide, async (tensor, rgb) => {
    const { scale } = rgb;
    let found = await faceapi.detectAllFaces(tensor, options(minConfidence));
    if (found.length === 0 && orElse) found = await faceapi.detectAllFaces(tensor, orElse(minConfidence));
    const chosen = found.reduce<(typeof found)[number] | undefined>((best, f) => (!best || measure(f) > measure(best) ? f : best), undefined);
    const size = { width: Math.round(rgb.width * scale), height: Math.round(rgb.height * scale) };
    if (!chosen) return { ...size, faces: [] };
    const [described] = await new faceapi.DetectAllFaceLandmarksTask(Promise.resolve([faceapi.extendWithFaceDetection({}, chosen)]), tensor, false).withFaceDescriptors();
    if (!described) return { ...size, faces: [] };
    return {
      ...size,
      faces: [{
        box: scaledBox(described.detection.box, scale),
        score: described.detection.score,
        descriptor: Array.from(described.descriptor),
        landmarks: described.landmarks.positions.map((p): [number, number] => [p.x * scale, p.y * scale]),
      }],
    };
  });
}
