import type { OutcomeReason, PortraitSideRead } from '@shared';

/** Characters an address read twice by OCR may differ by (a stroke misread), as a share of its length. */
const ADDRESS_TOLERANCE = 0.1;

const compact = (text: string | undefined): string => (text ?? '').replace(/\s+/g, '');

/** Levenshtein distance, for the short strings of an address. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

export interface SameCardReasons {
  idNumber: OutcomeReason;
  name: OutcomeReason;
  /** When given, the address must agree too (the same card, not just the same person). */
  address?: OutcomeReason;
}

/**
 * What disagrees between the card read when the order was placed and the card read now: the number
 * and the name exactly (the buyer confirmed them), the address allowing a misread stroke or two.
 */
export function cardDifferences(online: PortraitSideRead, now: PortraitSideRead, reasons: SameCardReasons): OutcomeReason[] {
  const found: OutcomeReason[] = [];
  if (compact(online.idNumber).toUpperCase() !== compact(now.idNumber).toUpperCase()) found.push(reasons.idNumber);
  if (compact(online.name) !== compact(now.name)) found.push(reasons.name);
  if (reasons.address) {
    const a = compact(online.address);
    const b = compact(now.address);
    if (editDistance(a, b) > Math.floor(Math.max(a.length, b.length) * ADDRESS_TOLERANCE)) found.push(reasons.address);
  }
  return found;
}

/** 张三 → 张*, 欧阳娜娜 → 欧***: enough for a courier to greet the recipient. */
export function maskName(name: string | undefined): string {
  const chars = [...compact(name)];
  return chars.length === 0 ? '' : `${chars[0]}${'*'.repeat(Math.max(1, chars.length - 1))}`;
}
