import { ETHNIC_GROUPS, type EmblemSideRead, type PortraitSideRead } from '@shared';

/** One row of text as the OCR engine returns it: boxes on one midline, left to right. */
export interface OcrLine {
  text: string;
  /** Mean character confidence, 0..1. */
  confidence: number;
  /** Top-left and bottom-right corners, as fractions of the image's width and height (0..1). */
  box: { x0: number; y0: number; x1: number; y1: number };
  /** The lowest probability of any one character read in the row. */
  weakest?: number;
  /** Characters the row most likely holds but were not read (a character unknown to the recogniser, or too faint). */
  skipped?: number;
}

/** A card's printed labels: the space the card leaves around them is not a skipped character. */
export const CARD_LABELS = /姓名|性别|民族|出生|住址|公民身份号码|签发机关|有效期限/;

/**
 * Printed text runs into the edge of the photo: the card goes on beyond the frame. Every field of a
 * real card sits at least 5% of its width inside its edge, so text at the image's edge means a cut.
 */
export function textTouchesEdge(lines: readonly OcrLine[], margin = 0.01): boolean {
  return lines.some(({ text, box }) => text.length > 0 && (box.x0 < margin || box.y0 < margin || box.x1 > 1 - margin || box.y1 > 1 - margin));
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

interface Row {
  text: string;
  line: OcrLine;
}

function cleanRows(lines: readonly OcrLine[]): Row[] {
  return [...lines]
    .sort((a, b) => a.box.y0 - b.box.y0)
    .map((line) => ({ text: clean(line.text), line }))
    .filter(({ text }) => text.length > 0);
}

/**
 * A character read with less probability than this is as likely another one: 彧 read as 或, 兖 as 充
 * on the specimen cards the evaluation was tuned on (tests/evaluation/ocr.ts, which measures other
 * values too).
 */
export const WEAK_CHARACTER = 0.6;

/** What the rows of a field say of its reading: its weakest character, and the characters most likely skipped. */
export interface ReadSigns {
  weakest: number;
  skipped: number;
}

/**
 * The fields whose reading is checked for doubt: free text, which no rule can tell from a misreading.
 * The others are checked by their form (a closed list, a date, a check character) and a misread one
 * is missing, not wrong.
 */
export const FREE_TEXT_FIELDS = ['name', 'address', 'issuingAuthority'] as const;
export type FreeTextField = (typeof FREE_TEXT_FIELDS)[number];

export const isDoubtful = ({ weakest, skipped }: ReadSigns, weak = WEAK_CHARACTER): boolean => skipped > 0 || weakest < weak;

function signsOf(lines: readonly OcrLine[], extraSkipped = 0): ReadSigns {
  return {
    weakest: Math.min(1, ...lines.map((line) => line.weakest ?? 1)),
    skipped: lines.reduce((sum, line) => sum + (line.skipped ?? 0), extraSkipped),
  };
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
  return readPortrait(lines).read;
}

/**
 * Signs of the free-text fields read on the portrait side (name, address): a character the recogniser
 * most likely skipped or barely made out in a row they were read from, or (the address) a row too
 * faint to read among its lines. A doubtful value may be wrong although every rule passes it.
 */
export function portraitSigns(lines: readonly OcrLine[]): Partial<Record<FreeTextField, ReadSigns>> {
  const { rows } = readPortrait(lines);
  const signs: Partial<Record<FreeTextField, ReadSigns>> = {};
  if (rows.name) signs.name = signsOf(rows.name);
  const address = rows.address;
  if (address?.[0]) {
    const top = address[0].box.y0;
    const bottom = rows.idNumber?.[0]?.box.y0 ?? 1;
    const left = address[0].box.x0;
    const right = Math.max(...address.map((line) => line.box.x1));
    const faint = lines.filter((line) => !line.text.trim() && line.box.y0 > top && line.box.y1 < bottom && line.box.x1 > left && line.box.x0 < right).length;
    signs.address = signsOf(address, faint);
  }
  return signs;
}

function readPortrait(lines: readonly OcrLine[]): { read: PortraitSideRead; rows: Partial<Record<keyof PortraitSideRead, OcrLine[]>> } {
  const all = cleanRows(lines);
  const read: PortraitSideRead = {};
  const rows: Partial<Record<keyof PortraitSideRead, OcrLine[]>> = {};

  for (const [index, { text: row, line }] of all.entries()) {
    const name = /^姓名(.+)$/.exec(row);
    if (name?.[1]) {
      read.name = name[1];
      rows.name = [line];
    }

    const sex = /性别([男女])/.exec(row);
    if (sex?.[1] === '男' || sex?.[1] === '女') {
      read.sex = sex[1];
      rows.sex = [line];
    }
    // A closed list: anything else is a misread, not a value.
    const ethnicity = /民族(.+)$/.exec(row)?.[1];
    if (ethnicity && ETHNIC_NAMES.has(ethnicity)) {
      read.ethnicity = ethnicity;
      rows.ethnicity = [line];
    }

    const birth = /出生(\d{4})年(\d{1,2})月(\d{1,2})日/.exec(row);
    if (birth) {
      read.birthDate = `${birth[1]}-${birth[2]?.padStart(2, '0')}-${birth[3]?.padStart(2, '0')}`;
      rows.birthDate = [line];
    }

    const address = /^住址(.*)$/.exec(row);
    if (address) {
      const parts = [address[1] ?? ''];
      const from = [line];
      for (const next of all.slice(index + 1)) {
        if (LABELS.test(next.text) || /\d{17}[\dX]/.test(next.text)) break;
        parts.push(next.text);
        from.push(next.line);
      }
      const joined = parts.join('');
      if (joined) {
        read.address = joined;
        rows.address = from;
      }
    }

    const number = /(?:公民身份号码)?(\d{17}[\dX])/.exec(row);
    if (number?.[1] && !birth) {
      read.idNumber = number[1];
      rows.idNumber = [line];
    }
  }
  return { read, rows };
}

/** Reads the emblem side (国徽面): 签发机关 and 有效期限. */
export function parseEmblemSide(lines: readonly OcrLine[]): EmblemSideRead {
  return readEmblem(lines).read;
}

/** Signs of the free-text field of the emblem side (签发机关), as portraitSigns. */
export function emblemSigns(lines: readonly OcrLine[]): Partial<Record<FreeTextField, ReadSigns>> {
  const { rows } = readEmblem(lines);
  return rows.issuingAuthority ? { issuingAuthority: signsOf([rows.issuingAuthority]) } : {};
}

function readEmblem(lines: readonly OcrLine[]): { read: EmblemSideRead; rows: Partial<Record<keyof EmblemSideRead, OcrLine>> } {
  const read: EmblemSideRead = {};
  const rows: Partial<Record<keyof EmblemSideRead, OcrLine>> = {};
  for (const { text: row, line } of cleanRows(lines)) {
    const authority = /^签发机关(.+)$/.exec(row);
    if (authority?.[1]) {
      read.issuingAuthority = authority[1];
      rows.issuingAuthority = line;
    }
    const validity = /有效期限(\d{4}\.\d{2}\.\d{2})[-–—一~](\d{4}\.\d{2}\.\d{2}|长期)/.exec(row);
    if (validity) {
      read.validity = `${validity[1]}-${validity[2]}`;
      rows.validity = line;
    }
  }
  return { read, rows };
}
