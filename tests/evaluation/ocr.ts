/**
 * OCR measured field by field: generated identities with varied names (common, rare, and characters
 * the recogniser's dictionary lacks) and addresses whose last printed line is anything from one
 * character to a full line, each printed in the generator's layout and in another one drawn apart from
 * it (otherLayout.ts), photographed under three conditions, and read by the product's engine as an
 * upload is. Each field is right, missing (the product asks for a retake) or wrong (it would pass
 * unseen unless a later check catches it).
 */
import sharp from 'sharp';
import seedrandom from 'seedrandom';
import { type EmblemSide, type PortraitSide, lookupRegion } from '@shared';
import { FREE_TEXT_FIELDS, type FreeTextField, type ReadSigns, WEAK_CHARACTER, isDoubtful } from '../../bff/src/engine/ocr/cardText.js';
import { type VisionEngine, createVisionEngine } from '../../bff/src/engine/visionEngine.js';
import { applyEffects } from '../../bff/src/sandbox/mockId/effects.js';
import { generateIdentity } from '../../bff/src/sandbox/mockId/identity.js';
import { idPhotoFor } from '../../bff/src/sandbox/mockId/index.js';
import { ADDRESS_LINE_CHARS } from '../../bff/src/sandbox/mockId/layout.js';
import { photographCard, renderEmblemCard, renderPortraitCard } from '../../bff/src/sandbox/mockId/render.js';
import { facePhoto } from '../support/fixtures.js';
import { OTHER_ADDRESS_LINE_CHARS, OTHER_FONT, assertOtherFont, renderOtherEmblem, renderOtherPortrait } from './otherLayout.js';
import { type Rate, formatRate, rateOf } from './stats.js';

export const LAYOUTS = ['generator', 'other'] as const;
export type Layout = (typeof LAYOUTS)[number];
const LINE_CHARS: Record<Layout, number> = { generator: ADDRESS_LINE_CHARS, other: OTHER_ADDRESS_LINE_CHARS };

export const FIELDS = ['name', 'sex', 'ethnicity', 'birthDate', 'address', 'idNumber', 'issuingAuthority', 'validity'] as const;
export type Field = (typeof FIELDS)[number];
const FIELD_NAMES: Record<Field, string> = {
  name: '姓名 name', sex: '性别 sex', ethnicity: '民族 ethnicity', birthDate: '出生 birth date', address: '住址 address',
  idNumber: '公民身份号码 number', issuingAuthority: '签发机关 authority', validity: '有效期限 validity',
};

/** Given names with characters rarely used but in the recogniser's dictionary (ppocr_keys_v1). */
const RARE_GIVEN = ['喆', '堃', '淼', '犇', '昇', '玥', '珺', '燚', '垚', '彧', '祎', '婧', '琰', '懿', '曦', '骞', '頔', '璟'];
/** Real name characters (GBK, on cards) that its dictionary lacks: it cannot read them. */
const UNKNOWN_GIVEN = ['赟', '翀', '昳', '琤', '暘', '龑'];
const SURNAMES = ['王', '李', '欧阳', '司马', '诸葛', '上官', '钟', '覃', '禤', '阚'];
export type NameKind = 'common' | 'rare' | 'unknown';
const NAME_KINDS: NameKind[] = ['common', 'common', 'rare', 'unknown'];

const STREETS = ['人民路', '解放大道', '建设北路', '中山路', '和平街', '滨江东路', '文化路', '长江路', '幸福里', '花园街'];
/** What may follow the street number, each a different length: the last line's length is chosen through them. */
const TAILS: ((d: () => number) => string)[] = [
  () => '',
  (d) => `${d()}栋`,
  (d) => `${d()}组`,
  (d) => `${d()}${d()}室`,
  (d) => `${d()}栋${d()}${d()}${d()}室`,
  (d) => `${d()}${d()}栋${d()}单元${d()}${d()}${d()}${d()}室`,
  (d) => `附${d()}号`,
  (d) => `${d()}单元`,
];

export interface OcrCase {
  seed: string;
  nameKind: NameKind;
  portrait: PortraitSide;
  emblem: EmblemSide;
}

/**
 * An address whose last line in the generator's layout is `lastLine` characters long where one can
 * be made so (it is at most three lines in either layout).
 */
