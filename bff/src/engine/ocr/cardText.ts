import { ETHNIC_GROUPS, type EmblemSideRead, type PortraitSideRead } from '@shared';

/** One row of text as the OCR engine returns it: boxes on one midline, left to right. */
export interface OcrLine {
  text: string;
  /** Mean character confidence, 0..1. */
  confidence: number;
  /** Top-left and bottom-right corners, as fractions of the image's width and height (0..1). */
  box: { x0: number; y0: number; x1: number; y1: number };
}

/**
 * Printed text runs into the edge of the photo: the card goes on beyond the frame. Every field of a
 * real card sits at least 5% of its width inside its edge, so text at the image's edge means a cut.
 */
export function textTouchesEdge(lines: readonly OcrLine[], margin = 0.01): boolean {
  return lines.some(({ box }) => box.x0 < margin || box.y0 < margin || box.x1 > 1 - margin || box.y1 > 1 - margin);
}

/** Marks printed on specimen cards; never part of a field. */
const SPECIMEN_TOKENS = /样本|SPEC[A-Z]*|MEN\b/gi;

/**
 * OCR output carries spaces between boxes and look-alike characters; fields on the card have neither.
 * The multiplication sign and lower-case x are read for the check character X.
 */
function clean(text: string): string {
  return text.replace(SPECIMEN_TOKENS, '').replace(/\s+/g, '').replace(/[×xＸ]/g, 'X');
}

function cleanRows(lines: readonly OcrLine[]): string[] {
  return [...lines]
    .sort((a, b) => a.box.y0 - b.box.y0)
    .map((line) => clean(line.text))
    .filter((text) => text.length > 0);
}

const ETHNIC_NAMES: ReadonlySet<string> = new Set(ETHNIC_GROUPS);

export const PORTRAIT_FIELD_COUNT = 6;
export const EMBLEM_FIELD_COUNT = 2;

const LABELS = /^(姓名|性别|民族|出生|住址|公民身份号码)/;

/**
 * Reads the portrait side (人像面) from its OCR rows. Labels anchor the fields; the address runs from
 * the 住址 row to the row before 公民身份号码, as the card wraps it over up to three lines.
 */
export function parsePortraitSide(lines: readonly OcrLine[]): PortraitSideRead {
  const rows = cleanRows(lines);
  const read: PortraitSideRead = {};

  for (const [index, row] of rows.entries()) {
    const name = /^姓名(.+)$/.exec(row);
    if (name?.[1]) read.name = name[1];

    const sex = /性别([男女])/.exec(row);
    if (sex?.[1] === '男' || sex?.[1] === '女') read.sex = sex[1];
    // A closed list: anything else is a misread, not a value.
    const ethnicity = /民族(.+)$/.exec(row)?.[1];
    if (ethnicity && ETHNIC_NAMES.has(ethnicity)) read.ethnicity = ethnicity;

    const birth = /出生(\d{4})年(\d{1,2})月(\d{1,2})日/.exec(row);
    if (birth) read.birthDate = `${birth[1]}-${birth[2]?.padStart(2, '0')}-${birth[3]?.padStart(2, '0')}`;

    const address = /^住址(.*)$/.exec(row);
    if (address) {
      const parts = [address[1] ?? ''];
      for (const next of rows.slice(index + 1)) {
        if (LABELS.test(next) || /\d{17}[\dX]/.test(next)) break;
        parts.push(next);
      }
      const joined = parts.join('');
      if (joined) read.address = joined;
    }

    const number = /(?:公民身份号码)?(\d{17}[\dX])/.exec(row);
    if (number?.[1] && !birth) read.idNumber = number[1];
  }
  return read;
}

/** Reads the emblem side (国徽面): 签发机关 and 有效期限. */
export function parseEmblemSide(lines: readonly OcrLine[]): EmblemSideRead {
  const read: EmblemSideRead = {};
  for (const row of cleanRows(lines)) {
    const authority = /^签发机关(.+)$/.exec(row);
    if (authority?.[1]) read.issuingAuthority = authority[1];
    const validity = /有效期限(\d{4}\.\d{2}\.\d{2})[-–—一~](\d{4}\.\d{2}\.\d{2}|长期)/.exec(row);
    if (validity) read.validity = `${validity[1]}-${validity[2]}`;
  }
  return read;
}
