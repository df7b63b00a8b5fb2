export interface FairQueueOptions<T, R> {
  /** Tasks run at once. */
  slots: number;
  /** Tasks allowed to wait in all; beyond that a push is refused. */
  maxWaiting: number;
  /** Tasks one client may have waiting or running; beyond that its push is refused. */
  maxPerClient: number;
  /** A client whose tasks are never refused (the server's own work); it still takes its turn. */
  uncapped?: string;
  run: (task: T) => Promise<R>;
}

interface Entry<T, R> {
  task: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
  /** Stops listening for the caller giving up (once the task runs, it runs to its end). */
  forget: () => void;
}

/** The caller gave up on a task before it ran (its request was answered or dropped). */
export class TaskDroppedError extends Error {
  constructor() {
    super('dropped before it ran: nobody waits for it any more');
    this.name = 'TaskDroppedError';
  }
}

/**
 * A queue in front of a few slots that serves clients in turn (round robin) rather than in arrival
 * order: a client that sends twenty tasks delays another client's one task by at most one of its own.
 */
export class FairQueue<T, R> {
  readonly #o: FairQueueOptions<T, R>;
  /** Waiting tasks by client, in the order clients get their turn (Map keeps insertion order). */
  readonly #lines = new Map<string, Entry<T, R>[]>();
  /** Tasks waiting or running, by client. */
  readonly #held = new Map<string, number>();
  #waiting = 0;
  #running = 0;

  constructor(options: FairQueueOptions<T, R>) {
    this.#o = options;
  }

  get waiting(): number {
    return this.#waiting;
  }

  get running(): number {
    return this.#running;
  }

  /**
   * Queues a task for a client; undefined when the queue or the client's share is full. When
   * `signal` aborts before the task runs, it leaves the queue (rejected with TaskDroppedError): a
   * task whose request was answered (a sibling refused, the client gone) takes nobody's turn.
   */
  push(client: string, task: T, signal?: AbortSignal): Promise<R> | undefined {
    const held = this.#held.get(client) ?? 0;
    const capped = client !== this.#o.uncapped;
    if (signal?.aborted) return Promise.reject(new TaskDroppedError());
    if (capped && (held >= this.#o.maxPerClient || (this.#running >= this.#o.slots && this.#waiting >= this.#o.maxWaiting))) return undefined;
    this.#held.set(client, held + 1);
    const result = new Promise<R>((resolve, reject) => {
      const drop = (): void => {
        const line = this.#lines.get(client) ?? [];
        const at = line.indexOf(entry);
        if (at < 0) return;
        line.splice(at, 1);
        if (line.length === 0) this.#lines.delete(client);
        this.#waiting -= 1;
        this.release(client);
        reject(new TaskDroppedError());
      };
      const entry: Entry<T, R> = { task, resolve, reject, forget: () => signal?.removeEventListener('abort', drop) };
      signal?.addEventListener('abort', drop, { once: true });
      const line = this.#lines.get(client);
      if (line) line.push(entry);
      else this.#lines.set(client, [entry]);
    });
    this.#waiting += 1;
    this.dispatch();
    return result;
  }

  private release(client: string): void {
    const held = (this.#held.get(client) ?? 1) - 1;
    if (held > 0) this.#held.set(client, held);
    else this.#held.delete(client);
  }

  private dispatch(): void {
    while (this.#running < this.#o.slots) {
      const next = this.#lines.entries().next();
      if (next.done) return;
      const [client, line] = next.value;
      const entry = line.shift();
      // The client goes to the back of the line of clients: everyone else is served first.
      this.#lines.delete(client);
      if (line.length > 0) this.#lines.set(client, line);
      if (!entry) continue;
      entry.forget();
      this.#waiting -= 1;
      this.#running += 1;
      this.#o.run(entry.task).then(entry.resolve, entry.reject).finally(() => {
        this.#running -= 1;
        this.release(client);
        this.dispatch();
      });
    }
  }
}
