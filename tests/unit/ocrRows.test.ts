import { describe, expect, it } from 'vitest';
import { CARD_LABELS, type OcrLine, emblemSigns, isDoubtful, parsePortraitSide, portraitSigns } from '../../bff/src/engine/ocr/cardText.js';
import { rowsOf } from '../../bff/src/engine/ocr/ocrReader.js';
import { type RecognisedPiece, decodeCtc, skippedCharacters } from '../../bff/src/engine/ocr/recognition.js';

/** A piece of text in a box `width` × 40 px at (x, y), turned by `degrees`, read at the given steps. */
function piece(text: string, x: number, y: number, width: number, steps: number[], length: number, { mean = 0.99, degrees = 0 } = {}): RecognisedPiece {
  const a = (degrees * Math.PI) / 180;
  const at = (dx: number, dy: number): [number, number] => [x + dx * Math.cos(a) - dy * Math.sin(a), y + dx * Math.sin(a) + dy * Math.cos(a)];
  return { text, mean, probabilities: [...text].map(() => mean), steps, length, box: [at(0, 0), at(width, 0), at(width, 40), at(0, 40)] };
}

describe('reading the recogniser output', () => {
  it('decodes greedily: blanks and repeats of the step before dropped, each character with its probability', () => {
    // Steps × classes (0 blank, 1 甲, 2 乙): 甲 甲 blank 甲 乙 blank.
    const rows = [[0.1, 0.8, 0.1], [0.1, 0.7, 0.2], [0.9, 0.05, 0.05], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8], [0.9, 0.05, 0.05]];
    const output = { dims: [1, rows.length, 3], data: Float32Array.from(rows.flat()) };
    const read = decodeCtc(output, ['', '甲', '乙']);
    expect(read.text).toBe('甲甲乙');
    expect(read.steps).toEqual([0, 3, 4]);
    expect(read.probabilities.map((p) => Number(p.toFixed(2)))).toEqual([0.8, 0.6, 0.8]);
    expect(read.length).toBe(6);
  });

  it('finds the hole a character the recogniser does not know leaves, and not the spacing around labels', () => {
    // 四川省涪陵市 with 涪 read as blank: 14 steps between 省 and 陵 where 6-7 is usual.
    expect(skippedCharacters({ text: '四川省陵市', steps: [2, 9, 15, 29, 35], length: 40 })).toBe(1);
    expect(skippedCharacters({ text: '四川省涪陵市', steps: [2, 9, 15, 22, 29, 35], length: 40 })).toBe(0);
    // 覃赟 read as 覃: the box holds two characters, the second blank.
    expect(skippedCharacters({ text: '覃', steps: [3], length: 11 })).toBe(1);
    expect(skippedCharacters({ text: '女', steps: [3], length: 7 })).toBe(0);
    // A label's box runs on towards its value, and a row leaves room between its fields.
    expect(skippedCharacters({ text: '民族', steps: [2, 7], length: 17 }, CARD_LABELS)).toBe(0);
    expect(skippedCharacters({ text: '民族', steps: [2, 7], length: 17 })).toBe(1);
    expect(skippedCharacters({ text: '女民族汉', steps: [2, 14, 19, 30], length: 34 }, CARD_LABELS)).toBe(0);
    // Nothing read in a box wide enough for a character.
    expect(skippedCharacters({ text: '', steps: [], length: 12 })).toBe(1);
  });

  it('joins pieces along a turned card into rows, and keeps a piece too faint to read as an empty row', () => {
    // A card turned 6 degrees: the value 女 sits 50 px lower than its label, on the same line of text.
    const pieces = [
      piece('女', 460, 248, 40, [3], 7, { degrees: 6 }),
      piece('性别', 0, 200, 80, [2, 7], 12, { degrees: 6 }),
      piece('姓名', 7, 130, 80, [2, 7], 12, { degrees: 6 }),
      piece('', 30, 330, 60, [], 12, { mean: 0, degrees: 6 }),
    ];
    const rows = rowsOf(pieces, 1000, 600, CARD_LABELS);
    expect(rows.map((r) => r.text)).toEqual(['姓名', '性别 女', '']);
    expect(rows[1]).toMatchObject({ skipped: 0 });
    expect(rows[2]).toMatchObject({ skipped: 1 });
  });
});

describe('doubt: free-text fields read but perhaps not whole', () => {
  const line = (text: string, y: number, extra: Partial<OcrLine> = {}): OcrLine => ({ text, confidence: 0.99, box: { x0: 0.07, y0: y, x1: 0.55, y1: y + 0.04 }, weakest: 0.98, skipped: 0, ...extra });
  const card = (name: Partial<OcrLine> = {}, between: OcrLine[] = [], sexRow: Partial<OcrLine> = {}): OcrLine[] => [
    line('姓名 覃', 0.1, name),
    line('性别 女 民族 壮', 0.2, sexRow),
    line('出生 1983年7月11日', 0.3),
    line('住址 陕西省渭南地区华县中山', 0.4),
    ...between,
    line('公民身份号码 612124198307117560', 0.8),
  ];
  const doubtful = (lines: OcrLine[]): string[] => Object.entries(portraitSigns(lines)).filter(([, signs]) => isDoubtful(signs)).map(([field]) => field);

  it('marks the name, the address or the authority when a row of theirs has a skipped character or one barely made out', () => {
    expect(portraitSigns(card())).toEqual({ name: { weakest: 0.98, skipped: 0 }, address: { weakest: 0.98, skipped: 0 } });
    expect(doubtful(card())).toEqual([]);
    expect(doubtful(card({ skipped: 1 }))).toEqual(['name']);
    expect(doubtful(card({ weakest: 0.44 }))).toEqual(['name']);
    expect(isDoubtful({ weakest: 0.44, skipped: 0 }, 0.4)).toBe(false);
    expect(emblemSigns([line('签发机关 华县公安局', 0.7, { skipped: 1 }), line('有效期限 2015.01.01-2035.01.01', 0.8)])).toEqual({ issuingAuthority: { weakest: 0.98, skipped: 1 } });
    // Fields with a form of their own are not marked: a misread one fails its form and is missing.
    expect(doubtful(card({}, [], { skipped: 2, weakest: 0.3 }))).toEqual([]);
  });

  it('marks the address when a row too faint to read lies among its lines, which are read as they are', () => {
    const faint = { text: '', confidence: 0.3, box: { x0: 0.18, y0: 0.47, x1: 0.3, y1: 0.51 }, skipped: 1 };
    const lines = card({}, [faint]);
    expect(parsePortraitSide(lines).address).toBe('陕西省渭南地区华县中山');
    expect(doubtful(lines)).toEqual(['address']);
    // Below the number, it is not the address's.
    expect(doubtful([...card(), { ...faint, box: { ...faint.box, y0: 0.9, y1: 0.94 } }])).toEqual([]);
  });
});
