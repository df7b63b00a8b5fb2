import { type FrameMeasures, measureFrame } from '@shared';
import type * as FaceApiModule from '@vladmandic/face-api';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/** Where the BFF serves the face models (from the face-api package, nothing downloaded). */
const MODELS_URL = '/models';

/** What the device sees of the face in one frame: guidance only, the server measures again. */
export interface TrackedFace {
  measures: FrameMeasures;
}

export interface FaceTracker {
  /** The largest face in the canvas with its measures, or null when there is none. */
  track(canvas: HTMLCanvasElement): Promise<TrackedFace | null>;
  /** The tfjs backend in use (webgl on most phones; wasm where WebGL is missing). */
  backend: string;
}


/** A model's weights as face-api publishes them: a manifest of tensors and one binary file. */
interface FetchedModel {
  specs: { name: string; shape: number[]; dtype: string }[];
  data: ArrayBuffer;
}

/** The two models the tracker uses, by their file names in the face-api package. */
const MODELS = { detector: 'tiny_face_detector_model', landmarks: 'face_landmark_68_model' } as const;

async function fetchModel(name: string): Promise<FetchedModel> {
  // The manifest and the weights at once (face-api's own loader asks for them one after the other).
  const [manifest, data] = await Promise.all([
    fetch(`${MODELS_URL}/${name}-weights_manifest.json`).then(ok).then((r) => r.json() as Promise<{ weights: FetchedModel['specs'] }[]>),
    fetch(`${MODELS_URL}/${name}.bin`).then(ok).then((r) => r.arrayBuffer()),
  ]);
  return { specs: manifest.flatMap((group) => group.weights), data };
}

function ok(response: Response): Response {
  if (!response.ok) throw new Error(`model fetch failed: ${response.status}`);
  return response;
}

let fetching: Promise<{ faceapi: typeof FaceApiModule; detector: FetchedModel; landmarks: FetchedModel }> | undefined;

/** The code and the weights, over the network together, kept in memory once here. */
function fetchTracker(): NonNullable<typeof fetching> {
  fetching ??= (async () => {
    const [faceapi, detector, landmarks] = await Promise.all([import('@vladmandic/face-api'), fetchModel(MODELS.detector), fetchModel(MODELS.landmarks)]);
    return { faceapi, detector, landmarks };
  })();
  fetching.catch(() => {
    fetching = undefined;
  });
  return fetching;
}

let loading: Promise<FaceTracker> | undefined;

/**
 * Loads face tracking on the device: the tiny face detector and the 68-point landmark model of
 * face-api, imported only for the live check (or just before it: `prepareFaceTracker`), so nothing
 * of it weighs on the rest of the app.
 */
export function loadFaceTracker(): Promise<FaceTracker> {
  loading ??= (async () => {
    const { faceapi, detector, landmarks } = await fetchTracker();
    const tf = faceapi.tf as unknown as {
      setWasmPaths(paths: Record<string, string>): void;
      setBackend(name: string): Promise<boolean>;
      getBackend(): string;
      ready(): Promise<void>;
      io: { decodeWeights(data: ArrayBuffer, specs: FetchedModel['specs']): Parameters<typeof faceapi.nets.tinyFaceDetector.loadFromWeightMap>[0] };
    };
    tf.setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });
    for (const backend of ['webgl', 'wasm', 'cpu']) {
      if (await tf.setBackend(backend).catch(() => false)) break;
    }
    await tf.ready();
    faceapi.nets.tinyFaceDetector.loadFromWeightMap(tf.io.decodeWeights(detector.data, detector.specs));
    faceapi.nets.faceLandmark68Net.loadFromWeightMap(tf.io.decodeWeights(landmarks.data, landmarks.specs));
    const options = new faceapi.TinyFaceDetectorOptions({ inputSize: 224, scoreThreshold: 0.4 });
    // The first run compiles the backend's kernels (seconds on a slow phone): done now, while the page
    // says it is preparing, not in the middle of the check, where it would stall the frames' recording.
    const warm = document.createElement('canvas');
    warm.width = 224;
    warm.height = 224;
    await faceapi.detectSingleFace(warm, options);
    await faceapi.detectFaceLandmarks(warm);

    return {
      backend: tf.getBackend(),
      async track(canvas) {
        const found = await faceapi.detectSingleFace(canvas, options).withFaceLandmarks();
        if (!found) return null;
        return { measures: measureFrame(found.landmarks.positions.map((p): [number, number] => [p.x, p.y])) };
      },
    };
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/**
 * Makes the tracker ready ahead of the live check (its code and weights, about 760 kB, fetched and its
 * kernels compiled, seconds on a slow phone), without waiting for it; a failure shows when the live
 * check itself asks for the tracker, which tries again.
 */
export function prepareFaceTracker(): void {
  void loadFaceTracker().catch(() => undefined);
}
