import { describe, expect, it } from 'vitest';
import { FairQueue } from '../../bff/src/engine/fairQueue.js';

/** A queue over one slot whose tasks finish when the test says so, recording the order they ran in. */
function queue(options: { maxWaiting?: number; maxPerClient?: number } = {}) {
  const ran: string[] = [];
  const finish: (() => void)[] = [];
  const q = new FairQueue<string, string>({
    slots: 1, maxWaiting: options.maxWaiting ?? 100, maxPerClient: options.maxPerClient ?? 100, uncapped: 'system',
    run: (task) => new Promise((resolve) => {
      ran.push(task);
      finish.push(() => resolve(task));
    }),
  });
  const next = async (): Promise<void> => {
    finish.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { q, ran, next };
}

describe('the fair vision queue', () => {
  it('serves clients in turn: one client\'s twenty tasks delay another\'s one by at most one of its own', async () => {
    const { q, ran, next } = queue();
    const abuser = Array.from({ length: 20 }, (_, i) => q.push('abuser', `a${i}`));
    const buyer = q.push('buyer', 'b0');
    expect(abuser.every(Boolean) && buyer).toBeTruthy();
    await next();
    await next();
    expect(ran).toEqual(['a0', 'a1', 'b0']);
    while (ran.length < 21) await next();
    await next();
    await expect(buyer).resolves.toBe('b0');
  });

  it('refuses a client beyond its share, and anyone when the queue is full, but never the server\'s own work', () => {
    const { q } = queue({ maxPerClient: 2, maxWaiting: 3 });
    expect(q.push('abuser', 'a0')).toBeDefined();
    expect(q.push('abuser', 'a1')).toBeDefined();
    expect(q.push('abuser', 'a2')).toBeUndefined();
    expect(q.push('buyer', 'b0')).toBeDefined();
    expect(q.push('other', 'o0')).toBeDefined();
    expect(q.push('late', 'l0')).toBeUndefined();
    expect(q.push('system', 's0')).toBeDefined();
    expect(q.waiting).toBe(4);
  });

  it('drops a waiting task whose caller gave up, freeing its place and its client\'s share', async () => {
    const { q, ran, next } = queue({ maxPerClient: 2 });
    expect(q.push('buyer', 'b0')).toBeDefined();
    const gaveUp = new AbortController();
    const orphan = q.push('buyer', 'b1', gaveUp.signal);
    expect(q.push('buyer', 'b2')).toBeUndefined();
    gaveUp.abort();
    await expect(orphan).rejects.toThrow(/dropped/);
    expect(q.waiting).toBe(0);
    expect(q.push('buyer', 'b2')).toBeDefined();
    await next();
    await next();
    expect(ran).toEqual(['b0', 'b2']);
  });

  it('frees a client\'s share as its tasks finish', async () => {
    const { q, next } = queue({ maxPerClient: 1 });
    expect(q.push('buyer', 'b0')).toBeDefined();
    expect(q.push('buyer', 'b1')).toBeUndefined();
    await next();
    expect(q.push('buyer', 'b1')).toBeDefined();
  });
});
