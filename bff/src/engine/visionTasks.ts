import type { FaceDetection } from './face/faceModels.js';
import type { OcrLine } from './ocr/cardText.js';

/** Messages between the engine and its worker threads (structured-cloned). */
export type VisionTask =
  | { kind: 'text'; image: Uint8Array; maxSide?: number }
  | { kind: 'faces'; image: Uint8Array; minConfidence?: number };

export type VisionTaskResult =
  | { kind: 'text'; lines: OcrLine[] }
  | { kind: 'faces'; detection: FaceDetection };
