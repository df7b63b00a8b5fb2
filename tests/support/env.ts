import path from 'node:path';
import { inject, it } from 'vitest';
import { freshDatabase } from './postgres.js';

/**
 * Limits far above what a test does from its one address: a suite that makes a hundred orders in a
 * minute is not an abusive client. Tests of the limits themselves set their own.
 */
export const ROOMY_LIMITS: Record<string, string> = {
  LIMIT_REQUESTS: '1000000/1m', LIMIT_HOLDS: '100000/1m', LIMIT_ORDERS: '100000/1m', LIMIT_UPLOADS: '100000/1m', LIMIT_LIVE_CHECKS: '100000/1m',
  LIMIT_SUBMISSIONS: '100000/1m', LIMIT_DEVICE_SUBMISSIONS: '100000/1m', LIMIT_ACTIVATIONS: '100000/1m', LIMIT_SIGN_IN_FAILURES: '100000/1m',
  LIMIT_MARKS: '100000/1m', LIMIT_NUMBER_CODES: '100000/1m', HOLDS_PER_CLIENT: '1000', UPLOAD_MEMORY_MB: '1024', UPLOADS_PER_CLIENT: '1000',
};

/** What every test server runs with unless a test says otherwise: quiet, on a free port, roomy limits. */
export const testEnv = (dir: string): Record<string, string> => ({
  PORT: '0', HOST: '127.0.0.1', DATA_DIR: path.join(dir, 'data'), WEB_DIST: path.join(dir, 'web'), LOG_LEVEL: 'silent', PATROL_INTERVAL_HOURS: '0', LIVENESS_ACTIONS: 'turn_left,turn_right', VISION_THREADS: '1', ...ROOMY_LIMITS,
  // The sandbox SMS centre answers at once and never fails unless a test asks.
  SMS_MOCK_LATENCY_MS: '5', SMS_MOCK_FAILURE_RATE: '0', BILLING_MOCK_LATENCY_MS: '5',
});

/** The engine a test project runs on: SQLite in DATA_DIR (nothing to set), or a fresh database of its own on the run's PostgreSQL. */
export const onPostgres = (): boolean => process.env.TEST_ENGINE === 'postgres';

/** What a test server needs besides testEnv to run on the project's engine. */
export async function databaseEnv(): Promise<Record<string, string>> {
  return onPostgres() ? { DATABASE_URL: await freshDatabase(inject('postgresUrl')) } : {};
}

/**
 * A case about what the checks decide (OCR, faces, the live check's actions), not about what the
 * database keeps: it runs once, on SQLite; the PostgreSQL project runs the suite's other cases.
 */
export const checksCase = it.skipIf(onPostgres());

/** A case whose outcome does not depend on the database engine (who may see what, the clock): it runs once, on SQLite. */
export const engineNeutralCase = it.skipIf(onPostgres());
