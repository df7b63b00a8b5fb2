import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuthorityPort, AuthorityQuery, AuthorityResult } from './authority.port.js';
import { findSandboxIdentity } from './sandbox.js';

export interface MockAuthorityOptions {
  /** Simulated round trip, in ms: [min, max]. */
  latencyMs?: readonly [number, number];
}

/**
 * A stand-in for the national ID service, backed by the sandbox identity list. It behaves like the
 * vendors: it takes time, honours cancellation, and answers faults for the identities that rehearse them.
 */
export class MockAuthority implements AuthorityPort {
  readonly #latency: readonly [number, number];

  constructor(options: MockAuthorityOptions = {}) {
    this.#latency = options.latencyMs ?? [40, 120];
  }

  async verifyIdentity(query: AuthorityQuery, signal?: AbortSignal): Promise<AuthorityResult> {
    const [min, max] = this.#latency;
    await sleep(min + Math.random() * (max - min), undefined, signal ? { signal } : {});
    const entry = findSandboxIdentity(query.idNumber);
    const source = 'mock';
    // Like the vendors, every answer has the service's id of the check.
    const transactionId = `sandbox-${randomUUID()}`;
    if (!entry) return { outcome: 'no_record', source, transactionId };
    if (entry.name !== query.name) return { outcome: 'mismatch', source, transactionId };
    // The sandbox has no portraits on record: whether a photo matches is part of the rehearsal.
    if (query.photo && entry.outcome === 'match') {
      const match = entry.portrait !== 'differs';
      return { outcome: 'match', source, transactionId, portrait: { similarity: match ? 92 : 31, match } };
    }
    return { outcome: entry.outcome, source, transactionId };
  }
}
