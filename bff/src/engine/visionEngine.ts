import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Piscina } from 'piscina';
import { SYSTEM_CLIENT, currentClient, currentSignal } from '../context.js';
import { FairQueue } from './fairQueue.js';
import type { EmblemSideRead, PortraitSideRead } from '@shared';
import type { FaceDetection, FaceDetector } from './face/faceModels.js';
import type { SequenceRead } from './face/frameSequence.js';
import {
  EMBLEM_FIELD_COUNT, FREE_TEXT_FIELDS, type FreeTextField, type OcrLine, PORTRAIT_FIELD_COUNT, type ReadSigns,
  emblemSigns, isDoubtful, parseEmblemSide, parsePortraitSide, portraitSigns,
} from './ocr/cardText.js';
import { OCR_DEFAULT_SIDE, type ThreadReady, type VisionTask, type VisionTaskResult } from './visionTasks.js';

export interface CardSideReading<T> {
  fields: T;
  /** The OCR rows the fields were taken from: the evidence a reviewer sees. */
  lines: OcrLine[];
  /** Signs of each free-text field's reading, from the pass it was taken from. */
  signs: Partial<Record<FreeTextField, ReadSigns>>;
  /** Free-text fields read that may not be whole: a character in them was most likely skipped or barely made out. */
  doubtful: FreeTextField[];
}

/** What the BFF asks of the face and OCR models. Every call runs in a worker thread. */
export interface VisionEngine {
  readPortraitSide(image: Buffer): Promise<CardSideReading<PortraitSideRead>>;
  readEmblemSide(image: Buffer): Promise<CardSideReading<EmblemSideRead>>;
  /** Every line of text in an image, read with its long side at `maxSide`. */
  readLines(image: Buffer, maxSide?: number): Promise<OcrLine[]>;
  detectFaces(image: Buffer, minConfidence?: number, detector?: FaceDetector): Promise<FaceDetection>;
  /**
   * A live check's frames read in one task (the face is followed from frame to frame); `still`
   * marks the frames where the person holds still, which are read more sparsely.
   */
  readSequence(frames: Buffer[], still: boolean[]): Promise<SequenceRead>;
  /** Whether a thread answers (its models loaded) within `timeoutMs`: the readiness check. */
  ping(timeoutMs: number): Promise<boolean>;
  /** Tasks waiting and running, and the threads alive: what a monitor (or a bench) looks at. */
  stats(): { waiting: number; running: number; threads: number; ended: number };
  close(): Promise<void>;
}

export interface VisionEngineOptions {
  /** Worker threads; each holds its own copy of the models (about 150 MB). */
  threads: number;
  /** Tasks allowed to wait for a thread; beyond that a call fails at once instead of queueing. */
  maxQueue: number;
  /** Tasks one client may have waiting or running; the server's own work is not capped. */
  maxPerClient?: number;
  /** Time one task may run before its thread is replaced. */
  taskTimeoutMs?: number;
  /** JavaScript heap of one thread; beyond it the thread is replaced. */
  threadMemoryMb?: number;
}

/** Time a thread may take to load its models before tasks (or a close) stop waiting for it. */
const THREAD_LOAD_LIMIT_MS = 120_000;

/** How long a task past its time may still finish before its thread is ended (see `onThread`). */
const OVERRUN_GRACE_MS = 30_000;

/** Long sides tried in turn until every field of a side is read; the first is the usual one. */
const OCR_SCALES = [OCR_DEFAULT_SIDE, 1280, 1536, 800] as const;

/** The queue is full, or this client has its share of it: try again in a moment. */
export class VisionEngineBusyError extends Error {
  constructor() {
    super('vision engine queue is full');
    this.name = 'VisionEngineBusyError';
  }
}

/** A task ran past its time (or its thread past its memory): the thread was replaced. */
export class VisionTaskFailedError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('a vision task ran out of time or memory', options);
    this.name = 'VisionTaskFailedError';
  }
}

