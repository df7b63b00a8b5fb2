import { describe, expect, it } from 'vitest';
import { generateIdentity } from '../../bff/src/sandbox/mockId/identity.js';
import { placesOfAuthority, sidesBelongTogether } from '../../shared/src/cardSides.js';

describe('do two card sides belong together', () => {
  it.each([
    ['广东省深圳市南山区科技园路1号', '深圳市公安局南山分局'],
    ['湖南省长沙市宁乡县人民路8号', '宁乡县公安局'],
    ['北京市东城区东华门大街5号', '北京市公安局东城分局'],
    ['新疆维吾尔自治区伊犁哈萨克自治州伊宁市解放路2号', '伊宁市公安局'],
    ['云南省怒江傈僳族自治州贡山独龙族怒族自治县茨开镇', '贡山独龙族怒族自治县公安局'],
  ])('%s with %s: yes', (address, authority) => {
    expect(sidesBelongTogether(address, authority)).toBe(true);
  });

  it.each([
    ['广东省深圳市南山区科技园路1号', '深圳市公安局福田分局'],
    ['湖南省长沙市宁乡县人民路8号', '浏阳市公安局'],
    ['北京市东城区东华门大街5号', '上海市公安局黄浦分局'],
  ])('%s with %s: no', (address, authority) => {
    expect(sidesBelongTogether(address, authority)).toBe(false);
  });

  it('makes no judgement without both fields, or on an office name in an unknown form', () => {
    expect(sidesBelongTogether(undefined, '宁乡县公安局')).toBeUndefined();
    expect(sidesBelongTogether('湖南省长沙市宁乡县', undefined)).toBeUndefined();
    expect(sidesBelongTogether('湖南省长沙市宁乡县', '宁乡县')).toBeUndefined();
    expect(placesOfAuthority('深圳市公安局南山分局')).toEqual(['深圳', '南山']);
  });

  it('agrees with every specimen card the generator makes, and refuses their sides mixed', () => {
    const today = { year: 2026, month: 11, day: 22 };
    const identities = Array.from({ length: 200 }, (_, i) => generateIdentity({ seed: `sides-${i}`, today }));
    let mixedRefused = 0;
    identities.forEach((identity, i) => {
      expect(sidesBelongTogether(identity.portrait.address, identity.emblem.issuingAuthority), identity.portrait.address).toBe(true);
      const other = identities[(i + 1) % identities.length];
      if (sidesBelongTogether(identity.portrait.address, other?.emblem.issuingAuthority) === false) mixedRefused += 1;
    });
    // Two random counties rarely share a name part; the few that do (same city) are not caught.
    expect(mixedRefused).toBeGreaterThan(190);
  });
});
