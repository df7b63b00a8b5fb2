import { drawColours } from '@shared';
import seedrandom from 'seedrandom';
import sharp from 'sharp';
import type { LiftedPhoto } from './faceMesh.js';
import { NEUTRAL, renderPose } from './render.js';
import { type FilmedSession, type SessionPlan, addNoise, encodeFrame, filmSession, lightFrame, planSteps, screenLight } from './session.js';

/**
 * Presentation attacks on the live check, each made from the same scene and plan as a genuine
 * session, so that what differs is only the attack. ISO/IEC 30107-3 names: a presentation attack
 * instrument (PAI) per species below.
 */
/** Stills of the person (from social media, say) shown in the order asked, held up to the camera. */
export const slideshow = (scene: LiftedPhoto, plan: SessionPlan): Promise<FilmedSession> => filmSession(scene, { ...plan, stills: true });

/**
 * A frontal photo as printed and seen by a camera: ink that never reaches black nor paper that
 * reaches white, colours a little duller, and the print's dot screen as a faint regular texture
 * (the dots themselves are finer than the camera resolves).
 */
export function printed(rgb: Buffer, width: number, height: number): Buffer {
  const out = Buffer.alloc(rgb.length);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const o = (y * width + x) * 3;
      const grey = (rgb[o]! + rgb[o + 1]! + rgb[o + 2]!) / 3;
      const screen = 1 + 0.05 * Math.sin(((x + y) * Math.PI) / 1.5) * Math.sin(((x - y) * Math.PI) / 1.5);
      for (let ch = 0; ch < 3; ch += 1) {
        const value = grey + (rgb[o + ch]! - grey) * 0.8;
        out[o + ch] = Math.min(255, (24 + (value / 255) * (232 - 24)) * screen);
      }
    }
  }
  return out;
}

/** Inverse-maps a frame through a plane turned by `yaw` (and tilted by `pitch`) at distance `depth` (in frame widths). */
function turnPlane(src: Buffer, width: number, height: number, yaw: number, pitch: number, background: [number, number, number], scale = 0.8, depth = 1.1): Buffer {
  const out = Buffer.alloc(src.length);
  const f = depth * width;
  const d = depth * width;
  const cx = width / 2;
  const cy = height / 2;
  const cyaw = Math.cos(yaw);
  const syaw = Math.sin(yaw);
  const cp = Math.cos(pitch);
  const sp = Math.sin(pitch);
  for (let v = 0; v < height; v += 1) {
    for (let u = 0; u < width; u += 1) {
      // The ray through (u, v) meets the plane X cos(yaw) + ... : solved for the plane's own coordinates.
      const ru = (u - cx) / f;
      const rv = (v - cy) / f;
      // Plane point P(X, Y) = (X cy, Y cp + X sy sp, d + X sy cp - Y sp)... solve ru = Px/Pz, rv = Py/Pz.
      const a11 = cyaw - ru * syaw * cp;
      const a12 = ru * sp;
      const a21 = syaw * sp - rv * syaw * cp;
      const a22 = cp + rv * sp;
      const det = a11 * a22 - a12 * a21;
      const o = (v * width + u) * 3;
      const X = (ru * d * a22 - a12 * rv * d) / det;
      const Y = (a11 * rv * d - a21 * ru * d) / det;
      const sx = X / scale + cx;
      const sy = Y / scale + cy;
      if (sx < 0 || sy < 0 || sx >= width - 1 || sy >= height - 1) {
        out.set(background, o);
        continue;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const i = (y0 * width + x0) * 3;
      for (let ch = 0; ch < 3; ch += 1) {
        out[o + ch] = (src[i + ch]! * (1 - fx) + src[i + 3 + ch]! * fx) * (1 - fy) + (src[i + width * 3 + ch]! * (1 - fx) + src[i + width * 3 + 3 + ch]! * fx) * fy;
      }
    }
  }
  return out;
}

/** A printed frontal photo held close to the camera, lit by the screen, turned by `turning` times each pose's angles. */
async function printSession(scene: LiftedPhoto, plan: SessionPlan, turning: number): Promise<FilmedSession> {
  const random = seedrandom(`${plan.seed}:print`);
  const print = printed(renderPose(scene, NEUTRAL).rgb, scene.width, scene.height);
  const frames: Promise<Buffer>[] = [];
  const timeline = [];
  for (const step of planSteps(plan)) {
    // The paper near the screen takes its light; the room behind does not.
    const lit = Buffer.from(print);
    lightFrame(lit, scene.width, scene.height, screenLight(plan, step.t - (plan.lagMs ?? 60)), plan.reflection ?? 0.25);
    const rgb = turnPlane(lit, scene.width, scene.height, step.pose.yaw * turning, step.pose.pitch * turning, [70, 66, 60]);
    addNoise(rgb, plan.noise ?? 2, random);
    frames.push(encodeFrame(rgb, scene.width, scene.height, plan.jpegQuality ?? 85));
    timeline.push({ t: step.t, colour: step.colour });
  }
  return { frames: await Promise.all(frames), timeline };
}

/** A printed photo held up to the camera (halftone, paper that is not white), never turned. */
export const heldPrint = (scene: LiftedPhoto, plan: SessionPlan): Promise<FilmedSession> => printSession(scene, plan, 0);

/**
 * A printed frontal photo turned (or tilted) in the hand as the actions ask: continuous motion, the
 * screen's light on the paper, but a plane.
 */
export const turnedPrint = (scene: LiftedPhoto, plan: SessionPlan): Promise<FilmedSession> => printSession(scene, plan, 1.2);

/** A screen as a camera sees it: its own gamma, a moiré of its pixel grid, the bezel around it. */
export function onScreen(rgb: Buffer, width: number, height: number, random: () => number): Buffer {
  const out = Buffer.alloc(rgb.length);
  const inset = 0.08;
  const period = 3.1 + random();
  const angle = random() * Math.PI;
  const [kx, ky] = [Math.cos(angle) / period, Math.sin(angle) / period];
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const o = (y * width + x) * 3;
      const sx = (x / width - inset) / (1 - 2 * inset);
      const sy = (y / height - inset) / (1 - 2 * inset);
      if (sx < 0 || sy < 0 || sx >= 1 || sy >= 1) {
        out.set([18, 18, 20], o);
        continue;
      }
      const i = (Math.floor(sy * height) * width + Math.floor(sx * width)) * 3;
      const moire = 1 + 0.12 * Math.sin(2 * Math.PI * (kx * x + ky * y));
      for (let ch = 0; ch < 3; ch += 1) out[o + ch] = Math.min(255, 255 * (rgb[i + ch]! / 255) ** 0.8 * moire * (ch === 2 ? 1.06 : 1));
    }
  }
  return out;
}

