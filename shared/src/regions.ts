import areas from 'idcard/lib/data/area.json' with { type: 'json' };
import cities from 'idcard/lib/data/city.json' with { type: 'json' };
import provinces from 'idcard/lib/data/province.json' with { type: 'json' };

/**
 * Address codes (GB/T 2260) of the `idcard` package, which keeps codes of abolished counties: a card
 * issued before a county was merged stays valid for life, so today's list alone would refuse real cards.
 */
type CodeTable = Record<string, { code: string; text: string } | undefined>;
const areaTable = areas as CodeTable;
const cityTable = cities as CodeTable;
const provinceTable = provinces as CodeTable;

export interface Region {
  code: string;
  province: string;
  /** Prefecture-level name, or '' where the table has only a placeholder (市辖区, 县). */
  city: string;
  county: string;
}

const PLACEHOLDERS = new Set(['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划']);

export function isKnownRegionCode(code: string): boolean {
  return /^\d{6}$/.test(code) && areaTable[code] !== undefined;
}

export function lookupRegion(code: string): Region | undefined {
  const area = isKnownRegionCode(code) ? areaTable[code] : undefined;
  if (!area) return undefined;
  const city = cityTable[code.slice(0, 4)]?.text ?? '';
  return {
    code,
    province: provinceTable[code.slice(0, 2)]?.text ?? '',
    city: PLACEHOLDERS.has(city) ? '' : city,
    county: area.text,
  };
}

/** Codes of real counties and districts (not the 市辖区 placeholders), for generating specimen identities. */
export function countyCodes(): string[] {
  return Object.keys(areaTable).filter((code) => {
    const text = areaTable[code]?.text ?? '';
    return !PLACEHOLDERS.has(text) && !code.endsWith('00');
  });
}
