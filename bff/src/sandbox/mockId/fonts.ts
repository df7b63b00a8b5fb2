import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

let checked: Promise<void> | undefined;

/**
 * Cards are drawn as SVG, whose text librsvg renders with fontconfig's fonts. Without a Chinese font
 * every character becomes a box and OCR reads nothing, so fail early with the fix instead.
 */
export function assertChineseFont(): Promise<void> {
  checked ??= promisify(execFile)('fc-list', [':lang=zh', 'family'])
    .then(({ stdout }) => {
      if (!stdout.trim()) throw new Error('no Chinese font installed: run `npm run setup` (installs fonts-wqy-microhei)');
    })
    .catch((error: unknown) => {
      checked = undefined;
      throw error instanceof Error && error.message.startsWith('no Chinese font')
        ? error
        : new Error('fontconfig (fc-list) is not available: run `npm run setup`', { cause: error });
    });
  return checked;
}
