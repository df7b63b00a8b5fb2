import seedrandom from 'seedrandom';
import {
  type CalendarDate,
  type EmblemSide,
  type IdNumberReason,
  type PortraitSide,
  type ValidityReason,
  addDays,
  addYears,
  compareDates,
  checkValidity,
  composeIdNumber,
  countyCodes,
  formatIsoDate,
  formatValidityPeriod,
  fullYearsBetween,
  idCheckCharacter,
  lookupRegion,
  normaliseIdNumber,
  parseIdNumber,
  sexFromSequence,
  todayInChina,
  validityYearsForAge,
} from '@shared';

export interface IdentityOptions {
  /** Same seed, same identity. */
  seed: string;
  name?: string;
  /** Printed as given, valid or not; birth date, sex and region follow from it where they can. */
  idNumber?: string;
  sex?: 'male' | 'female';
  /** The address to print, as given; otherwise one in the number's region. */
  address?: string;
  /** Print a number whose check character is wrong. */
  invalidChecksum?: boolean;
  /** A card whose validity ended before `today`. */
  expired?: boolean;
  /** A card valid for life (长期): the holder was 46 or older when it was issued. */
  longTerm?: boolean;
  /** The date the card is judged on; defaults to today in China. */
  today?: CalendarDate;
}

export interface MockIdentity {
  portrait: PortraitSide;
  emblem: EmblemSide;
  /** What the product's rules must say of this card on `today`. */
  expected: {
    today: string;
    idNumberReasons: IdNumberReason[];
    validityReasons: ValidityReason[];
  };
}

const SURNAMES = [
  '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何',
  '高', '林', '罗', '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹', '彭', '曾', '田', '董',
  '袁', '潘', '蒋', '蔡', '余', '杜', '叶', '程', '苏', '魏', '吕', '丁', '任', '沈', '姚', '卢', '姜',
  '钟', '谭', '陆', '汪', '范', '金', '石', '廖', '贾', '夏', '方', '白', '孟', '秦', '江', '欧阳', '司马',
];
const GIVEN: Record<'male' | 'female', string[]> = {
  male: ['伟', '强', '磊', '军', '勇', '杰', '涛', '明', '超', '刚', '平', '辉', '鹏', '华', '飞', '鑫', '波', '斌', '宇', '浩', '凯', '健', '俊', '帆', '文', '志', '国', '建', '东', '海'],
  female: ['芳', '娜', '敏', '静', '丽', '艳', '娟', '霞', '秀', '玲', '婷', '雪', '慧', '红', '梅', '琳', '颖', '倩', '洁', '佳', '欣', '悦', '月', '晓', '春', '兰', '云', '萍', '琴', '燕'],
};
const OTHER_ETHNICITIES = ['回', '满', '壮', '苗', '蒙古', '土家', '朝鲜', '瑶', '白', '侗'];
const STREETS = [
  '人民路', '解放路', '建设路', '中山路', '和平街', '新华路', '胜利路', '文化路', '朝阳路', '长江路',
  '黄河路', '光明街', '青年路', '友谊路', '学府路', '幸福街', '东风路', '南京路', '北京路', '花园街',
];

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const between = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));

function randomName(rng: Rng, sex: 'male' | 'female'): string {
  const given = GIVEN[sex];
  const length = rng() < 0.6 ? 2 : 1;
  return pick(rng, SURNAMES) + Array.from({ length }, () => pick(rng, given)).join('');
}

/** 签发机关 as police offices print it: a district's branch of the city bureau, or a county's bureau. */
function issuingAuthorityFor(regionCode: string): string {
  const region = lookupRegion(regionCode);
  if (!region) return '公安局';
  // Districts of the four municipalities have no prefecture between them and the province-level city.
  const city = region.city || region.province;
  const { county } = region;
  // 南山区 → 南山分局, but a two-character district keeps its name: 东区 → 东区分局.
  if (county.endsWith('区') && city) return `${city}公安局${county.length > 2 ? county.slice(0, -1) : county}分局`;
  return `${county}公安局`;
}

function addressFor(rng: Rng, regionCode: string): string {
  const region = lookupRegion(regionCode);
  const place = region ? `${region.province}${region.city}${region.county}` : '';
  const building = rng() < 0.5 ? `${between(rng, 1, 30)}栋${between(rng, 101, 2806)}室` : '';
  return `${place}${pick(rng, STREETS)}${between(rng, 1, 999)}号${building}`;
}

interface Period {
  birthDate: CalendarDate;
  start: CalendarDate;
  end: CalendarDate | null;
}

