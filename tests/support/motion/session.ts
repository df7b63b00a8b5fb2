import type { LivenessAction } from '@shared';
import seedrandom from 'seedrandom';
import sharp from 'sharp';
import { type LiftedPhoto, liftPhoto } from './faceMesh.js';
import { NEUTRAL, type Pose, fillPolygon, renderPose } from './render.js';

/**
 * A live-check session filmed synthetically: a person (a photo lifted onto its face mesh) follows the
 * challenge's actions with continuous motion, in front of a screen that shows the challenge's
 * colours, and a camera films it. Every parameter a real session varies (speed, sway, how much of
 * the screen's light reaches the face, camera lag, noise) is a parameter here, so the evaluation can
 * spread genuine sessions over them.
 */

/** Frames a camera sends are this size (the page scales its frames the same way). */
export const FRAME_WIDTH = 480;
export const FRAME_HEIGHT = 360;

export interface TimedFrame {
  /** Milliseconds since the check began. */
  t: number;
  /** Index into the challenge's colours of the colour on the screen, or null between colours. */
  colour: number | null;
}

export interface FilmedSession {
  frames: Buffer[];
  timeline: TimedFrame[];
  /** How far into an action each frame is (0 at rest, 1 at its full extent): what an attacker picking frames would know. */
  amounts?: number[];
}

export interface SessionPlan {
  actions: readonly LivenessAction[];
  /** The screen's colours, as '#rrggbb', shown one after another for `colourMs` each. */
  colours: readonly string[];
  colourMs: number;
  /** Time between frames. */
  frameMs: number;
  /** Seeds the person's sway and the camera's noise. */
  seed: string;
  /** Multiplies how long each action takes to start (1 = about half a second for a turn). */
  pace?: number;
  /** Share of the screen's light in what falls on the face (0.25 = a phone held close in a dim room). */
  reflection?: number;
  /** Time between the screen changing and the camera's frame showing it. */
  lagMs?: number;
  /** Camera noise (standard deviation, 0-255). */
  noise?: number;
  jpegQuality?: number;
  /** Poses jump from rest to the full action and back, with nothing between: stills shown in turn. */
  stills?: boolean;
  /** Time before the colours start (the page starts them a while after the camera). */
  lead?: number;
  /** How long each action is held, and the rest after it (ms). */
  hold?: number;
  rest?: number;
}

/** Time from the first frame to the first colour. */
const DEFAULT_LEAD = 600;

interface Step {
  t: number;
  pose: Pose;
  colour: number | null;
}

/** Where an action takes the face, and how long its parts last (ms) at pace 1. */
const ACTION_MOTION: Record<LivenessAction, { pose: Partial<Pose>; onset: number; hold: number; back: number }> = {
  turn_left: { pose: { yaw: 0.55 }, onset: 550, hold: 450, back: 450 },
  turn_right: { pose: { yaw: -0.55 }, onset: 550, hold: 450, back: 450 },
  nod: { pose: { pitch: 0.55 }, onset: 500, hold: 400, back: 400 },
  open_mouth: { pose: { jaw: 1 }, onset: 400, hold: 500, back: 350 },
  blink: { pose: { eyesClosed: 1 }, onset: 90, hold: 180, back: 120 },
};

const ease = (x: number): number => 0.5 - 0.5 * Math.cos(Math.PI * Math.min(1, Math.max(0, x)));

function blend(a: Pose, b: Partial<Pose>, amount: number): Pose {
  return {
    yaw: a.yaw + ((b.yaw ?? a.yaw) - a.yaw) * amount,
    pitch: a.pitch + ((b.pitch ?? a.pitch) - a.pitch) * amount,
    jaw: a.jaw + ((b.jaw ?? a.jaw) - a.jaw) * amount,
    eyesClosed: a.eyesClosed + ((b.eyesClosed ?? a.eyesClosed) - a.eyesClosed) * amount,
  };
}

