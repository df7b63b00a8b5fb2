import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { detectFaces, loadFaceModels } from './face/faceModels.js';
import { readSequence } from './face/frameSequence.js';
import { loadOcr, readTextLines } from './ocr/ocrReader.js';
import type { ThreadReady, VisionTask, VisionTaskResult } from './visionTasks.js';

/** Loads tried before the thread takes tasks anyway (each task then tries again; readiness says no). */
const LOAD_TRIES = 3;

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

async function runVisionTask(task: VisionTask): Promise<VisionTaskResult> {
  switch (task.kind) {
    case 'text':
      return { kind: 'text', lines: await readTextLines(asBuffer(task.image), task.maxSide) };
    case 'faces':
      return { kind: 'faces', detection: await detectFaces(asBuffer(task.image), task.minConfidence, task.detector) };
    case 'sequence':
      return { kind: 'sequence', read: await readSequence(task.images.map(asBuffer), task.still) };
    case 'ping':
      await Promise.all([loadOcr(), loadFaceModels()]);
      return { kind: 'ping' };
  }
}

/**
 * The thread takes tasks only once both model sets are loaded (the pool waits for this promise):
 * a task's time limit then never ends a thread in the middle of loading a model, which onnxruntime
 * does not survive. A failed load is tried again with back-off.
 */
async function ready(): Promise<typeof runVisionTask> {
  let loaded = false;
  for (let attempt = 1; attempt <= LOAD_TRIES && !loaded; attempt += 1) {
    try {
      await Promise.all([loadOcr((workerData as { cpuThreads?: number } | undefined)?.cpuThreads), loadFaceModels()]);
      loaded = true;
    } catch {
      if (attempt < LOAD_TRIES) await sleep(500 * 2 ** attempt);
    }
  }
  // The engine learns this thread may now be ended safely (visionEngine.ts).
  const message: ThreadReady = { kind: 'vision-thread-ready', threadId, loaded };
  parentPort?.postMessage(message);
  return runVisionTask;
}

export default ready();