function addressWithLastLine(rng: () => number, regionCode: string, lastLine: number): string {
  const region = lookupRegion(regionCode);
  const place = region ? `${region.province}${region.city}${region.county}` : '';
  const digit = (): number => Math.floor(rng() * 10);
  const street = STREETS[Math.floor(rng() * STREETS.length)] ?? '';
  const max = 3 * Math.min(ADDRESS_LINE_CHARS, OTHER_ADDRESS_LINE_CHARS);
  let best = '';
  let bestMiss = Infinity;
  for (const digits of [1, 2, 3, 4]) {
    for (const tail of TAILS) {
      const number = String(1 + Math.floor(rng() * (10 ** digits - 1))).padStart(digits, '1');
      const address = `${place}${street}${number}号${tail(digit)}`;
      const length = [...address].length;
      if (length > max) continue;
      const last = length % ADDRESS_LINE_CHARS || ADDRESS_LINE_CHARS;
      const miss = Math.abs(last - lastLine);
      if (miss < bestMiss) {
        best = address;
        bestMiss = miss;
      }
    }
  }
  return best || `${street}1号`;
}

/** `count` identities, the same for a seed: names of each kind in turn, last lines of every length. */
export function ocrCases(count: number, seed: string, today = { year: 2026, month: 11, day: 22 }): OcrCase[] {
  return Array.from({ length: count }, (_, i) => {
    const caseSeed = `${seed}-${i}`;
    const rng = seedrandom(`${caseSeed}-fields`);
    const nameKind = NAME_KINDS[i % NAME_KINDS.length] ?? 'common';
    const pick = (items: readonly string[]): string => items[Math.floor(rng() * items.length)] ?? '';
    const name = nameKind === 'common'
      ? undefined
      : `${pick(SURNAMES)}${pick(nameKind === 'rare' ? RARE_GIVEN : UNKNOWN_GIVEN)}${rng() < 0.5 ? pick(RARE_GIVEN) : ''}`;
    const identity = generateIdentity({ seed: caseSeed, today, ...(name ? { name } : {}) });
    const lastLine = 1 + (i % ADDRESS_LINE_CHARS);
    const address = addressWithLastLine(rng, identity.portrait.idNumber.slice(0, 6), lastLine);
    return { seed: caseSeed, nameKind, portrait: { ...identity.portrait, address }, emblem: identity.emblem };
  });
}

/** The conditions each card is photographed in, one per card in turn. */
const CAPTURES: { name: string; make: (jpeg: Buffer) => Promise<Buffer> }[] = [
  { name: 'on a desk', make: (jpeg) => Promise.resolve(jpeg) },
  { name: 'turned 4°, 1400 px', make: (jpeg) => applyEffects(jpeg, { rotate: 4, lowResolution: 1400 }) },
  { name: 'soft, warm light', make: async (jpeg) => sharp(await applyEffects(jpeg, { blur: 1.2 })).recomb([[1.08, 0, 0], [0, 1, 0], [0, 0, 0.88]]).jpeg({ quality: 85 }).toBuffer() },
];
export const CAPTURE_NAMES = CAPTURES.map(({ name }) => name);

export type Outcome = 'right' | 'missing' | 'wrong';

export interface OcrReading {
  layout: Layout;
  capture: string;
  nameKind: NameKind;
  /** Characters on the address's last printed line in this layout. */
  lastLine: number;
  outcomes: Record<Field, Outcome>;
  /** The address read where it was a shorter start of the printed one (a line dropped or cut). */
  truncatedAddress?: { printed: string; read: string };
  /** What the reader says of its reading of each free-text field (its weakest character, characters skipped). */
  signs: Partial<Record<FreeTextField, ReadSigns>>;
  /** Each field not read right: what was printed and what was read. */
  misses: { field: Field; printed: string; read?: string }[];
}

/** Faces printed on the cards (OCR does not depend on whose face it is, only on there being one). */
const FACES = ['photos/obama.jpg', 'people/amy/amy1.png', 'people/leonard/leonard1.png', 'photos/biden2.jpg'];

function outcome(printed: string, read: string | undefined): Outcome {
  if (read === undefined) return 'missing';
  return read === printed ? 'right' : 'wrong';
}