/** The session's timeline: rest, the colours with the face still, then each action and back. */
export function planSteps(plan: SessionPlan): Step[] {
  const random = seedrandom(`${plan.seed}:sway`);
  const phase = [random() * 6.3, random() * 6.3, random() * 6.3, random() * 6.3];
  // Where the person sits in this take, and how soon they react to each prompt: nobody is in the same
  // place twice, nor quite as quick.
  const place = { dx: (random() - 0.5) * 70, dy: (random() - 0.5) * 40 };
  const reaction = (): number => 200 + random() * 700;
  const pace = plan.pace ?? 1;
  const lead = plan.lead ?? DEFAULT_LEAD;
  const colourEnd = lead + plan.colours.length * plan.colourMs;
  const segments: { from: number; motion: (typeof ACTION_MOTION)[LivenessAction] }[] = [];
  let cursor = colourEnd + reaction();
  for (const action of plan.actions) {
    const motion = { ...ACTION_MOTION[action], ...(plan.hold ? { hold: plan.hold } : {}) };
    segments.push({ from: cursor, motion });
    cursor += motion.onset * pace + motion.hold + motion.back + (plan.rest ?? 350 + reaction());
  }
  const steps: Step[] = [];
  for (let t = 0; t <= cursor; t += plan.frameMs) {
    let pose = NEUTRAL;
    for (const { from, motion } of segments) {
      const onset = motion.onset * pace;
      const into = t - from;
      if (into < 0 || into > onset + motion.hold + motion.back) continue;
      const amount = into < onset ? ease(into / onset) : into < onset + motion.hold ? 1 : 1 - ease((into - onset - motion.hold) / motion.back);
      pose = blend(NEUTRAL, motion.pose, plan.stills ? (amount > 0.5 ? 1 : 0) : amount);
    }
    const s = t / 1000;
    pose = {
      ...pose,
      yaw: pose.yaw + 0.025 * Math.sin(2 * Math.PI * 0.31 * s + phase[0]!),
      pitch: pose.pitch + 0.02 * Math.sin(2 * Math.PI * 0.23 * s + phase[1]!),
      dx: place.dx + 4 * Math.sin(2 * Math.PI * 0.17 * s + phase[2]!),
      dy: place.dy + 3 * Math.sin(2 * Math.PI * 0.29 * s + phase[3]!),
    };
    const shown = t >= lead && t < colourEnd ? Math.floor((t - lead) / plan.colourMs) : null;
    steps.push({ t: Math.round(t), pose, colour: shown });
  }
  return steps;
}

const rgbOf = (hex: string): [number, number, number] => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];

/** The light on the screen at time t (the app's white page outside the colour phase). */
export function screenLight(plan: SessionPlan, t: number): [number, number, number] {
  const lead = plan.lead ?? DEFAULT_LEAD;
  const index = Math.floor((t - lead) / plan.colourMs);
  const colour = t >= lead && index < plan.colours.length ? plan.colours[index] : undefined;
  return colour ? rgbOf(colour) : [0.92, 0.92, 0.92];
}

/**
 * Light from the screen on a surface: each channel scaled by (ambient + k x screen) over the same
 * under the app's white page. `mask` limits it to a polygon (the face); elsewhere `background` of it.
 */
export function lightFrame(rgb: Buffer, width: number, height: number, light: [number, number, number], k: number, mask?: [number, number][], background = 0.15): void {
  const gain = (share: number): number[] => light.map((c) => (1 + share * k * c) / (1 + share * k * 0.92));
  const inside = mask ? Buffer.alloc(width * height * 3) : undefined;
  if (inside && mask) fillPolygon(inside, width, height, mask, [1, 1, 1]);
  const onFace = gain(1);
  const around = gain(background);
  for (let p = 0; p < width * height; p += 1) {
    const g = !inside || inside[p * 3] ? onFace : around;
    for (let ch = 0; ch < 3; ch += 1) rgb[p * 3 + ch] = Math.min(255, rgb[p * 3 + ch]! * g[ch]!);
  }
}

/** Standard normal samples, drawn once: each frame reads them from a random place. */
const GAUSSIAN = (() => {
  const random = seedrandom('gaussian');
  return Float32Array.from({ length: 1 << 16 }, () => Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random()));
})();

