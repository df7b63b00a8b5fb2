import { AsyncLocalStorage } from 'node:async_hooks';

/** Who a piece of work is done for: a client of the API, or the server itself (sweeps, resumed work). */
export interface WorkContext {
  /** A keyed digest of the client's address; `system` for the server's own work. */
  client: string;
  /** Aborted when the request the work is for has been answered or dropped: what still waits is no use. */
  signal?: AbortSignal;
}

export const SYSTEM_CLIENT = 'system';

const storage = new AsyncLocalStorage<WorkContext>();

/** Runs `fn` (and everything it starts) on behalf of `context`. */
export function runAs<T>(context: WorkContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The client the current work is for. */
export function currentClient(): string {
  return storage.getStore()?.client ?? SYSTEM_CLIENT;
}

/** The signal of the request the current work is for, if it is for one. */
export function currentSignal(): AbortSignal | undefined {
  return storage.getStore()?.signal;
}

/**
 * Runs `fn` for the same client but for no request: work that outlives the request that started it
 * (a verification after the 202) is not dropped when that request is answered.
 */
export function detached<T>(fn: () => T): T {
  return storage.run({ client: currentClient() }, fn);
}
