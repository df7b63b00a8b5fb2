import { describe, expect, it } from 'vitest';
import type { PortraitSideRead } from '@shared';
import { cardDifferences, maskName } from '../../bff/src/verification/sameCard.js';
import { seedSimStock } from '../../bff/src/domain/numberPool.js';
import { validateIccid } from '@shared';

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

describe('SIM stock', () => {
  it('seeds distinct ICCIDs that pass their own rules, the same on every machine', () => {
    const stock = seedSimStock(50);
    expect(new Set(stock).size).toBe(50);
    for (const iccid of stock) expect(validateIccid(iccid)).toEqual({ ok: true, value: iccid });
    expect(seedSimStock(50)).toEqual(stock);
  });
});