/** Sensor noise: each channel of each pixel off by a normal amount of deviation `sigma`. */
export function addNoise(rgb: Buffer, sigma: number, random: () => number): void {
  if (sigma <= 0) return;
  let at = Math.floor(random() * GAUSSIAN.length);
  const step = 1 + 2 * Math.floor(random() * 1000);
  for (let i = 0; i < rgb.length; i += 1) {
    at = (at + step) & (GAUSSIAN.length - 1);
    rgb[i] = Math.min(255, Math.max(0, rgb[i]! + GAUSSIAN[at]! * sigma));
  }
}

export const encodeFrame = (rgb: Buffer, width: number, height: number, quality = 85): Promise<Buffer> =>
  sharp(rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality }).toBuffer();

/**
 * A scene for the camera: the photo's face about a third of the frame wide, on a plain wall when
 * the photo is a tight crop. Lifted onto its mesh, ready to pose.
 */
export async function sceneOf(photo: Buffer): Promise<LiftedPhoto> {
  const meta = await sharp(photo).metadata();
  const tight = (meta.width ?? 0) < 400;
  if (tight) {
    const face = await sharp(photo).resize({ width: 190, height: 190, fit: 'cover' }).removeAlpha().png().toBuffer();
    const framed = await sharp({ create: { width: FRAME_WIDTH, height: FRAME_HEIGHT, channels: 3, background: '#9a9486' } })
      .composite([{ input: face, left: (FRAME_WIDTH - 190) / 2, top: (FRAME_HEIGHT - 190) / 2 - 10 }]).png().toBuffer();
    return liftPhoto(framed, FRAME_WIDTH);
  }
  // A full photo: cut a 4:3 frame around the face so the face is about 40 % of its width.
  const first = await liftPhoto(photo, 960);
  const xs = first.mesh.map((p) => p[0]);
  const ys = first.mesh.map((p) => p[1]);
  const faceW = Math.max(...xs) - Math.min(...xs);
  const cx = (Math.max(...xs) + Math.min(...xs)) / 2;
  const cy = (Math.max(...ys) + Math.min(...ys)) / 2;
  const w = Math.min(first.width, Math.round(faceW / 0.4));
  const h = Math.min(first.height, Math.round((w * 3) / 4));
  const left = Math.max(0, Math.min(first.width - w, Math.round(cx - w / 2)));
  const top = Math.max(0, Math.min(first.height - h, Math.round(cy - h / 2)));
  const cut = await sharp(first.rgb, { raw: { width: first.width, height: first.height, channels: 3 } })
    .extract({ left, top, width: w, height: h }).resize(FRAME_WIDTH, FRAME_HEIGHT, { fit: 'fill' }).png().toBuffer();
  return liftPhoto(cut, FRAME_WIDTH);
}

/** Films a genuine session: the person follows the plan, the screen's light falls on the face. */
export async function filmSession(scene: LiftedPhoto, plan: SessionPlan): Promise<FilmedSession> {
  const random = seedrandom(`${plan.seed}:camera`);
  const frames: Promise<Buffer>[] = [];
  const timeline: TimedFrame[] = [];
  const amounts: number[] = [];
  for (const step of planSteps(plan)) {
    const { rgb, faceOval } = renderPose(scene, step.pose);
    lightFrame(rgb, scene.width, scene.height, screenLight(plan, step.t - (plan.lagMs ?? 60)), plan.reflection ?? 0.25, faceOval);
    addNoise(rgb, plan.noise ?? 2, random);
    // Encoded on libvips' threads while the next frame is drawn.
    frames.push(encodeFrame(rgb, scene.width, scene.height, plan.jpegQuality ?? 85));
    timeline.push({ t: step.t, colour: step.colour });
    amounts.push(amountOf(step.pose));
  }
  return { frames: await Promise.all(frames), timeline, amounts };
}

/** How far a pose is from rest, as a share of the furthest any action goes. */
function amountOf(pose: Pose): number {
  return Math.max(Math.abs(pose.yaw) / 0.55, pose.pitch / 0.55, pose.jaw, pose.eyesClosed);
}
