/** Where evidence images live. Objects are opaque, encrypted by the adapter, addressed by a random id. */
export interface EvidenceStorage {
  put(data: Buffer): Promise<string>;
  get(id: string): Promise<Buffer>;
  delete(id: string): Promise<void>;
  /** Every object's id (a key rotation visits them all). */
  list(): AsyncIterable<string>;
  /**
   * Replaces an object's sealed bytes by what `change` makes of them (a re-wrapped data key); no
   * change when it gives undefined, or when the object was deleted meanwhile. True when replaced.
   */
  rewrap(id: string, change: (sealed: Buffer) => Buffer | undefined): Promise<boolean>;
  /** Fails when the store does not answer (the readiness check); a local folder has the disk check instead. */
  probe?(): Promise<void>;
}