export function createVisionEngine({ threads, maxQueue, maxPerClient = maxQueue, taskTimeoutMs = 30_000, threadMemoryMb = 1024 }: VisionEngineOptions): VisionEngine {
  const pool = new Piscina<VisionTask, VisionTaskResult>({
    // Each thread's OCR gets its share of the cores, not all of them.
    workerData: { cpuThreads: Math.max(1, Math.floor(availableParallelism() / threads)) },
    filename: new URL('./vision.worker.ts', import.meta.url).href,
    // Workers load TypeScript through the same loader as the main thread, inside and outside vitest.
    execArgv: ['--import', 'tsx'],
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: Number.POSITIVE_INFINITY,
    // The models' tensors live in wasm memory, outside this limit: it catches a runaway JavaScript heap.
    resourceLimits: { maxOldGenerationSizeMb: threadMemoryMb },
  });

  let closed = false;
  /** Tasks ended for running past their time or memory. */
  let ended = 0;

  // Ending a thread while onnxruntime loads its models aborts the whole process, so no thread is
  // ended before it said it is ready: tasks wait for the first threads, and closing waits for all.
  const readyThreads = new Set<number>();
  pool.on('message', (message: Partial<ThreadReady>) => {
    if (message.kind === 'vision-thread-ready' && typeof message.threadId === 'number') readyThreads.add(message.threadId);
  });
  const allReady = (): boolean => pool.threads.every((thread) => readyThreads.has(thread.threadId)) && readyThreads.size > 0;
  const whenReady = async (limitMs: number): Promise<void> => {
    for (const until = Date.now() + limitMs; !allReady() && Date.now() < until;) await sleep(50);
  };
  const warm = whenReady(THREAD_LOAD_LIMIT_MS);

  /**
   * A task on a thread, given its time. One that overruns is answered at once (its caller gets a
   * 503), but its thread is ended only if it has still not finished after OVERRUN_GRACE_MS: ending a
   * thread in the middle of an onnxruntime run aborts the whole process, and a slow task usually
   * finishes. The pool replaces an ended thread.
   */
  async function onThread(task: VisionTask, timeoutMs = taskTimeoutMs): Promise<VisionTaskResult> {
    if (closed) throw new Error('the vision engine is closed');
    await warm;
    const controller = new AbortController();
    const running = pool.run(task, { signal: controller.signal });
    let timer: NodeJS.Timeout | undefined;
    const overran = new Promise<'overran'>((resolve) => {
      timer = setTimeout(() => resolve('overran'), timeoutMs);
    });
    try {
      const first = await Promise.race([running, overran]);
      if (first !== 'overran') return first;
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        ended += 1;
        throw new VisionTaskFailedError({ cause: error });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
    ended += 1;
    const end = setTimeout(() => controller.abort(), OVERRUN_GRACE_MS).unref();
    running.then(() => clearTimeout(end), () => clearTimeout(end));
    throw new VisionTaskFailedError({ cause: new Error(`the task ran past ${timeoutMs} ms`) });
  }

  // Tasks wait here, one line per client, and go to the threads in turn: a client sending many
  // photos at once waits for its own, not everyone else's.
  const queue = new FairQueue<VisionTask, VisionTaskResult>({
    slots: threads,
    maxWaiting: maxQueue,
    maxPerClient,
    uncapped: SYSTEM_CLIENT,
    run: (task) => onThread(task),
  });

  function run(task: VisionTask): Promise<VisionTaskResult> {
    const queued = queue.push(currentClient(), task, currentSignal());
    if (!queued) return Promise.reject(new VisionEngineBusyError());
    return queued;
  }

  async function readText(image: Buffer, maxSide?: number): Promise<OcrLine[]> {
    const result = await run({ kind: 'text', image, ...(maxSide ? { maxSide } : {}) });
    if (result.kind !== 'text') throw new Error(`expected text, got ${result.kind}`);
    return result.lines;
  }

  /**
   * Reads at the usual scale first; while a field is missing, reads again at the next scale and fills
   * in only what is still missing. An isolated character (壮 of 民族) is misread at some scales and
   * right at others, and a misread never passes the field's own rule, so a wrong value is not merged.
   */
  async function readSide<T extends object>(
    image: Buffer,
    parse: (lines: OcrLine[]) => T,
    fieldCount: number,
    signsOf: (lines: OcrLine[]) => Partial<Record<FreeTextField, ReadSigns>>,
  ): Promise<CardSideReading<T>> {
    let fields = {} as T;
    let signs: Partial<Record<FreeTextField, ReadSigns>> = {};
    const lines: OcrLine[] = [];
    for (const scale of OCR_SCALES) {
      const pass = await readText(image, scale);
      const read = parse(pass);
      // A field's signs are those of the pass it was taken from: the first that read it.
      const passSigns = signsOf(pass);
      for (const field of FREE_TEXT_FIELDS) {
        const sign = passSigns[field];
        if (field in read && !(field in fields) && sign) signs = { ...signs, [field]: sign };
      }
      fields = { ...read, ...fields };
      lines.push(...pass);
      if (Object.keys(fields).length >= fieldCount) break;
    }
    const doubtful = FREE_TEXT_FIELDS.filter((field) => signs[field] && isDoubtful(signs[field]));
    return { fields, lines, signs, doubtful };
  }

  return {
    readPortraitSide: (image) => readSide(image, parsePortraitSide, PORTRAIT_FIELD_COUNT, portraitSigns),
    readEmblemSide: (image) => readSide(image, parseEmblemSide, EMBLEM_FIELD_COUNT, emblemSigns),
    readLines: readText,
    async detectFaces(image, minConfidence, detector) {
      const result = await run({ kind: 'faces', image, ...(minConfidence === undefined ? {} : { minConfidence }), ...(detector ? { detector } : {}) });
      if (result.kind !== 'faces') throw new Error(`expected faces, got ${result.kind}`);
      return result.detection;
    },
    async readSequence(frames, still) {
      const result = await run({ kind: 'sequence', images: frames, still });
      if (result.kind !== 'sequence') throw new Error(`expected a sequence, got ${result.kind}`);
      return result.read;
    },
    stats: () => ({ waiting: queue.waiting, running: queue.running, threads: pool.threads.length, ended }),
    async ping(timeoutMs) {
      try {
        return (await onThread({ kind: 'ping' }, timeoutMs)).kind === 'ping';
      } catch {
        return false;
      }
    },
    async close() {
      closed = true;
      await whenReady(THREAD_LOAD_LIMIT_MS);
      await pool.destroy();
    },
  };
}
