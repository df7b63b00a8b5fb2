import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { type KeyringData, keyringFromMasterKey, newKeyring, parseKeyring } from '../../crypto/keyring.js';
import { type KeySource, KeySourceError } from './keys.port.js';

export interface FileKeySourceOptions {
  /** Make a new keyring when the file is missing (the sandbox); otherwise a missing file is an error. */
  create: boolean;
  /** The single master key of an installation made before keyrings: taken into the keyring, then removed. */
  legacyMasterKeyFile?: string;
}

/** Writes a file readable by its owner only, whole or not at all. */
export async function writePrivateFile(file: string, content: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, content, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, file);
}

/** The keyring in a JSON file, mode 600. */
export class FileKeySource implements KeySource {
  readonly description: string;

  constructor(private readonly file: string, private readonly options: FileKeySourceOptions) {
    this.description = `the key file ${file}`;
  }

  async load(): Promise<KeyringData> {
    let json: string;
    try {
      json = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new KeySourceError(`cannot read ${this.description}`, { cause: error });
      return this.first();
    }
    return parseKeyring(json);
  }

  async save(data: KeyringData): Promise<void> {
    await writePrivateFile(this.file, `${JSON.stringify(data, null, 2)}\n`);
  }

  /** No keyring yet: the older installation's master key, a new keyring (sandbox), or an error. */
  private async first(): Promise<KeyringData> {
    const legacy = this.options.legacyMasterKeyFile;
    const master = legacy ? await readFile(legacy, 'utf8').catch(() => undefined) : undefined;
    let data: KeyringData;
    if (master !== undefined) data = keyringFromMasterKey(Buffer.from(master.trim(), 'base64'));
    else if (this.options.create) data = newKeyring();
    else throw new KeySourceError(`no keyring at ${this.file}: create it with \`npm run rotate-key -- --init\``);
    try {
      await writeFile(this.file, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process made it at the same moment: theirs is the keyring.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return parseKeyring(await readFile(this.file, 'utf8'));
      throw error;
    }
    await chmod(this.file, 0o600);
    if (legacy && master !== undefined) await rm(legacy, { force: true });
    return data;
  }
}
