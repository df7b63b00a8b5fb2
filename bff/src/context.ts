import { AsyncLocalStorage } from 'node:async_hooks';

/** Who a piece of work is done for: a client of the API, or the server itself (sweeps, resumed work). */
export interface WorkContext {
  /** A keyed digest of the client's address; `system` for the server's own work. */
  client: string;
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
