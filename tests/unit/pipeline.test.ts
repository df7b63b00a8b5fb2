import { describe, expect, it } from 'vitest';
import type { EmblemSideRead, PortraitSideRead } from '@shared';
import type { VisionEngine } from '../../bff/src/engine/visionEngine.js';
import { MockAuthority } from '../../bff/src/providers/authority/mock.authority.js';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import {
  type PipelineDeps,
  type VerificationInput,
  checkAuthority,
  checkDocument,
  checkFace,
  checkLiveness,
} from '../../bff/src/verification/pipeline.js';

const TODAY = { year: 2026, month: 11, day: 22 };
const WHO = SANDBOX_IDENTITIES[0];

/** What the card of sandbox identity 0 (张伟, born 1988-03-12, male) reads as. */
const PORTRAIT: PortraitSideRead = {
  name: WHO?.name ?? '', sex: '男', ethnicity: '汉', birthDate: '1988-03-12', address: '北京市朝阳区建国路8号', idNumber: WHO?.idNumber ?? '',
};
/** As OCR leaves it when a field could not be read: the field is absent. */
const WITHOUT_ADDRESS: PortraitSideRead = Object.fromEntries(Object.entries(PORTRAIT).filter(([key]) => key !== 'address'));
const EMBLEM: EmblemSideRead = { issuingAuthority: '北京市公安局朝阳分局', validity: '2018.05.02-2038.05.02' };

/** A descriptor at `distance` from the origin's: the comparisons see exactly that distance. */
const at = (distance: number) => ({ descriptor: [distance, ...Array.from({ length: 127 }, () => 0)], score: 0.99 });

/** These checks work on what was found at upload; the engine must not be asked again. */
const engine = new Proxy({}, { get: () => () => { throw new Error('the engine was not expected to be called'); } }) as VisionEngine;

const deps: PipelineDeps = {
  engine, authority: new MockAuthority({ latencyMs: [1, 2] }), faceMatchMaxDistance: 0.48, faceReviewMargin: 0.08, authorityTimeoutMs: 1000,
  authorityPortrait: true, today: TODAY,
};

function input(overrides: Partial<VerificationInput> = {}): VerificationInput {
  return {
    captureProblems: [], captureWarnings: [], portraitFace: at(0), handheldFace: at(0.3), handheldNumbers: [PORTRAIT.idNumber ?? ''],
    liveFace: at(0.2), loadLiveFrame: () => Promise.resolve(Buffer.from('frame')), loadImage: () => Promise.reject(new Error('not expected')),
    portrait: PORTRAIT, emblem: EMBLEM, ...overrides,
  };
}

describe('the document check', () => {
  it('passes a card whose fields agree', () => {
    expect(checkDocument(PORTRAIT, EMBLEM, TODAY)).toMatchObject({ outcome: 'pass', reasons: [] });
  });

  it.each([
    ['a field not read', WITHOUT_ADDRESS, EMBLEM, 'fail', ['card_unreadable']],
    ['the printed sex against the number', { ...PORTRAIT, sex: '女' as const }, EMBLEM, 'fail', ['card_sex_mismatch']],
    ['the printed birth date against the number', { ...PORTRAIT, birthDate: '1988-03-13' }, EMBLEM, 'fail', ['card_birth_date_mismatch']],
    ['an emblem side of another card', PORTRAIT, { ...EMBLEM, issuingAuthority: '上海市公安局黄浦分局' }, 'review', ['card_sides_mismatch']],
  ] as const)('refuses %s', (_case, portrait, emblem, outcome, reasons) => {
    expect(checkDocument(portrait, emblem, TODAY)).toMatchObject({ outcome, reasons });
  });
});

describe('face comparisons at the calibrated thresholds (pass 0.48, review to 0.56)', () => {
  it.each([
    [0.3, 'pass', []],
    [0.5, 'review', ['face_borderline']],
    [0.7, 'fail', ['face_mismatch']],
  ] as const)('card portrait and hand-held face at %f: %s', async (distance, outcome, reasons) => {
    expect(await checkFace(input({ handheldFace: at(distance) }), deps)).toMatchObject({ outcome, reasons, score: distance });
  });

  it('sends a match on a face turned away from the camera to review', async () => {
    expect(await checkFace(input({ handheldFace: { ...at(0.3), yaw: 0.7 } }), deps)).toMatchObject({ outcome: 'review', reasons: ['handheld_not_frontal'] });
    expect(await checkFace(input({ handheldFace: { ...at(0.3), yaw: -0.1 } }), deps)).toMatchObject({ outcome: 'pass' });
  });

  it.each([
    ['card_portrait_no_face', { portraitFace: null }],
    ['handheld_no_face', { handheldFace: null }],
  ] as const)('fails with %s when a photo had no face', async (reason, overrides) => {
    expect(await checkFace(input(overrides), deps)).toMatchObject({ outcome: 'fail', reasons: [reason] });
  });

  it.each([
    [0.2, 'pass', []],
    [0.52, 'review', ['liveness_borderline']],
    [0.9, 'fail', ['liveness_not_card_holder']],
  ] as const)('live face and card portrait at %f: %s', async (distance, outcome, reasons) => {
    expect(await checkLiveness(input({ liveFace: at(distance) }), deps)).toMatchObject({ outcome, reasons });
  });

  it('fails an order without a live check that counts', async () => {
    expect(await checkLiveness(input({ liveFace: undefined }), deps)).toMatchObject({ outcome: 'fail', reasons: ['liveness_missing'] });
  });
});

describe('the national check through the mock service', () => {
  it('passes name, number and the live face of a sandbox identity', async () => {
    expect(await checkAuthority(input(), deps)).toMatchObject({ outcome: 'pass', reasons: [], score: 92, evidence: ['authority:mock', 'liveness'] });
  });

  it('fails a name that is not the number\'s', async () => {
    expect(await checkAuthority(input({ portrait: { ...PORTRAIT, name: '张三' } }), deps)).toMatchObject({ outcome: 'fail', reasons: ['authority_mismatch'] });
  });

  it('asks by name and number only when the three-element check is off', async () => {
    expect(await checkAuthority(input(), { ...deps, authorityPortrait: false })).toMatchObject({ outcome: 'pass', evidence: ['authority:mock'] });
  });
});
