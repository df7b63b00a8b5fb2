import { readFile } from 'node:fs/promises';
import { fileTypeFromBuffer } from 'file-type';
import { ConfigError } from '../config.js';
import { SANDBOX_LOGO_SVG } from '../sandbox/logo.js';

/** The operator's logo as agent marks show it. */
export interface OperatorLogo {
  type: 'image/png' | 'image/svg+xml';
  bytes: Buffer;
}

/** A logo is a small picture: a larger file is a mistake in OPERATOR_LOGO. */
const MAX_LOGO_BYTES = 256 * 1024;

/** The logo OPERATOR_LOGO names (a PNG or an SVG without script), or the sandbox's. */
export async function loadOperatorLogo(file: string | undefined): Promise<OperatorLogo> {
  if (!file) return { type: 'image/svg+xml', bytes: Buffer.from(SANDBOX_LOGO_SVG) };
  const bytes = await readFile(file).catch(() => {
    throw new ConfigError([`OPERATOR_LOGO: cannot read ${file}`]);
  });
  if (bytes.length > MAX_LOGO_BYTES) throw new ConfigError([`OPERATOR_LOGO: ${file} is larger than ${MAX_LOGO_BYTES / 1024} kB`]);
  if ((await fileTypeFromBuffer(bytes))?.mime === 'image/png') return { type: 'image/png', bytes };
  const text = bytes.toString('utf8');
  if (/<svg[\s>]/u.test(text) && !/<script|\son\w+\s*=|javascript:/iu.test(text)) return { type: 'image/svg+xml', bytes };
  throw new ConfigError([`OPERATOR_LOGO: ${file} is not a PNG, or an SVG without script`]);
}
