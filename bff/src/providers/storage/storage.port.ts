/** Where evidence images live. Objects are opaque, encrypted by the adapter, addressed by a random id. */
export interface EvidenceStorage {
  put(data: Buffer): Promise<string>;
  get(id: string): Promise<Buffer>;
  delete(id: string): Promise<void>;
}
