import { describe, expect, it } from 'vitest';
import { ApiError } from '../../web/src/api/client.js';
import { sendAgainWhileBusy } from '../../web/src/liveness/sendAgain.js';

const busy = () => new ApiError('overloaded', 'busy reading other photos; try again in a few seconds', 503);

/** A server that answers with `answers` in turn (an error is thrown), and the waits it was given. */
function server(answers: (string | Error)[]) {
  const waits: string[] = [];
  const send = (): Promise<string> => {
    const next = answers.shift();
    return next === undefined || next instanceof Error ? Promise.reject(next ?? new Error('no more answers')) : Promise.resolve(next);
  };
  const options = {
    times: 3,
    waitMs: 5000,
    sleep: (ms: number) => {
      waits.push(`slept ${ms}`);
      return Promise.resolve();
    },
    onWait: (waiting: boolean) => {
      waits.push(waiting ? 'waiting' : 'sending');
    },
  };
  return { send, options, waits };
}

describe('a live check answer sent to a busy server', () => {
  it('is sent again after the wait while the server is busy, and the verdict returned', async () => {
    const s = server([busy(), busy(), 'passed']);
    expect(await sendAgainWhileBusy(s.send, s.options)).toBe('passed');
    expect(s.waits).toEqual(['waiting', 'slept 5000', 'sending', 'waiting', 'slept 5000', 'sending']);
  });

  it('gives up after the last try, with the server\'s error', async () => {
    const s = server([busy(), busy(), busy(), busy(), 'never asked']);
    await expect(sendAgainWhileBusy(s.send, s.options)).rejects.toMatchObject({ status: 503, code: 'overloaded' });
    expect(s.waits.filter((w) => w === 'waiting')).toHaveLength(3);
  });

  it('does not send again what the server refused for another reason, or once the page is left', async () => {
    const used = server([new ApiError('liveness_challenge_used', 'answered already', 409), 'never asked']);
    await expect(sendAgainWhileBusy(used.send, used.options)).rejects.toMatchObject({ status: 409 });
    const left = server([busy(), 'never asked']);
    await expect(sendAgainWhileBusy(left.send, { ...left.options, stillWanted: () => false })).rejects.toMatchObject({ status: 503 });
    expect([...used.waits, ...left.waits]).toEqual([]);
    // Left during the wait: not sent again after it.
    let wanted = true;
    const leftWaiting = server([busy(), 'never asked']);
    const waiting = { ...leftWaiting.options, stillWanted: () => wanted, sleep: () => {
      wanted = false;
      return Promise.resolve();
    } };
    await expect(sendAgainWhileBusy(leftWaiting.send, waiting)).rejects.toMatchObject({ status: 503 });
  });
});