async function readCase(engine: VisionEngine, item: OcrCase, index: number, layout: Layout): Promise<OcrReading> {
  const idPhoto = await idPhotoFor(await facePhoto(FACES[index % FACES.length] ?? 'photos/obama.jpg'));
  const capture = CAPTURES[index % CAPTURES.length] ?? CAPTURES[0];
  if (!capture) throw new Error('no capture');
  const [portraitCard, emblemCard] = layout === 'generator'
    ? [await renderPortraitCard(item.portrait, idPhoto), await renderEmblemCard(item.emblem)]
    : [await renderOtherPortrait(item.portrait, idPhoto), await renderOtherEmblem(item.emblem)];
  const portrait = await engine.readPortraitSide(await capture.make(await photographCard(portraitCard)));
  const emblem = await engine.readEmblemSide(await capture.make(await photographCard(emblemCard)));
  const read: Record<Field, string | undefined> = { ...portrait.fields, ...emblem.fields } as Record<Field, string | undefined>;
  const printed: Record<Field, string> = { ...item.portrait, ...item.emblem };
  const outcomes = Object.fromEntries(FIELDS.map((field) => [field, outcome(printed[field], read[field])])) as Record<Field, Outcome>;
  const length = [...item.portrait.address].length;
  const readAddress = read.address;
  return {
    layout,
    capture: capture.name,
    nameKind: item.nameKind,
    lastLine: length % LINE_CHARS[layout] || LINE_CHARS[layout],
    outcomes,
    signs: { ...portrait.signs, ...emblem.signs },
    misses: FIELDS.filter((field) => outcomes[field] !== 'right').map((field) => ({ field, printed: printed[field], ...(read[field] === undefined ? {} : { read: read[field] }) })),
    ...(readAddress && readAddress !== item.portrait.address && item.portrait.address.startsWith(readAddress)
      ? { truncatedAddress: { printed: item.portrait.address, read: readAddress } }
      : {}),
  };
}

/** Reads every case in both layouts, two at a time (one per engine thread). */
export async function evaluateOcr(
  cases: readonly OcrCase[],
  options: { threads?: number; progress?: (done: number, total: number) => void } = {},
): Promise<OcrReading[]> {
  assertOtherFont();
  const threads = options.threads ?? 2;
  const engine = createVisionEngine({ threads, maxQueue: 64 });
  try {
    const jobs = cases.flatMap((item, index) => LAYOUTS.map((layout) => () => readCase(engine, item, index, layout)));
    const readings: OcrReading[] = new Array<OcrReading>(jobs.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const at = next;
        next += 1;
        const job = jobs[at];
        if (job) readings[at] = await job();
        options.progress?.(readings.filter(Boolean).length, jobs.length);
      }
    };
    await Promise.all(Array.from({ length: threads }, worker));
    return readings;
  } finally {
    await engine.close();
  }
}

const count = (readings: readonly OcrReading[], field: Field, wanted: Outcome): Rate =>
  rateOf(readings.filter((r) => r.outcomes[field] === wanted).length, readings.length);

function lastLineBand(chars: number): string {
  if (chars <= 2) return '1-2 characters';
  if (chars <= 5) return '3-5 characters';
  return '6 or more';
}

