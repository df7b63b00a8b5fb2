import { describe, expect, it } from 'vitest';
import { faceMatchReport, ratesAt, scoreMethods, zeroFmrThreshold } from '../evaluation/faceMatch.js';
import { loadSamples } from '../evaluation/facePairs.js';
import { SCREENS, evaluateCardForensics, forensicsReport } from '../evaluation/cardForensics.js';
import { PRINTS, evaluatePastedPortrait, pastedReport } from '../evaluation/pastedPortrait.js';
import { FIELDS, evaluateOcr, ocrCases, ocrReport } from '../evaluation/ocr.js';
import { evaluatePassive, passiveReport } from '../evaluation/passive.js';
import { SPECIES, evaluateLiveness, livenessReport } from '../evaluation/liveness.js';
import { formatRate, upperBound } from '../evaluation/stats.js';

describe('the evaluation (npm run eval), in small', () => {
  it('bounds a rate as Clopper-Pearson does', () => {
    // None of 24: the bound is 1 - 0.05^(1/24); one of 24, from the binomial tail.
    expect(upperBound(0, 24)).toBeCloseTo(1 - 0.05 ** (1 / 24), 6);
    expect(upperBound(1, 24)).toBeCloseTo(0.1825, 3);
    expect(upperBound(3, 3)).toBe(1);
    expect(formatRate({ k: 0, n: 24, upper: upperBound(0, 24) })).toBe('0/24 (0 %, ≤ 11.7 %)');
  });

  it('judges a genuine take and every attack species made from it', async () => {
    const e = await evaluateLiveness({ identities: ['people/sheldon/sheldon1.png'], perIdentity: 1 });
    expect(e.species.map((s) => s.name)).toEqual(['genuine', ...SPECIES.map((s) => s.name)]);
    for (const species of e.species) expect(species.rate, species.name).toMatchObject({ k: 0, n: 1 });
    expect(e.replayMissed).toMatchObject({ k: 0, n: 1 });
    const report = livenessReport(e).join('\n');
    expect(report).toContain('| genuine | the person following the challenge, lit by the screen | BPCER 0/1 (0 %, ≤ 95.0 %) | passed 1 |');
    expect(report).toContain('| slideshow |');
  }, 300_000);

  it('measures face matching on pairs, for the product and for a model of human-models', async () => {
    const { samples, missed } = await loadSamples([
      { person: 'obama', file: 'photos/obama.jpg' }, { person: 'obama', file: 'photos/obama2.jpg' },
      { person: 'biden', file: 'photos/biden2.jpg' }, { person: 'amy', file: 'people/amy/amy1.png' },
    ]);
    expect(missed).toEqual([]);
    const scored = await scoreMethods(samples, [{ name: 'mobileface', model: 'mobileface', side: 112, scale: 1 }], ['tight']);
    expect(scored.map((s) => s.name)).toEqual(['face-api (product)', 'mobileface (tight)']);
    const photoPairs = scored[0]!.pairs.filter((p) => p.kind === 'photo ~ photo');
    // Four images: six unordered pairs, one of them the same person.
    expect(photoPairs).toHaveLength(6);
    expect(photoPairs.filter((p) => p.same)).toHaveLength(1);
    // At the closest impostor pair's threshold no impostor passes, by construction.
    expect(ratesAt(scored[1]!.pairs, zeroFmrThreshold(scored[1]!.pairs)).fmr.k).toBe(0);
    const report = faceMatchReport(samples, missed, scored).join('\n');
    expect(report).toMatch(/\| card ~ photo \| 0\/\d+ /);
    expect(report).toContain('| mobileface (tight) |');
  }, 300_000);

  it('measures the photocopy and screen checks on a card, its copy and the card on two screens, each side in four captures', async () => {
    const e = await evaluateCardForensics(['people/sheldon/sheldon1.png'], [SCREENS[1]!, SCREENS[2]!]);
    expect(e.photocopy.apcer).toMatchObject({ k: 0, n: 8 });
    expect(e.photocopy.bpcer).toMatchObject({ k: 0, n: 8 });
    expect(e.photocopy.attacks.max).toBeLessThan(e.photocopy.genuine.min);
    expect(e.recapture.apcer.n).toBe(16);
    expect(e.recapture.bpcer).toMatchObject({ k: 0, n: 8 });
    // Photographed as they are, the screens are all caught; only blurred and shrunk may one get through.
    expect(e.recapture.byCapture.slice(0, 3).map(({ apcer }) => apcer.k)).toEqual([0, 0, 0]);
    const report = forensicsReport(e).join('\n');
    expect(report).toContain('| copies let through | APCER 0/8 (0 %, ≤ 31.2 %) |');
    expect(report).toContain('| card photos flagged | BPCER 0/8 (0 %, ≤ 31.2 %) | at most');
  }, 120_000);

  it('measures the pasted-portrait check on two cards and on the same cards with a photo glued on, in five captures', async () => {
    const e = await evaluatePastedPortrait(['people/sheldon/sheldon1.png', 'photos/obama2.jpg'], 'small', PRINTS.slice(2, 3));
    expect(e.bpcer).toMatchObject({ k: 0, n: 10 });
    expect(e.apcer.n).toBe(10);
    // Wherever the glued print's face was found, the check flagged it.
    expect(e.apcerWithFace.k).toBe(0);
    expect(e.apcerWithFace.n).toBeGreaterThan(0);
    expect(e.attackSecond.median).toBeGreaterThan(e.genuineSecond.max);
    const report = pastedReport(e).join('\n');
    expect(report).toContain('| card photos flagged | BPCER 0/10 (0 %, ≤ 25.9 %) | at most');
    expect(report).toContain('| studio blue, glued flush | APCER ');
  }, 180_000);

  it('scores photos, their prints and their screens with the passive anti-spoofing models, for the report', async () => {
    const e = await evaluatePassive(3);
    expect(e.images).toBe(3);
    for (const r of e.results) {
      expect(r.bpcer.n).toBe(3);
      expect(r.apcer.map((a) => a.rate.n)).toEqual([3, 3]);
      expect(r.medians.every((m) => m >= 0 && m <= 1)).toBe(true);
    }
    expect(passiveReport(e).join('\n')).toMatch(/\| antispoof \| BPCER \d\/3 /);
  }, 120_000);

  it('reads every field of generated cards in two layouts and sorts each into right, missing or wrong', async () => {
    const cases = ocrCases(4, 'ocr-small');
    expect(cases.map((c) => c.nameKind)).toEqual(['common', 'common', 'rare', 'unknown']);
    const readings = await evaluateOcr(cases, { threads: 1 });
    expect(readings.map((r) => r.layout)).toEqual(['generator', 'other', 'generator', 'other', 'generator', 'other', 'generator', 'other']);
    // A character the recogniser's dictionary lacks is never read right.
    for (const r of readings.filter((x) => x.nameKind === 'unknown')) expect(r.outcomes.name).not.toBe('right');
    // What is not right is listed with what was printed.
    for (const [i, r] of readings.entries()) {
      const printed = { ...cases[i >> 1]!.portrait, ...cases[i >> 1]!.emblem };
      expect(r.misses.map((m) => m.field)).toEqual(FIELDS.filter((f) => r.outcomes[f] !== 'right'));
      for (const m of r.misses) expect(m.printed).toBe(printed[m.field]);
      for (const field of Object.keys(r.signs)) expect(['name', 'address', 'issuingAuthority']).toContain(field);
    }
    const report = ocrReport(readings).join('\n');
    expect(report).toContain('### The generator\'s layout (4 cards)');
    expect(report).toContain('### The other layout (4 cards)');
    expect(report).toMatch(/\| a character outside the dictionary \| 0\/2 /);
    expect(report).toMatch(/\| \*\*0\.6\*\* \| \d+\/\d+ /);
  }, 180_000);
});
