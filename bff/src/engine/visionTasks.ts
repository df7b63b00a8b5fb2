import type { FaceDetection, FaceDetector } from './face/faceModels.js';
import type { SequenceRead } from './face/frameSequence.js';
import type { OcrLine } from './ocr/cardText.js';

/**
 * Long side an image is scaled to before text detection. PP-OCRv4's detector works on the whole
 * image, so its time grows with the pixel count; card text stays legible well below this.
 * (Here rather than in ocrReader.ts, so the main thread need not load onnxruntime to know it.)
 */
export const OCR_DEFAULT_SIDE = 960;

/** Long side live-check frames are read at; the page sends them at this size. */
export const FRAME_SIDE = 480;

/** A live-check frame decoded once where it was received: packed RGB, upright, at most FRAME_SIDE long. */
export interface RawFrame {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Messages between the engine and its worker threads (structured-cloned). */
export type VisionTask =
  | { kind: 'text'; image: Uint8Array; maxSide?: number }
  | { kind: 'faces'; image: Uint8Array; minConfidence?: number; detector?: FaceDetector }
  | { kind: 'sequence'; frames: RawFrame[]; still: boolean[] }
  /** Answers once the thread's models are loaded: the readiness check. */
  | { kind: 'ping' };

export type VisionTaskResult =
  | { kind: 'text'; lines: OcrLine[] }
  | { kind: 'faces'; detection: FaceDetection }
  | { kind: 'sequence'; read: SequenceRead }
  | { kind: 'ping' };

/** What a thread says once its models are loaded (or loading gave up): only then may it be ended. */
export interface ThreadReady {
  kind: 'vision-thread-ready';
  threadId: number;
  loaded: boolean;
}
