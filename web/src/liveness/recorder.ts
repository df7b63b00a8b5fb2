import { LIVENESS_FRAMES, type LivenessTimeline } from '@shared';

/** What the page sends for a live check: the frames, and when each was taken under which colour. */
export interface Recording {
  frames: Blob[];
  timeline: LivenessTimeline;
}

/** Long side of the frames sent: the server reads faces at 480 px. */
export const FRAME_SIDE = 480;

/** Draws the video's current frame (camera orientation, not mirrored) into a canvas of at most FRAME_SIDE. */
export function snapshot(source: HTMLVideoElement, side = FRAME_SIDE): HTMLCanvasElement {
  const scale = Math.min(1, side / Math.max(source.videoWidth, source.videoHeight));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(source.videoWidth * scale);
  canvas.height = Math.round(source.videoHeight * scale);
  canvas.getContext('2d')?.drawImage(source, 0, 0, canvas.width, canvas.height);
  return canvas;
}

const toJpeg = (canvas: HTMLCanvasElement, quality: number): Promise<Blob> => new Promise((resolve, reject) => {
  canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('capture failed'))), 'image/jpeg', quality);
});

/**
 * Takes a frame of the video every `intervalMs` from `start()` to `stop()`, each with its time and
 * the colour on the screen then: the dense sequence the server follows the motion in. It stops by
 * itself at the most frames the server takes.
 */
export class FrameRecorder {
  readonly #video: HTMLVideoElement;
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #started = 0;
  readonly #frames: Promise<Blob>[] = [];
  readonly #timeline: LivenessTimeline = [];

  constructor(video: HTMLVideoElement, intervalMs: number) {
    this.#video = video;
    this.#intervalMs = intervalMs;
  }

  start(colourNow: () => number | null, now: () => number = () => performance.now()): void {
    this.#started = now();
    const take = (): void => {
      if (this.#frames.length >= LIVENESS_FRAMES.max) {
        this.halt();
        return;
      }
      const t = Math.round(now() - this.#started);
      if (t <= (this.#timeline.at(-1)?.t ?? -1)) return;
      this.#timeline.push({ t, colour: colourNow() });
      this.#frames.push(toJpeg(snapshot(this.#video), 0.8));
    };
    take();
    this.#timer = setInterval(take, this.#intervalMs);
  }

  /** Stops taking frames (the recording is still there to send). */
  halt(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async stop(): Promise<Recording> {
    this.halt();
    return { frames: await Promise.all(this.#frames), timeline: [...this.#timeline] };
  }
}
