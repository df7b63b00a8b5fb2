import { describe, expect, it } from 'vitest';
import type { PortraitSideRead } from '@shared';
import { cardDifferences, maskName } from '../../bff/src/verification/sameCard.js';
import { PACK_CODE, parseStockFile, randomNumberPool, randomSimStock } from '../../bff/src/domain/numberPool.js';
import { validateIccid, validateMvnoNumber } from '@shared';

const online: PortraitSideRead = { name: '张伟', sex: '男', ethnicity: '汉', birthDate: '1988年3月12日', address: '北京市朝阳区黄河路70号', idNumber: '11010519880312031X' };
const REASONS = { idNumber: 'handover_id_mismatch', name: 'handover_name_mismatch', address: 'handover_card_mismatch' } as const;

describe('the same card, read again', () => {
  it('agrees with itself, whatever the spacing or the case of the check character', () => {
    expect(cardDifferences(online, { ...online, idNumber: '11010519880312031x', address: '北京市朝阳区 黄河路70号' }, REASONS)).toEqual([]);
  });

  it('names each field that differs: number, name, address', () => {
    expect(cardDifferences(online, { ...online, idNumber: '110105198803120313' }, REASONS)).toEqual(['handover_id_mismatch']);
    expect(cardDifferences(online, { ...online, name: '张玮' }, REASONS)).toEqual(['handover_name_mismatch']);
    expect(cardDifferences(online, { ...online, address: '上海市徐汇区黄河路94号' }, REASONS)).toEqual(['handover_card_mismatch']);
    expect(cardDifferences(online, {}, REASONS)).toEqual(['handover_id_mismatch', 'handover_name_mismatch', 'handover_card_mismatch']);
  });

  it('lets the address differ by a misread stroke, not by a different address', () => {
    expect(cardDifferences(online, { ...online, address: '北京市朝阳区黄河路7O号' }, REASONS)).toEqual([]);
    expect(cardDifferences(online, { ...online, address: '北京市海淀区黄河路71号' }, REASONS)).toEqual(['handover_card_mismatch']);
  });

  it('ignores the address when not asked to compare it (activation: same person, number and name)', () => {
    expect(cardDifferences(online, { ...online, address: '上海市' }, { idNumber: 'activation_id_mismatch', name: 'activation_name_mismatch' })).toEqual([]);
  });

  it('masks a name to its first character', () => {
    expect(maskName('张伟')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('李')).toBe('李*');
    expect(maskName(undefined)).toBe('');
  });
});

describe('SIM stock and numbers', () => {
  it('makes distinct ICCIDs that pass their own rules, each with a pack code, different on every installation', () => {
    const stock = randomSimStock(50);
    expect(new Set(stock.map((c) => c.iccid)).size).toBe(50);
    for (const { iccid, packCode } of stock) {
      expect(validateIccid(iccid)).toEqual({ ok: true, value: iccid });
      expect(packCode).toMatch(PACK_CODE);
    }
    // A fixed list would let anyone name every card of every installation.
    expect(randomSimStock(50).map((c) => c.iccid)).not.toEqual(stock.map((c) => c.iccid));
  });

  it('makes a number pool in every MVNO range, different on every installation', () => {
    const pool = randomNumberPool(20);
    expect(pool).toHaveLength(100);
    for (const number of pool) expect(validateMvnoNumber(number).ok).toBe(true);
    expect(randomNumberPool(20)).not.toEqual(pool);
  });

  it('reads an operator\'s stock file, naming the lines it skips by number only', () => {
    const [card] = randomSimStock(1);
    const text = `# iccid,code\n${card?.iccid},${card?.packCode}\n${card?.iccid},${card?.packCode}\n89860100000000000001,12345678\n${card?.iccid.slice(0, -1)}x,1\n`;
    const { items, problems } = parseStockFile(text, 'sims');
    expect(items).toEqual([card]);
    expect(problems.map((p) => p.line)).toEqual([3, 4, 5]);
    expect(parseStockFile('17000000000\n13800000000\n17000000000\n', 'numbers')).toEqual({
      items: ['17000000000'], problems: [{ line: 2, reason: 'msisdn_not_mvno' }, { line: 3, reason: 'repeated' }],
    });
  });
});