/** Validity class first, then dates that fit it: an issue date, an age at issue in the law's band. */
function randomBirthAndPeriod(rng: Rng, today: CalendarDate, options: IdentityOptions): Period {
  const years = options.longTerm ? null : pick(rng, [10, 20] as const);
  const start = options.expired
    ? addDays(addYears(today, -(years ?? 20)), -between(rng, 1, 1000))
    : addDays(today, -between(rng, 30, (years ?? 10) * 365 - 30));
  const ageAtIssue = years === 10 ? between(rng, 16, 25) : years === 20 ? between(rng, 26, 45) : between(rng, 46, 62);
  const birthDate = addDays(addYears(start, -ageAtIssue), -between(rng, 0, 360));
  return { birthDate, start, end: years === null ? null : addYears(start, years) };
}

/**
 * The birth date is given (by the number): search issue dates whose lawful period is valid, expired
 * or long-term as asked, preferring an issue at 16 or older.
 */
function periodForBirth(rng: Rng, birthDate: CalendarDate, today: CalendarDate, options: IdentityOptions): Period {
  const wanted = (start: CalendarDate, minAge: number): Period | undefined => {
    const age = fullYearsBetween(birthDate, start);
    if (age < minAge || compareDates(start, today) > 0) return undefined;
    const years = validityYearsForAge(age);
    const end = years === null ? null : addYears(start, years);
    const expired = end !== null && compareDates(end, today) < 0;
    if (options.longTerm && end !== null) return undefined;
    if (Boolean(options.expired) !== expired) return undefined;
    return { birthDate, start, end };
  };
  for (const minAge of [16, 0]) {
    for (let attempt = 0; attempt < 400; attempt += 1) {
      const found = wanted(addDays(today, -between(rng, 30, 60 * 365)), minAge);
      if (found) return found;
    }
  }
  throw new RangeError('no lawful validity period fits this birth date and the options asked for');
}

/**
 * A specimen identity: every printed field, consistent with the rules unless an option asks for a
 * specific fault. Deterministic for a seed and a `today`.
 */
export function generateIdentity(options: IdentityOptions): MockIdentity {
  if (options.expired && options.longTerm) throw new RangeError('a long-term (长期) card cannot be expired');
  const rng = seedrandom(options.seed);
  const today = options.today ?? todayInChina();

  const given = options.idNumber ? normaliseIdNumber(options.idNumber) : undefined;
  const givenFacts = given ? parseIdNumber(given, today) : undefined;
  const givenBirth = given && /^\d{17}/.test(given)
    ? { year: Number(given.slice(6, 10)), month: Number(given.slice(10, 12)), day: Number(given.slice(12, 14)) }
    : undefined;

  const sex = given && /^\d{17}/.test(given) ? sexFromSequence(given.slice(14, 17)) : (options.sex ?? (rng() < 0.5 ? 'male' : 'female'));

  const { birthDate, start, end } = givenBirth
    ? periodForBirth(rng, givenBirth, today, options)
    : randomBirthAndPeriod(rng, today, options);

  const regionCode = given ? given.slice(0, 6) : pick(rng, countyCodes());
  let idNumber: string;
  if (given) {
    idNumber = given;
  } else {
    const sequenceStart = String(between(rng, 0, 99)).padStart(2, '0');
    const lastDigit = sex === 'male' ? pick(rng, [1, 3, 5, 7, 9]) : pick(rng, [0, 2, 4, 6, 8]);
    idNumber = composeIdNumber(regionCode, birthDate, `${sequenceStart}${lastDigit}`);
  }
  if (options.invalidChecksum) {
    const right = idCheckCharacter(idNumber.slice(0, 17));
    idNumber = idNumber.slice(0, 17) + pick(rng, '0123456789X'.replace(right, '').split(''));
  }

  const portrait: PortraitSide = {
    name: options.name ?? randomName(rng, sex),
    sex: sex === 'male' ? '男' : '女',
    ethnicity: rng() < 0.8 ? '汉' : pick(rng, OTHER_ETHNICITIES),
    birthDate: formatIsoDate(birthDate),
    address: options.address ?? addressFor(rng, regionCode),
    idNumber,
  };
  const emblem: EmblemSide = {
    issuingAuthority: issuingAuthorityFor(regionCode),
    validity: formatValidityPeriod({ start, end }),
  };

  const numberCheck = options.invalidChecksum || !givenFacts ? parseIdNumber(idNumber, today) : givenFacts;
  const validityCheck = checkValidity(emblem.validity, birthDate, today);
  return {
    portrait,
    emblem,
    expected: {
      today: formatIsoDate(today),
      idNumberReasons: numberCheck.ok ? [] : numberCheck.reasons,
      validityReasons: validityCheck.ok ? [] : validityCheck.reasons,
    },
  };
}
