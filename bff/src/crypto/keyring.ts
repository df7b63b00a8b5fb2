import { hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';

export const KEY_BYTES = 32;

/** The id of the one key of installations made before keyrings; objects sealed then carry no id. */
export const LEGACY_KEY_ID = 'k0';

const key = z.string().refine((v) => Buffer.from(v, 'base64').length === KEY_BYTES, 'a key is base64 of 32 bytes');
const keyId = z.string().regex(/^k[0-9a-f]{0,16}$/, 'a key id is k and up to 16 hex digits');

/**
 * The keyring as stored (a file, an environment variable, or wrapped by a KMS). Evidence keys wrap
 * the data key of every sealed object and can be rotated; the digest root derives the keys of every
 * keyed digest (the five-card count, agent marks, the carrier's webhook secret, frame digests, pack
 * codes), which must never change: a count or a mark made under one root is not found under another.
 */
export const keyringDataSchema = z.object({
  version: z.literal(1),
  evidence: z.object({
    /** The key new objects are sealed with. */
    active: keyId,
    keys: z.record(keyId, key),
  }),
  digestRoot: key,
  /** A rotation not finished yet: the key being brought in, and how far it got. */
  rotation: z.object({ to: keyId, stage: z.enum(['staged', 'active']), startedAt: z.string() }).optional(),
}).refine((k) => k.evidence.keys[k.evidence.active] !== undefined, 'the active key is not in the keyring')
  .refine((k) => !k.rotation || k.evidence.keys[k.rotation.to] !== undefined, 'the key being rotated in is not in the keyring');
export type KeyringData = z.infer<typeof keyringDataSchema>;

const randomKey = (): string => randomBytes(KEY_BYTES).toString('base64');
const newKeyId = (): string => `k${randomBytes(4).toString('hex')}`;

/** A keyring for a new installation: one evidence key, one digest root, both random. */
export function newKeyring(): KeyringData {
  const id = newKeyId();
  return { version: 1, evidence: { active: id, keys: { [id]: randomKey() } }, digestRoot: randomKey() };
}

/**
 * The keyring of an installation that had one master key: that key stays the evidence key of its
 * objects and the root of its digests, so every object opens and every count and mark stays as it was.
 */
export function keyringFromMasterKey(masterKey: Buffer): KeyringData {
  const encoded = masterKey.toString('base64');
  return { version: 1, evidence: { active: LEGACY_KEY_ID, keys: { [LEGACY_KEY_ID]: encoded } }, digestRoot: encoded };
}

/** Parses a stored keyring; a damaged one is an error that says what is wrong, never a fresh keyring. */
export function parseKeyring(json: string): KeyringData {
  const parsed = keyringDataSchema.safeParse(JSON.parse(json));
  if (!parsed.success) throw new Error(`the keyring is not valid: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data;
}

/** Rotation, step one: a new evidence key every process learns before anything is sealed with it. */
export function stageEvidenceKey(data: KeyringData, now: Date): KeyringData {
  if (data.rotation) return data;
  const id = newKeyId();
  return { ...data, evidence: { ...data.evidence, keys: { ...data.evidence.keys, [id]: randomKey() } }, rotation: { to: id, stage: 'staged', startedAt: now.toISOString() } };
}

/** Step two: the staged key seals new objects. */
export function activateStagedKey(data: KeyringData): KeyringData {
  if (!data.rotation) return data;
  return { ...data, evidence: { ...data.evidence, active: data.rotation.to }, rotation: { ...data.rotation, stage: 'active' } };
}

/** Step three, once every object is re-wrapped: the rotation is over. */
export function finishRotation(data: KeyringData): KeyringData {
  return { version: data.version, evidence: data.evidence, digestRoot: data.digestRoot };
}

/** Drops evidence keys that no object uses any more (never the active one). */
export function retireKeys(data: KeyringData, ids: readonly string[]): KeyringData {
  const keys = Object.fromEntries(Object.entries(data.evidence.keys).filter(([id]) => id === data.evidence.active || !ids.includes(id)));
  return { ...data, evidence: { ...data.evidence, keys } };
}

/** The keys of a keyring, decoded, with the purpose keys derived once. */
export class Keyring {
  readonly activeId: string;
  readonly #evidence: Map<string, Buffer>;
  readonly #root: Buffer;
  readonly #digestKeys = new Map<string, Buffer>();

  constructor(readonly data: KeyringData) {
    this.activeId = data.evidence.active;
    this.#evidence = new Map(Object.entries(data.evidence.keys).map(([id, value]) => [id, Buffer.from(value, 'base64')]));
    this.#root = Buffer.from(data.digestRoot, 'base64');
  }

  /** An evidence key by id; undefined when this keyring does not (or not yet) hold it. */
  evidenceKey(id: string): Buffer | undefined {
    return this.#evidence.get(id);
  }

  get evidenceKeyIds(): string[] {
    return [...this.#evidence.keys()];
  }

  /** The key of one digest purpose: derived from the root, so purposes never share a key. */
  digestKey(purpose: string): Buffer {
    let derived = this.#digestKeys.get(purpose);
    if (!derived) {
      derived = Buffer.from(hkdfSync('sha256', this.#root, Buffer.alloc(0), `digest:${purpose}`, KEY_BYTES));
      this.#digestKeys.set(purpose, derived);
    }
    return derived;
  }
}
