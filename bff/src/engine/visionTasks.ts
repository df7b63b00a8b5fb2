import type { FaceDetection, FaceDetector } from './face/faceModels.js';
import type { SequenceRead } from './face/frameSequence.js';
import type { OcrLine } from './ocr/cardText.js';

/**
 * Long side an image is scaled to before text detection. PP-OCRv4's detector works on the whole
 * image, so its time grows with the pixel count; card text stays legible well below this.
 * (Here rather than in ocrReader.ts, so the main thread need not load onnxruntime to know it.)
 */
export const OCR_DEFAULT_SIDE = 960;

/** Messages between the engine and its worker threads (structured-cloned). */
export type VisionTask =
  | { kind: 'text'; image: Uint8Array; maxSide?: number }
  | { kind: 'faces'; image: Uint8Array; minConfidence?: number; detector?: FaceDetector }
  | { kind: 'sequence'; images: Uint8Array[]; still: boolean[] }
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
