import { workerData } from 'node:worker_threads';
import { detectFaces, loadFaceModels } from './face/faceModels.js';
import { loadOcr, readTextLines } from './ocr/ocrReader.js';
import type { VisionTask, VisionTaskResult } from './visionTasks.js';

// Start loading both model sets as soon as the thread exists, so the first request does not pay for
// it. A load that fails here is tried again by the first task that needs it.
loadOcr((workerData as { cpuThreads?: number } | undefined)?.cpuThreads).catch(() => undefined);
loadFaceModels().catch(() => undefined);

/** Confidence a live-check frame's face needs from the tiny detector. */
const FRAME_MIN_CONFIDENCE = 0.4;

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export default async function runVisionTask(task: VisionTask): Promise<VisionTaskResult> {
  switch (task.kind) {
    case 'text':
      return { kind: 'text', lines: await readTextLines(asBuffer(task.image), task.maxSide) };
    case 'faces':
      return { kind: 'faces', detection: await detectFaces(asBuffer(task.image), task.minConfidence, task.detector) };
    case 'frames': {
      const detections = [];
      for (const image of task.images) detections.push(await detectFaces(asBuffer(image), FRAME_MIN_CONFIDENCE, 'frame'));
      return { kind: 'frames', detections };
    }
    case 'ping':
      await Promise.all([loadOcr(), loadFaceModels()]);
      return { kind: 'ping' };
  }
}
