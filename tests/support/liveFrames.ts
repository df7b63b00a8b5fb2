import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import type { LivenessAction, LivenessResult } from '@shared';
import type { ApiClient } from './api.js';
import { facePhoto } from './fixtures.js';

/**
 * Camera frames for the live check, made from the fixture stills: no recorded face video exists
 * here, so each person's frontal photo stands for the neutral pose and their other photos (or their
 * mirror image) for the actions those photos happen to show. Blink and nod have no such photo.
 */
export interface FacePoses {
  neutral: string;
  /** Photo per action; `mirror` flips it (a turn to the left becomes a turn to the right). */
  actions: Partial<Record<LivenessAction, { photo: string; mirror?: boolean }>>;
}

export const POSES = {
  penny: {
    neutral: 'people/penny/penny5.png',
    actions: {
      turn_left: { photo: 'people/penny/penny4.png' },
      turn_right: { photo: 'people/penny/penny4.png', mirror: true },
      open_mouth: { photo: 'people/penny/penny1.png' },
    },
  },
  sheldon: {
    neutral: 'people/sheldon/sheldon1.png',
    actions: {
      turn_left: { photo: 'people/sheldon/sheldon3.png', mirror: true },
      turn_right: { photo: 'people/sheldon/sheldon3.png' },
    },
  },
  amy: {
    neutral: 'people/amy/amy5.png',
    actions: {
      turn_left: { photo: 'people/amy/amy1.png', mirror: true },
      turn_right: { photo: 'people/amy/amy1.png' },
    },
  },
} satisfies Record<string, FacePoses>;

export const FRAME_WIDTH = 640;
export const FRAME_HEIGHT = 480;
const FACE_SIDE = 200;

/**
 * One 640x480 camera frame: the photo on a plain background. `shift` moves it a few pixels, as a
 * hand-held phone does between frames; `take` changes the room's light a little, so frames of two
 * takes are never byte-identical (a real camera's noise sees to that; identical bytes are a replay).
 */
export async function cameraFrame(photo: string, { mirror = false, shift = 0, take = 0, squeeze = 1 } = {}): Promise<Buffer> {
  // `squeeze` narrows the picture, as a flat print looks when it is turned about its vertical axis.
  let face = sharp(await facePhoto(photo)).resize({ width: Math.round(FACE_SIDE * squeeze), height: FACE_SIDE, fit: 'fill' });
  if (mirror) face = face.flop();
  // The take's number as a row of black and white blocks in a corner: JPEG would round a subtler
  // difference (a shade of the background) away.
  const bits = 12;
  const mark = Buffer.alloc(bits * 8 * 8 * 3);
  for (let y = 0; y < 8; y += 1) {
    for (let x = 0; x < bits * 8; x += 1) mark.fill((take >> Math.floor(x / 8)) & 1 ? 255 : 0, (y * bits * 8 + x) * 3, (y * bits * 8 + x) * 3 + 3);
  }
  return sharp({ create: { width: FRAME_WIDTH, height: FRAME_HEIGHT, channels: 3, background: '#8a8f96' } })
    .composite([
      { input: await face.png().toBuffer(), left: (FRAME_WIDTH - FACE_SIDE) / 2 + shift, top: (FRAME_HEIGHT - FACE_SIDE) / 2 - 20 + (shift % 3) },
      { input: mark, raw: { width: bits * 8, height: 8, channels: 3 }, left: 8, top: 8 },
    ])
    .jpeg({ quality: 88 })
    .toBuffer();
}

let takes = 0;

/**
 * Frames of a person following `actions`: neutral frames first, then each action and a return to
 * neutral. Every call is a new take.
 */
export async function performFrames(poses: FacePoses, actions: readonly LivenessAction[]): Promise<Buffer[]> {
  const take = (takes += 1);
  let shift = 0;
  const neutral = (): Promise<Buffer> => cameraFrame(poses.neutral, { shift: (shift += 1) % 7, take });
  const frames = [await neutral(), await neutral()];
  for (const action of actions) {
    const pose = poses.actions[action];
    if (!pose) throw new Error(`no photo shows ${action}`);
    frames.push(await cameraFrame(pose.photo, { mirror: pose.mirror ?? false, shift: (shift += 1) % 7, take }));
    frames.push(await neutral(), await neutral());
  }
  return frames;
}

/** Asks for a challenge and answers it with `poses` performing it; returns the server's verdict. */
export async function passLiveCheck(api: ApiClient, order: { id: string; token: string }, poses: FacePoses): Promise<LivenessResult> {
  const challenge = await api.startLiveness(order.id, order.token);
  if (challenge.status !== 201) throw new Error(`no challenge: ${JSON.stringify(challenge.body)}`);
  const answer = await api.sendFrames(order.id, order.token, challenge.body.challengeId, await performFrames(poses, challenge.body.actions));
  if (answer.status !== 200) throw new Error(`frames refused: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/**
 * A "recorded" face video for Chromium's fake camera (a Y4M file, played in a loop): the neutral
 * photo for two seconds, then each action's photo for 2.5 s, with 2.5 s of neutral after each. A
 * person holds an action about a second; longer here, so that tracking on a busy machine (a look
 * can take more than a second when other tests load the CPU) still catches it. The loop (12 s for
 * two actions) stays within the time the page gives each action, whatever order is asked.
 * The stills move a pixel or two from frame to frame, as a hand-held phone does. Each call is a new
 * take (see `cameraFrame`). Chromium reads the file again each time the camera starts, from its first
 * frame: recording again over the same file before a second try gives that try frames of its own.
 * Needs ffmpeg.
 */
export async function recordFaceVideo(poses: FacePoses, actions: readonly LivenessAction[], out: string): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'face-video-'));
  const FPS = 10;
  const take = (takes += 1);
  let n = 0;
  const hold = async (photo: string, seconds: number, mirror = false): Promise<void> => {
    for (let i = 0; i < seconds * FPS; i += 1) {
      n += 1;
      await writeFile(path.join(dir, `${String(n).padStart(4, '0')}.jpg`), await cameraFrame(photo, { mirror, shift: n % 5, take }));
    }
  };
  try {
    await hold(poses.neutral, 2);
    for (const action of actions) {
      const pose = poses.actions[action];
      if (!pose) throw new Error(`no photo shows ${action}`);
      await hold(pose.photo, 2.5, pose.mirror ?? false);
      await hold(poses.neutral, 2.5);
    }
    await promisify(execFile)('ffmpeg', ['-y', '-loglevel', 'error', '-framerate', String(FPS), '-i', path.join(dir, '%04d.jpg'), '-pix_fmt', 'yuv420p', out]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