/** A recording of the genuine person (under white light) played on a screen held to the camera. */
export async function screenReplay(scene: LiftedPhoto, plan: SessionPlan): Promise<FilmedSession> {
  const recorded = await filmSession(scene, { ...plan, reflection: 0, seed: `${plan.seed}:recording` });
  const random = seedrandom(`${plan.seed}:screen`);
  const decoded = await Promise.all(recorded.frames.map((frame) => sharp(frame).raw().toBuffer({ resolveWithObject: true })));
  // The draws in frame order, after every frame is decoded: drawn as each decoding finished, a busy
  // machine would give each frame another moiré and another noise.
  const frames = await Promise.all(decoded.map(({ data, info }) => {
    const shown = onScreen(data, info.width, info.height, random);
    addNoise(shown, plan.noise ?? 2, random);
    return encodeFrame(shown, info.width, info.height, plan.jpegQuality ?? 85);
  }));
  return { frames, timeline: recorded.timeline };
}

/** Frames that show the person moving but not the screen's colours: a virtual camera, say. */
export const noReflection = (scene: LiftedPhoto, plan: SessionPlan): Promise<FilmedSession> => filmSession(scene, { ...plan, reflection: 0 });

/**
 * The person recorded beforehand under colours of the attacker's guessing (drawn as the server draws
 * them), played into the check: a recording cannot know the colours drawn for it.
 */
export function guessedColours(scene: LiftedPhoto, plan: SessionPlan): Promise<FilmedSession> {
  const random = seedrandom(`${plan.seed}:guess`);
  return filmSession(scene, { ...plan, colours: drawColours((max) => Math.floor(random() * max), plan.colours.length) });
}

/**
 * Genuine frames sent without the ones between poses (re-timed to look dense): what an injection of
 * chosen frames looks like, at rest and at each action's full extent.
 */
export function withoutOnsets(session: FilmedSession): FilmedSession {
  const amounts = session.amounts ?? [];
  const keep = session.frames.map((_, i) => i).filter((i) => (amounts[i] ?? 0) < 0.15 || (amounts[i] ?? 0) > 0.85);
  const step = session.timeline[1]!.t - session.timeline[0]!.t;
  return { frames: keep.map((i) => session.frames[i]!), timeline: keep.map((i, k) => ({ t: k * step, colour: session.timeline[i]!.colour })) };
}

/** A session sent again after a re-encode and a slight resize: not the same bytes, the same pictures. */
export async function reencoded(session: FilmedSession, quality = 78): Promise<FilmedSession> {
  const frames = await Promise.all(session.frames.map(async (frame) => {
    const meta = await sharp(frame).metadata();
    const smaller = await sharp(frame).resize(Math.round((meta.width ?? 480) * 0.96)).toBuffer();
    return sharp(smaller).resize(meta.width, meta.height, { fit: 'fill' }).jpeg({ quality }).toBuffer();
  }));
  return { frames, timeline: session.timeline };
}
