/**
 * The pasted-portrait check measured (bff/src/verification/pastedPortrait.ts): how often a card with
 * another person's photo glued over its portrait gets through (APCER), and how often a card's own
 * photo is flagged (BPCER), on specimen cards of faces the check was not tuned on, each photographed
 * in several ways.
 */
import seedrandom from 'seedrandom';
import sharp from 'sharp';
import { detectFaces } from '../../bff/src/engine/face/faceModels.js';
import { type PastedPhoto, generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { PASTED_SIDE_LIMIT, type PortraitFrame, looksPasted, portraitFrame } from '../../bff/src/verification/pastedPortrait.js';
import { facePhoto } from '../support/fixtures.js';
import { CARD_CAPTURES, CARD_FACES, FRESH_FACES } from './cardForensics.js';
import { type Rate, formatRate, rateOf } from './stats.js';

/** The faces the check's bands and limit were looked at on: never among the measured. */
export const TUNING_FACES = ['photos/obama.jpg', 'people/penny/penny5.png', 'people/raj/raj1.png'];

/** How the forger's print looks and lies; the turn and shift of each are drawn per card. */
export const PRINTS: { name: string; print: Omit<PastedPhoto, 'face' | 'turn' | 'shift'> }[] = [
  { name: 'its own background, lying on the card (shadow)', print: { background: 'photo', shadow: true } },
  { name: 'studio white, glued flush', print: { background: 'white' } },
  { name: 'studio blue, glued flush', print: { background: 'blue' } },
  { name: 'studio red, lying on the card', print: { background: 'red', shadow: true } },
];

/**
 * A print cut out along the person's outline: no straight side at all, so not what the check looks
 * for. Measured apart, to show what gets through, not added to the rates above.
 */
export const OUTLINE_PRINT: Omit<PastedPhoto, 'face' | 'turn' | 'shift'> = { background: 'none', shadow: true };

/** The forensics captures, and a card turned 4° in a smaller photo (as a hand-held phone takes it). */
const CAPTURES: { name: string; make: (jpeg: Buffer) => Promise<Buffer> }[] = [
  ...CARD_CAPTURES,
  {
    name: 'turned 4°, 1,400 px',
    make: (jpeg) => sharp(jpeg).rotate(4, { background: '#3b3d40' }).resize({ width: 1400 }).jpeg({ quality: 88 }).toBuffer(),
  },
];

interface Measured {
  frame: PortraitFrame | undefined;
  capture: number;
}

export interface PastedEvaluation {
  faces: number;
  bpcer: Rate;
  apcer: Rate;
  byPrint: { print: string; apcer: Rate }[];
  byCapture: { capture: string; apcer: Rate; bpcer: Rate }[];
  /** Photos in which the detector found no face: the check cannot run (the product asks for a retake). */
  noFace: { genuine: number; attacks: number };
  /** The check alone: forged cards let through among those with a face found. */
  apcerWithFace: Rate;
  /** Photos without a face found, by capture (genuine, forged). */
  noFaceByCapture: { capture: string; genuine: number; attacks: number }[];
  /** The less straight side (the one that decides), over the genuine photos and the attacks. */
  genuineSecond: { median: number; max: number };
  attackSecond: { min: number; median: number };
  /** Cards with a print cut out along the person's outline: how many of them the check let through. */
  outline: Rate;
}

/** The less straight of the two sides: the one that decides. */
const second = (frame: PortraitFrame): number => Math.min(frame.left, frame.right);
const flagged = ({ frame }: Measured): boolean => frame !== undefined && looksPasted(frame);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;

async function measure(jpeg: Buffer, capture: number): Promise<Measured> {
  const face = (await detectFaces(jpeg, undefined, 'card')).faces[0];
  return { frame: face ? await portraitFrame(jpeg, face.box) : undefined, capture };
}

/**
 * Each face's card photographed in every capture, and the same card with the next face's print
 * glued over its portrait in each way of PRINTS (turned up to 2°, off by up to 3 %).
 */
export async function evaluatePastedPortrait(faces: readonly string[] = [...CARD_FACES, ...FRESH_FACES], seed = 'pasted', prints = PRINTS): Promise<PastedEvaluation> {
  const random = seedrandom(seed);
  const genuine: Measured[] = [];
  const attacks: (Measured & { print: number })[] = [];
  const outline: Measured[] = [];
  for (const [i, name] of faces.entries()) {
    const face = await facePhoto(name);
    const other = await facePhoto(faces[(i + 1) % faces.length] ?? name);
    const card = await generateMockCard({ face, seed: `${seed}-${i}` });
    for (const [c, capture] of CAPTURES.entries()) genuine.push(await measure(await capture.make(card.images.portrait), c));
    for (const [p, { print }] of prints.entries()) {
      const turn = (random() * 2 - 1) * 2;
      const shift: [number, number] = [(random() * 2 - 1) * 0.03, (random() * 2 - 1) * 0.03];
      const forged = await generateMockCard({ face, seed: `${seed}-${i}`, pasted: { ...print, face: other, turn, shift } });
      for (const [c, capture] of CAPTURES.entries()) attacks.push({ ...await measure(await capture.make(forged.images.portrait), c), print: p });
    }
    const cut = await generateMockCard({ face, seed: `${seed}-${i}`, pasted: { ...OUTLINE_PRINT, face: other, turn: 0.5 } });
    outline.push(await measure(cut.images.portrait, 0));
  }
  const passed = (set: Measured[]) => set.filter((m) => !flagged(m)).length;
  const seconds = (set: Measured[]) => set.flatMap(({ frame }) => (frame ? [second(frame)] : []));
  return {
    faces: faces.length,
    bpcer: rateOf(genuine.length - passed(genuine), genuine.length),
    apcer: rateOf(passed(attacks), attacks.length),
    byPrint: prints.map(({ name }, p) => {
      const set = attacks.filter((a) => a.print === p);
      return { print: name, apcer: rateOf(passed(set), set.length) };
    }),
    byCapture: CAPTURES.map(({ name }, c) => {
      const [g, a] = [genuine.filter((m) => m.capture === c), attacks.filter((m) => m.capture === c)];
      return { capture: name, apcer: rateOf(passed(a), a.length), bpcer: rateOf(g.length - passed(g), g.length) };
    }),
    noFace: { genuine: genuine.filter((m) => !m.frame).length, attacks: attacks.filter((m) => !m.frame).length },
    apcerWithFace: rateOf(passed(attacks.filter((m) => m.frame)), attacks.filter((m) => m.frame).length),
    noFaceByCapture: CAPTURES.map(({ name }, c) => ({
      capture: name,
      genuine: genuine.filter((m) => m.capture === c && !m.frame).length,
      attacks: attacks.filter((m) => m.capture === c && !m.frame).length,
    })),
    genuineSecond: { median: median(seconds(genuine)), max: Math.max(0, ...seconds(genuine)) },
    attackSecond: { min: Math.min(1, ...seconds(attacks)), median: median(seconds(attacks)) },
    outline: rateOf(passed(outline), outline.length),
  };
}

export function pastedReport(e: PastedEvaluation): string[] {
  return [
    '## Card forensics: a portrait pasted onto the card',
    '',
    `Specimen cards of ${e.faces} faces (none of the three the check was looked at on), the portrait side`,
    `photographed ${CAPTURES.map((c) => c.name).join(', ')}; and each card again with the next face's photo print`,
    'glued over its portrait, a little larger than it, turned up to 2° and off its place by up to 3 %, in',
    `${PRINTS.length} ways (below). The specimen generator prints a portrait as cards do: the person cut out of the`,
    'photo\'s background (MediaPipe\'s selfie segmentation) on the card\'s own pattern, or, for a photo that',
    'is only a face, fading into the card in an oval. The check (bff/src/verification/pastedPortrait.ts) looks',
    'left and right of the face found on the card for the straightest line, and flags the card when both',
    `run straight along at least ${PASTED_SIDE_LIMIT * 100} % of their length.`,
    '',
    '| | rate | the deciding side\'s straight share |',
    '| --- | --- | --- |',
    `| forged cards let through | APCER ${formatRate(e.apcer)} | at least ${e.attackSecond.min.toFixed(2)}, median ${e.attackSecond.median.toFixed(2)} |`,
    `| card photos flagged | BPCER ${formatRate(e.bpcer)} | at most ${e.genuineSecond.max.toFixed(2)}, median ${e.genuineSecond.median.toFixed(2)} |`,
    '',
    '| the print | let through |',
    '| --- | --- |',
    ...e.byPrint.map(({ print, apcer }) => `| ${print} | APCER ${formatRate(apcer)} |`),
    '',
    '| photographed | forged cards let through | card photos flagged |',
    '| --- | --- | --- |',
    ...e.byCapture.map(({ capture, apcer, bpcer }) => `| ${capture} | APCER ${formatRate(apcer)} | BPCER ${formatRate(bpcer)} |`),
    '',
    `No face was found on ${e.noFace.genuine} card photo(s) and ${e.noFace.attacks} forged one(s): the check cannot run there,`,
    'and they count above as let through and as not flagged. The product does not take a card without a',
    'face found on it (`card_portrait_no_face`: a retake at upload, a refusal if it stays), so in the product',
    'these forged cards are refused and these card photos must be taken again. Where a face was found, the',
    `check alone let through ${formatRate(e.apcerWithFace)}.`,
    '',
    '| photographed | card photos without a face found | forged ones |',
    '| --- | --- | --- |',
    ...e.noFaceByCapture.map(({ capture, genuine, attacks }) => `| ${capture} | ${genuine} | ${attacks} |`),
    '',
    'The detector misses the face of a tight face crop printed small far more often than that of a whole',
    'photo, and more so turned or blurred: most of the fixture photos are tight crops (tests/fixtures/faces).',
    '',
    `A print cut out along the person's outline, glued on the same cards (photographed as they are), was let through`,
    `${formatRate(e.outline)}: it has no straight side, and the check does not look for anything else.`,
    '',
    'A white studio print glued flush on the pale card is not caught: its edge against the card is a step of',
    'a few grey levels, under what the check counts as an edge (5 a pixel), and with no shadow nothing else',
    'marks it. A white print lying on the card (its shadow), or one on a colour, is what the check finds.',
    '',
    'What this can and cannot prove: the check finds a photo glued on as a rectangle; the forged cards',
    'here are made by the same generator as the genuine ones, so the only difference between them is the',
    'print\'s edge, which is exactly what the check looks at. A portrait replaced in an image editor with',
    'its edges blended away, or a print cut out along the person\'s outline (above), has no straight side',
    'and is not caught; neither is a forged card printed whole. A real card\'s portrait was not photographed',
    'here: its guilloche, the laser-printed portrait\'s grain and the card\'s plastic were not measured, and',
    'a card in a transparent sleeve, or with a sticker near its portrait, has straight edges of its own',
    '(the product then asks a person and tells the buyer to take the card out of its sleeve).',
    '',
  ];
}
