import { describe, expect, it } from 'vitest';
import { type OcrLine, parseEmblemSide, parsePortraitSide, textTouchesEdge } from '../../bff/src/engine/ocr/cardText.js';

/** Rows as the OCR engine returns them: one per text line, top to bottom, with boxes. */
function rows(...texts: string[]): OcrLine[] {
  return texts.map((text, i) => ({ text, confidence: 0.99, box: { x0: 0.07, y0: 0.1 + i * 0.07, x1: 0.55, y1: 0.14 + i * 0.07 } }));
}

describe('reading the portrait side from OCR rows', () => {
  it('reads every field, the address over several lines', () => {
    expect(parsePortraitSide(rows(
      '样本SPECIMEN',
      '姓名 郑宇健',
      '性别 男 民族 汉',
      '出生 1970年9月6日',
      '住址 海南省昌江黎族自治县黄',
      '河路716号',
      '公民身份号码 460031197009061072',
    ))).toEqual({
      name: '郑宇健',
      sex: '男',
      ethnicity: '汉',
      birthDate: '1970-09-06',
      address: '海南省昌江黎族自治县黄河路716号',
      idNumber: '460031197009061072',
    });
  });

  it('takes rows in vertical order whatever order they come in', () => {
    const lines = rows('姓名 王芳', '住址 北京市东城区', '和平街1号', '公民身份号码 11010519491231002X');
    expect(parsePortraitSide([...lines].reverse()).address).toBe('北京市东城区和平街1号');
  });

  it('reads the check character X from look-alikes', () => {
    expect(parsePortraitSide(rows('公民身份号码 11010519491231002×')).idNumber).toBe('11010519491231002X');
    expect(parsePortraitSide(rows('公民身份号码 11010519491231002x')).idNumber).toBe('11010519491231002X');
  });

  it('drops specimen marks that the OCR glued onto a field row', () => {
    expect(parsePortraitSide(rows('住址 广东省深圳市南山区科技园 样本 SPECIM', '公民身份号码 440305199003071238')).address)
      .toBe('广东省深圳市南山区科技园');
  });

  it('keeps multi-character ethnic groups and the middle dot of transliterated names', () => {
    const read = parsePortraitSide(rows('姓名 阿依古丽·买买提', '性别 女 民族 维吾尔'));
    expect(read).toMatchObject({ name: '阿依古丽·买买提', sex: '女', ethnicity: '维吾尔' });
  });

  it('leaves out what it cannot find instead of guessing', () => {
    expect(parsePortraitSide(rows('中华人民共和国', '居民身份证'))).toEqual({});
    expect(parsePortraitSide(rows('出生 1990年13'))).toEqual({});
  });
});

describe('reading the emblem side from OCR rows', () => {
  it.each([
    ['有效期限 2016.06.17-2036.06.17', '2016.06.17-2036.06.17'],
    ['有效期限 2016.06.17一长期', '2016.06.17-长期'],
    ['有效期限2016.06.17—2036.06.17', '2016.06.17-2036.06.17'],
  ])('reads %s', (row, validity) => {
    expect(parseEmblemSide(rows('中华人民共和国', '居民身份证', '签发机关 深圳市公安局南山分局', row))).toEqual({
      issuingAuthority: '深圳市公安局南山分局',
      validity,
    });
  });
});

describe('closed vocabularies', () => {
  it('does not take a misread ethnic group for a value', () => {
    expect(parsePortraitSide(rows('性别 女 民族 并')).ethnicity).toBeUndefined();
    expect(parsePortraitSide(rows('性别 女 民族 壮')).ethnicity).toBe('壮');
  });
});

describe('a card cut off by the frame', () => {
  it('is seen when printed text reaches an edge of the photo', () => {
    const inside = rows('姓名 王芳', '公民身份号码 11010519491231002X');
    expect(textTouchesEdge(inside)).toBe(false);
    for (const cut of [{ x1: 0.999 }, { x0: 0.002 }, { y0: 0 }, { y1: 1 }]) {
      const [first, ...rest] = inside;
      expect(textTouchesEdge([{ ...first!, box: { ...first!.box, ...cut } }, ...rest]), JSON.stringify(cut)).toBe(true);
    }
  });

  it('is not seen from a box at an edge in which nothing could be read (a desk\'s texture)', () => {
    const inside = rows('姓名 王芳', '公民身份号码 11010519491231002X');
    for (const cut of [{ x1: 0.999 }, { x0: 0.002 }, { y0: 0 }, { y1: 1 }]) {
      const faint = { text: '', confidence: 0.2, box: { x0: 0.4, y0: 0.4, x1: 0.5, y1: 0.45, ...cut }, skipped: 1 };
      expect(textTouchesEdge([...inside, faint]), JSON.stringify(cut)).toBe(false);
    }
  });
});
