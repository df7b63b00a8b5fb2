import { ApiError } from '../api/client.js';

export interface SendAgainOptions {
  /** Times a refused answer is sent again. */
  times: number;
  /** Wait before each new try (the server's Retry-After). */
  waitMs: number;
  /** Told when a wait starts (true) and ends (false): the page says what is happening. */
  onWait?: (waiting: boolean) => void;
  /** False when the page was left: no more tries. */
  stillWanted?: () => boolean;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Sends a live check's answer, and sends the same answer again while the server answers 503 (too busy
 * to read the frames): the server gives the challenge back then, so the buyer keeps the take. Any
 * other error, or the last 503, is thrown.
 */
export async function sendAgainWhileBusy<T>(send: () => Promise<T>, { times, waitMs, onWait, stillWanted = () => true, sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)) }: SendAgainOptions): Promise<T> {
  for (let tries = 0; ; tries += 1) {
    try {
      return await send();
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 503 || tries >= times || !stillWanted()) throw e;
      onWait?.(true);
      try {
        await sleep(waitMs);
      } finally {
        onWait?.(false);
      }
      // The page may have been left during the wait.
      if (!stillWanted()) throw e;
    }
  }
}
