/**
 * Whether a portrait side and an emblem side can be the same card. The 签发机关 is the police office
 * of the place the card holder was registered when the card was issued, and 住址 is that registered
 * address: "深圳市公安局南山分局" issues cards for addresses in 深圳市南山区. An emblem side whose office
 * names a place the address does not mention most likely comes from another card.
 */

/** Administrative suffixes, longest first, stripped to compare the place's own name. */
const SUFFIXES = ['自治县', '自治州', '自治旗', '地区', '林区', '特区', '新区', '市', '县', '区', '州', '盟', '旗'] as const;

function core(place: string): string {
  const suffix = SUFFIXES.find((s) => place.endsWith(s) && place.length - s.length >= 2);
  return suffix ? place.slice(0, -suffix.length) : place;
}

/** The places an office names: "深圳市公安局南山分局" → 深圳, 南山; "宁乡县公安局" → 宁乡. Undefined when unparsable. */
export function placesOfAuthority(authority: string): string[] | undefined {
  const match = /^(.{2,}?)公安局(?:(.{2,}?)分局)?$/u.exec(authority.replace(/\s/gu, ''));
  if (!match?.[1]) return undefined;
  return [core(match[1]), ...(match[2] ? [core(match[2])] : [])];
}

/**
 * True when every place the office names appears in the address; undefined when either is missing or
 * the office's name is not in a known form (no judgement, rather than a wrong one).
 */
export function sidesBelongTogether(address: string | undefined, authority: string | undefined): boolean | undefined {
  if (!address || !authority) return undefined;
  const places = placesOfAuthority(authority);
  if (!places) return undefined;
  return places.every((place) => address.includes(place));
}
