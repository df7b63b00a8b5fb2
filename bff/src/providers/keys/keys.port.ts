import type { KeyringData } from '../../crypto/keyring.js';

/**
 * Where the keyring is kept: a file outside the data folder, the environment, or a file wrapped by a
 * KMS. The keys never sit in the database or the evidence store they protect.
 */
export interface KeySource {
  /** Where the keys come from, for messages (never the keys themselves). */
  readonly description: string;
  load(): Promise<KeyringData>;
  /** Stores a changed keyring (a rotation). A source that cannot write says what to set instead. */
  save(data: KeyringData): Promise<void>;
}

/** The keys could not be read or written; the message says where and what to do. */
export class KeySourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeySourceError';
  }
}
