import { type FrameMeasures, measureFrame } from '@shared';
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

let loading: Promise<FaceTracker> | undefined;

/**
 * Loads face tracking on the device: the tiny face detector and the 68-point landmark model of
 * face-api (about 550 kB of weights), imported only when the live check starts, so nothing of it
 * weighs on the rest of the app.
 */
export function loadFaceTracker(): Promise<FaceTracker> {
  loading ??= (async () => {
    const faceapi = await import('@vladmandic/face-api');
    const tf = faceapi.tf as unknown as {
      setWasmPaths(paths: Record<string, string>): void;
      setBackend(name: string): Promise<boolean>;
      getBackend(): string;
      ready(): Promise<void>;
    };
    tf.setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });
    for (const backend of ['webgl', 'wasm', 'cpu']) {
      if (await tf.setBackend(backend).catch(() => false)) break;
    }
    await tf.ready();
    await Promise.all([faceapi.nets.tinyFaceDetector.loadFromUri(MODELS_URL), faceapi.nets.faceLandmark68Net.loadFromUri(MODELS_URL)]);
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