export function ocrReport(readings: readonly OcrReading[]): string[] {
  const cards = readings.length / LAYOUTS.length;
  const lines = [
    '## OCR: each field of the card, in two layouts',
    '',
    `${cards} generated identities, each printed in the specimen generator's layout and in another drawn apart`,
    `from it (tests/evaluation/otherLayout.ts: the ${OTHER_FONT} typeface, other sizes and positions, spaced`,
    'labels, twelve characters to an address line), photographed on a desk, turned 4° and shrunk, or soft under',
    'a warm light (one condition per card in turn), and read by the product engine as an upload is. Names:',
    'common ones, rare characters the recogniser knows (喆, 堃, 淼…) and characters it does not (赟, 翀, 昳…);',
    'addresses whose last printed line is one character to a full line.',
    '',
    'A field read **wrong** is the one that matters: a **missing** field makes the product ask for a retake,',
    'a wrong one is shown to the buyer as read and goes on to the national ID check.',
    '',
  ];
  for (const layout of LAYOUTS) {
    const mine = readings.filter((r) => r.layout === layout);
    lines.push(`### ${layout === 'generator' ? "The generator's layout" : 'The other layout'} (${mine.length} cards)`, '');
    lines.push('| field | right | missing (retake) | wrong |', '| --- | --- | --- | --- |');
    for (const field of FIELDS) {
      lines.push(`| ${FIELD_NAMES[field]} | ${formatRate(count(mine, field, 'right'))} | ${formatRate(count(mine, field, 'missing'))} | ${formatRate(count(mine, field, 'wrong'))} |`);
    }
    const whole = rateOf(mine.filter((r) => FIELDS.every((f) => r.outcomes[f] === 'right')).length, mine.length);
    lines.push('', `Every field right: ${formatRate(whole)}.`, '');
  }

  lines.push('### The address by the length of its last line', '');
  lines.push('| last line | generator: right | generator: wrong | other: right | other: wrong |', '| --- | --- | --- | --- | --- |');
  for (const band of ['1-2 characters', '3-5 characters', '6 or more']) {
    const cells = LAYOUTS.flatMap((layout) => {
      const mine = readings.filter((r) => r.layout === layout && lastLineBand(r.lastLine) === band);
      return [formatRate(count(mine, 'address', 'right')), formatRate(count(mine, 'address', 'wrong'))];
    });
    lines.push(`| ${band} | ${cells.join(' | ')} |`);
  }
  const truncated = readings.filter((r) => r.truncatedAddress);
  lines.push('', truncated.length
    ? `Addresses read as a shorter start of the printed one (a line or its end lost): ${truncated.map((r) => `${r.truncatedAddress?.read} for ${r.truncatedAddress?.printed} (${r.layout})`).join('; ')}.`
    : 'No address was read as a shorter start of the printed one (no line lost).', '');

  const marked = (r: OcrReading, field: FreeTextField, weak: number): boolean => {
    const signs = r.signs[field];
    return signs !== undefined && isDoubtful(signs, weak);
  };
  const freeText = (r: OcrReading, outcome: Outcome): FreeTextField[] => FREE_TEXT_FIELDS.filter((f) => r.outcomes[f] === outcome);
  const wholeCards = readings.filter((r) => FIELDS.every((f) => r.outcomes[f] === 'right'));
  lines.push(
    '### Doubt: what the reader says of its own reading',
    '',
    'For the free-text fields (name, address, issuing authority: no rule can tell a misreading of them),',
    'the reader marks a field as doubtful when a row it was read from has a hole where a character most',
    'likely stood (the recogniser reads a character it does not know as blank), a character read with a',
    'probability under a limit, or (the address) a row too faint to read among its lines. A doubtful field',
    `sends the order to a person (\`card_name_doubtful\`, \`card_text_doubtful\`), who may correct it as the card shows it. The`,
    `product's limit is ${WEAK_CHARACTER}; it was set on other cards (another seed) than these.`,
    '',
    '| weakest character under | free-text fields read wrong: marked | read right: marked | cards read whole: any field marked |',
    '| --- | --- | --- | --- |',
  );
  for (const weak of [0.5, WEAK_CHARACTER, 0.7, 0.8]) {
    const wrong = readings.flatMap((r) => freeText(r, 'wrong').map((f) => marked(r, f, weak)));
    const right = readings.flatMap((r) => freeText(r, 'right').map((f) => marked(r, f, weak)));
    const cards = wholeCards.filter((r) => FREE_TEXT_FIELDS.some((f) => marked(r, f, weak)));
    const label = weak === WEAK_CHARACTER ? `**${weak}**` : String(weak);
    lines.push(`| ${label} | ${formatRate(rateOf(wrong.filter(Boolean).length, wrong.length))} | ${formatRate(rateOf(right.filter(Boolean).length, right.length))} | ${formatRate(rateOf(cards.length, wholeCards.length))} |`);
  }
  const unseen = readings.flatMap((r) => r.misses.filter((m) => (FREE_TEXT_FIELDS as readonly Field[]).includes(m.field) && r.outcomes[m.field] === 'wrong' && !marked(r, m.field as FreeTextField, WEAK_CHARACTER)).map((m) => `${m.read ?? ''} for ${m.printed}`));
  lines.push('', unseen.length ? `Read wrong and not marked at ${WEAK_CHARACTER}: ${unseen.join('; ')}.` : `Every free-text field read wrong was marked at ${WEAK_CHARACTER}.`, '');

  lines.push('### The name by its characters (both layouts)', '');
  lines.push('| names | right | missing | wrong |', '| --- | --- | --- | --- |');
  for (const kind of ['common', 'rare', 'unknown'] as const) {
    const mine = readings.filter((r) => r.nameKind === kind);
    const label = { common: 'common', rare: 'rare, in the dictionary', unknown: 'a character outside the dictionary' }[kind];
    lines.push(`| ${label} | ${formatRate(count(mine, 'name', 'right'))} | ${formatRate(count(mine, 'name', 'missing'))} | ${formatRate(count(mine, 'name', 'wrong'))} |`);
  }
  lines.push('', '### By capture (both layouts, every field of the card right)', '', '| capture | cards read whole |', '| --- | --- |');
  for (const capture of CAPTURE_NAMES) {
    const mine = readings.filter((r) => r.capture === capture);
    lines.push(`| ${capture} | ${formatRate(rateOf(mine.filter((r) => FIELDS.every((f) => r.outcomes[f] === 'right')).length, mine.length))} |`);
  }
  lines.push(
    '',
    '**What these cards can prove:** which fields and which shapes of text the reader loses or misreads, and',
    "that the parsing holds on a layout it was not written for. **What they cannot:** accuracy on real cards",
    '(their typefaces, security print, wear and lamination are only imitated here), nor on photos from real',
    'phones; both typefaces are WenQuanYi fonts, so a typeface of another design may do worse.',
    '',
  );
  return lines;
}
