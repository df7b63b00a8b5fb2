import { Piscina } from 'piscina';
import type { EmblemSideRead, PortraitSideRead } from '@shared';
import type { FaceDetection } from './face/faceModels.js';
import { type OcrLine, parseEmblemSide, parsePortraitSide } from './ocr/cardText.js';
import type { VisionTask, VisionTaskResult } from './visionTasks.js';

export interface CardSideReading<T> {
  fields: T;
  /** The OCR rows the fields were taken from: the evidence a reviewer sees. */
  lines: OcrLine[];
}

/** What the BFF asks of the face and OCR models. Every call runs in a worker thread. */
export interface VisionEngine {
  readPortraitSide(image: Buffer): Promise<CardSideReading<PortraitSideRead>>;
  readEmblemSide(image: Buffer): Promise<CardSideReading<EmblemSideRead>>;
  detectFaces(image: Buffer, minConfidence?: number): Promise<FaceDetection>;
  close(): Promise<void>;
}

export interface VisionEngineOptions {
  /** Worker threads; each holds its own copy of the models (about 150 MB). */
  threads: number;
  /** Tasks allowed to wait for a thread; beyond that a call fails at once instead of queueing. */
  maxQueue: number;
}

export class VisionEngineBusyError extends Error {
  constructor() {
    super('vision engine queue is full');
    this.name = 'VisionEngineBusyError';
  }
}

export function createVisionEngine({ threads, maxQueue }: VisionEngineOptions): VisionEngine {
  const pool = new Piscina<VisionTask, VisionTaskResult>({
    filename: new URL('./vision.worker.ts', import.meta.url).href,
    // Workers load TypeScript through the same loader as the main thread, inside and outside vitest.
    execArgv: ['--import', 'tsx'],
    minThreads: threads,
    maxThreads: threads,
    maxQueue,
    idleTimeout: Number.POSITIVE_INFINITY,
  });

  async function run(task: VisionTask): Promise<VisionTaskResult> {
    if (pool.queueSize >= maxQueue) throw new VisionEngineBusyError();
    return pool.run(task);
  }

  async function readText(image: Buffer): Promise<OcrLine[]> {
    const result = await run({ kind: 'text', image });
    if (result.kind !== 'text') throw new Error(`expected text, got ${result.kind}`);
    return result.lines;
  }

  return {
    async readPortraitSide(image) {
      const lines = await readText(image);
      return { fields: parsePortraitSide(lines), lines };
    },
    async readEmblemSide(image) {
      const lines = await readText(image);
      return { fields: parseEmblemSide(lines), lines };
    },
    async detectFaces(image, minConfidence) {
      const result = await run({ kind: 'faces', image, ...(minConfidence === undefined ? {} : { minConfidence }) });
      if (result.kind !== 'faces') throw new Error(`expected faces, got ${result.kind}`);
      return result.detection;
    },
    close: () => pool.destroy(),
  };
}
