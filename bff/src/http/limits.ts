import type Database from 'better-sqlite3';
import type { RequestHandler } from 'express';
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimitsConfig, RateLimit } from '../config.js';
import { AppError } from '../errors.js';
import { clientOf } from './client.js';

/** What is counted per client (or per device). */
export const LIMITED = [
  'requests', 'holds', 'orders', 'uploads', 'liveChecks', 'submissions', 'deviceSubmissions', 'activations', 'signInFailures', 'marks', 'handoffClaims', 'numberCodes', 'reports',
] as const satisfies readonly (keyof LimitsConfig)[];
export type Limited = (typeof LIMITED)[number];

/** What the buyer is told when a limit is reached, by what was limited. */
const REFUSALS: Record<Limited, string> = {
  requests: 'too many requests from this network; wait a moment',
  holds: 'too many numbers held from this network; wait a few minutes',
  orders: 'too many orders from this network; try again later',
  uploads: 'too many photos sent from this network; try again later',
  liveChecks: 'too many live checks from this network; try again later',
  submissions: 'too many applications from this network today; try again tomorrow or visit a store',
  deviceSubmissions: 'too many applications from this device today; try again tomorrow or visit a store',
  activations: 'too many activation attempts from this network; try again later',
  signInFailures: 'too many wrong access codes from this network; wait before trying again',
  marks: 'too many requests for agent marks; wait a moment',
  handoffClaims: 'too many hand-off codes tried from this network; wait a few minutes',
  numberCodes: 'too many number codes asked for or tried from this network; wait a while, or register in one of our stores',
  reports: 'too many reports filed or looked up from this network; try again later, or call our service line',
};

/** The table the counters live in, in a database of their own (DATA_DIR/limits.db). */
export const LIMITS_TABLE = 'rate_limits';

/**
 * Where the counters live: an SQLite file every process of the machine shares, the orders'
 * PostgreSQL (every process of every machine counts together; the table is made by the migrations),
 * or the process's memory.
 */
export type LimitStore = { kind: 'sqlite'; db: Database.Database } | { kind: 'postgres'; pool: pg.Pool } | { kind: 'memory' };

/**
 * Per-client limits over rate-limiter-flexible. Counters live in SQLite by default, so every BFF
 * process of a machine counts together (its Postgres store takes the same limiters across machines);
 * if the store fails, an in-memory counter takes over for that process rather than letting all through.
 */
export class Limits {
  readonly #limiters = new Map<Limited, RateLimiterAbstract>();
  readonly #store: LimitStore;

  constructor(readonly config: LimitsConfig, store: LimitStore) {
    this.#store = store;
    if (store.kind === 'sqlite') {
      // Counters need no fsync per write: a crash loses at most a few seconds of counting.
      store.db.pragma('synchronous = NORMAL');
      store.db.exec(`CREATE TABLE IF NOT EXISTS ${LIMITS_TABLE} (key TEXT PRIMARY KEY, points INTEGER NOT NULL DEFAULT 0, expire INTEGER)`);
    }
    for (const name of LIMITED) this.#limiters.set(name, this.limiter(name, config[name]));
  }

  private limiter(name: Limited, { points, seconds }: RateLimit): RateLimiterAbstract {
    // A client that has spent its points is refused from memory for the rest of the window: a flood
    // of refused requests costs no write to the store.
    const options = { keyPrefix: name, points, duration: seconds, inMemoryBlockOnConsumed: points };
    if (this.#store.kind === 'memory') return new RateLimiterMemory(options);
    if (this.#store.kind === 'postgres') {
      return new RateLimiterPostgres({
        ...options, storeClient: this.#store.pool, storeType: 'pool', tableName: LIMITS_TABLE, tableCreated: true, clearExpiredByTimeout: false,
        insuranceLimiter: new RateLimiterMemory(options),
      });
    }
    return new RateLimiterSQLite({
      ...options, storeClient: this.#store.db, storeType: 'better-sqlite3', tableName: LIMITS_TABLE, tableCreated: true,
      insuranceLimiter: new RateLimiterMemory(options),
    });
  }

  /** Spends one point of `name` for `key`; refused (429, Retry-After) when none is left. */
  async spend(name: Limited, key: string): Promise<void> {
    try {
      await this.get(name).consume(key);
    } catch (error) {
      throw refusal(name, error);
    }
  }

  /** Middleware: one point of `name` for the client of each request. */
  per(name: Limited): RequestHandler {
    return (req, _res, next) => {
      this.spend(name, clientOf(req)).then(() => next(), next);
    };
  }

  /** Refuses a client whose failures of `name` are spent, without counting this request. */
  async refuseIfSpent(name: Limited, key: string): Promise<void> {
    const used = await this.get(name).get(key).catch(() => null);
    if (used && used.remainingPoints <= 0 && used.consumedPoints >= this.config[name].points) throw refusal(name, used);
  }

  /** Counts one failure (a wrong access code); never throws: the caller answers the failure itself. */
  async countFailure(name: Limited, key: string): Promise<void> {
    await this.get(name).consume(key).catch(() => undefined);
  }

  /** Forgets counters whose window has passed (the sweep; every process may run it at once). */
  async prune(now: number): Promise<void> {
    if (this.#store.kind === 'sqlite') this.#store.db.prepare(`DELETE FROM ${LIMITS_TABLE} WHERE expire < ?`).run(now);
    if (this.#store.kind === 'postgres') await this.#store.pool.query(`DELETE FROM ${LIMITS_TABLE} WHERE expire < $1`, [now]);
  }

  async close(): Promise<void> {
    if (this.#store.kind === 'sqlite') this.#store.db.close();
    if (this.#store.kind === 'postgres') await this.#store.pool.end();
  }

  private get(name: Limited): RateLimiterAbstract {
    const limiter = this.#limiters.get(name);
    if (!limiter) throw new Error(`no limiter ${name}`);
    return limiter;
  }
}

function refusal(name: Limited, error: unknown): Error {
  if (!(error instanceof RateLimiterRes)) return error instanceof Error ? error : new Error('rate limiter failed');
  return new AppError('rate_limited', REFUSALS[name], 429, { retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) });
}

/**
 * Checks a credential (a courier's access code, the operator's token, a channel's key) for a client
 * whose wrong guesses are limited: refused outright once they are spent, each wrong one counted.
 */
export async function signIn<T>(limits: Limits, client: string, check: () => T | Promise<T>): Promise<T> {
  await limits.refuseIfSpent('signInFailures', client);
  try {
    return await check();
  } catch (error) {
    if (error instanceof AppError && (error.code === 'unauthorized' || error.code === 'sign_in_failed')) await limits.countFailure('signInFailures', client);
    throw error;
  }
}
