import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ACTION_THRESHOLDS, FRONTAL_MAX_YAW, measureFrame } from '../../shared/src/liveness.js';
import { detectFaces } from '../../bff/src/engine/face/faceModels.js';
import { generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { facePhoto } from '../support/fixtures.js';
import { cameraFrame } from '../support/liveFrames.js';

/** Tight crops get a neutral margin so the detector finds them (as in the calibration). */
async function measures(file: string, mirrored = false) {
  let image = await facePhoto(file);
  const { width = 0 } = await sharp(image).metadata();
  if (width <= 300) {
    const pad = Math.round(width * 0.6);
    image = await sharp(image).extend({ top: pad, bottom: pad, left: pad, right: pad, background: '#7f7f7f' }).resize({ width: 600 }).png().toBuffer();
  }
  if (mirrored) image = await sharp(image).flop().png().toBuffer();
  const face = (await detectFaces(image, 0.2)).faces[0];
  if (!face) throw new Error(`no face in ${file}`);
  expect(face.landmarks).toHaveLength(68);
  return measureFrame(face.landmarks);
}

describe('liveness measures on real faces', () => {
  it.each(['photos/obama.jpg', 'photos/biden2.jpg', 'people/penny/penny5.png'])('finds %s frontal, eyes open, mouth closed', async (file) => {
    const m = await measures(file);
    expect(Math.abs(m.yaw)).toBeLessThan(ACTION_THRESHOLDS.turn / 2);
    expect(m.eyes).toBeGreaterThan(0.22);
    expect(m.mouth).toBeLessThan(0.4);
  });

  it('sees a turned head, and the opposite turn in its mirror image', async () => {
    const turned = await measures('people/sheldon/sheldon3.png');
    const mirrored = await measures('people/sheldon/sheldon3.png', true);
    expect(Math.abs(turned.yaw)).toBeGreaterThan(ACTION_THRESHOLDS.turn);
    expect(Math.sign(mirrored.yaw)).toBe(-Math.sign(turned.yaw));
    expect(Math.abs(mirrored.yaw)).toBeGreaterThan(ACTION_THRESHOLDS.turn);
  });

  it('sees a wide-open mouth', async () => {
    const open = await measures('people/penny/penny1.png');
    const closed = await measures('people/penny/penny5.png');
    expect(open.mouth - closed.mouth).toBeGreaterThan(ACTION_THRESHOLDS.openMouth);
  });

  it('tells a hand-held photo of a turned face from a frontal one', async () => {
    const yawOf = async (photo: string): Promise<number> => {
      const card = await generateMockCard({ face: await facePhoto(photo), seed: 'frontal' });
      const face = (await detectFaces(card.images.handheld)).faces[0];
      if (!face) throw new Error(`no face in the hand-held photo of ${photo}`);
      return measureFrame(face.landmarks).yaw;
    };
    expect(Math.abs(await yawOf('people/sheldon/sheldon1.png'))).toBeLessThan(FRONTAL_MAX_YAW);
    expect(Math.abs(await yawOf('people/sheldon/sheldon3.png'))).toBeGreaterThan(FRONTAL_MAX_YAW);
  });

  it.each(['people/sheldon/sheldon1.png', 'people/amy/amy5.png', 'people/penny/penny5.png'])(
    'does not take a narrowed print of %s (a photo turned about its axis) for a turned head',
    async (photo) => {
      const yawIn = async (frame: Buffer): Promise<number> => {
        const face = (await detectFaces(frame, 0.4, 'frame')).faces[0];
        if (!face) throw new Error(`no face in ${photo}`);
        return measureFrame(face.landmarks).yaw;
      };
      const flat = await yawIn(await cameraFrame(photo));
      const turned = await yawIn(await cameraFrame(photo, { squeeze: 0.6 }));
      expect(Math.abs(turned - flat)).toBeLessThan(ACTION_THRESHOLDS.turn / 2);
    },
  );
});
