import { workerData } from 'node:worker_threads';
import { detectFaces, loadFaceModels } from './face/faceModels.js';
import { loadOcr, readTextLines } from './ocr/ocrReader.js';
import type { VisionTask, VisionTaskResult } from './visionTasks.js';

// Start loading both model sets as soon as the thread exists, so the first request does not pay for it.
loadOcr((workerData as { cpuThreads?: number } | undefined)?.cpuThreads).catch(() => undefined);
loadFaceModels().catch(() => undefined);

export default async function runVisionTask(task: VisionTask): Promise<VisionTaskResult> {
  const image = Buffer.from(task.image.buffer, task.image.byteOffset, task.image.byteLength);
  switch (task.kind) {
    case 'text':
      return { kind: 'text', lines: await readTextLines(image, task.maxSide) };
    case 'faces':
      return { kind: 'faces', detection: await detectFaces(image, task.minConfidence) };
  }
}
