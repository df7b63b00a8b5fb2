import { type FrameMeasures, type Point, measureFrame, mostNeutral, neutralOf } from '@shared';
import sharp from 'sharp';
import { MAX_INPUT_PIXELS } from '../image.js';
import { faceapi, loadFaceModels } from './faceModels.js';

/**
 * Readings of a live check's frames, each frame decoded once: the face's landmarks, the colour of
 * its skin and of the frame's border (for the screen's reflection), and a perceptual hash (for
 * replays that were re-encoded). What the frames mean is decided elsewhere (liveMotion.ts).
 */
export interface FrameRead {
  width: number;
  height: number;
  /** The 68 landmarks in the frame's pixels, or null when no face was found. */
  landmarks: Point[] | null;
  box: { x: number; y: number; width: number; height: number } | null;
  skin: [number, number, number] | null;
  surround: [number, number, number];
  /** 64-bit DCT hash of the whole frame, as 16 hex digits. */
  hash: string;
}

/** Long side frames are read at; the page sends them at this size. */
export const SEQUENCE_FRAME_SIDE = 480;

/** Mean RGB of a rectangle of packed RGB. */
function meanRgb(data: Buffer, width: number, x0: number, y0: number, x1: number, y1: number): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = Math.max(0, Math.floor(y0)); y < Math.floor(y1); y += 1) {
    for (let x = Math.max(0, Math.floor(x0)); x < Math.min(width, Math.floor(x1)); x += 1) {
      const o = (y * width + x) * 3;
      sum[0]! += data[o]!;
      sum[1]! += data[o + 1]!;
      sum[2]! += data[o + 2]!;
      n += 1;
    }
  }
  return n ? [sum[0]! / n, sum[1]! / n, sum[2]! / n] : [0, 0, 0];
}

/** The frame's border strips (a tenth of each side): the room, away from the face. */
function surroundOf(data: Buffer, width: number, height: number): [number, number, number] {
  const bx = Math.round(width / 10);
  const by = Math.round(height / 10);
  const parts = [meanRgb(data, width, 0, 0, width, by), meanRgb(data, width, 0, height - by, width, height),
    meanRgb(data, width, 0, by, bx, height - by), meanRgb(data, width, width - bx, by, width, height - by)];
  return [0, 1, 2].map((c) => parts.reduce((s, p) => s + p[c]!, 0) / parts.length) as [number, number, number];
}

/** The skin of the cheeks and nose between the eyes and the mouth. */
function skinOf(data: Buffer, width: number, p: Point[]): [number, number, number] {
  const left = p[3]![0];
  const right = p[13]![0];
  const inset = (right - left) * 0.15;
  return meanRgb(data, width, left + inset, p[28]![1], right - inset, p[33]![1]);
}

const DCT_SIZE = 32;
const COS = Array.from({ length: 8 }, (_, u) => Array.from({ length: DCT_SIZE }, (__, x) => Math.cos(((2 * x + 1) * u * Math.PI) / (2 * DCT_SIZE))));

/** The classic perceptual hash: the 8x8 lowest frequencies of a 32x32 grey image, each above or below their median. */
export function dctHash(grey: Uint8Array | Buffer): string {
  const coefficients: number[] = [];
  for (let u = 0; u < 8; u += 1) {
    for (let v = 0; v < 8; v += 1) {
      let sum = 0;
      for (let y = 0; y < DCT_SIZE; y += 1) {
        const cy = COS[v]![y]!;
        for (let x = 0; x < DCT_SIZE; x += 1) sum += grey[y * DCT_SIZE + x]! * COS[u]![x]! * cy;
      }
      coefficients.push(sum);
    }
  }
  const ac = coefficients.slice(1);
  const median = [...ac].sort((a, b) => a - b)[Math.floor(ac.length / 2)]!;
  let hex = '';
  for (let nibble = 0; nibble < 16; nibble += 1) {
    let value = 0;
    for (let bit = 0; bit < 4; bit += 1) value = (value << 1) | ((coefficients[nibble * 4 + bit]! > median) ? 1 : 0);
    hex += value.toString(16);
  }
  return hex;
}

interface Decoded {
  data: Buffer;
  width: number;
  height: number;
}

async function decodeFrame(image: Buffer): Promise<Decoded & { hash: string }> {
  const { data, info } = await sharp(image, { limitInputPixels: MAX_INPUT_PIXELS })
    .rotate()
    .resize({ width: SEQUENCE_FRAME_SIDE, height: SEQUENCE_FRAME_SIDE, fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const grey = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
    .resize(DCT_SIZE, DCT_SIZE, { fit: 'fill' }).greyscale().raw().toBuffer();
  return { data, width: info.width, height: info.height, hash: dctHash(grey) };
}

type Landmarks68 = InstanceType<typeof faceapi.FaceLandmarks68>;

/** A face read in a frame: its landmarks in the frame's pixels, the box they were read in, and the detector's score. */
interface Found {
  landmarks: Landmarks68;
  box: { x: number; y: number; width: number; height: number };
  score: number;
}

/** Input size of the tiny detector on frames: the face fills a good part of a 480 px frame. */
const FRAME_DETECTOR_INPUT = 224;

const tensorOf = (frame: Decoded) => faceapi.tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32');

async function findFace(frame: Decoded): Promise<Found | undefined> {
  const tensor = tensorOf(frame);
  try {
    const found = await faceapi.detectSingleFace(tensor, new faceapi.TinyFaceDetectorOptions({ inputSize: FRAME_DETECTOR_INPUT, scoreThreshold: 0.4 })).withFaceLandmarks();
    if (!found) return undefined;
    const { x, y, width, height } = found.detection.box;
    return { landmarks: found.landmarks, box: { x, y, width, height }, score: found.detection.score };
  } finally {
    tensor.dispose();
  }
}

/** A rectangle of packed RGB, copied out row by row. */
function cropOf(frame: Decoded, x: number, y: number, width: number, height: number): Buffer {
  const out = Buffer.allocUnsafe(width * height * 3);
  for (let row = 0; row < height; row += 1) {
    const from = ((y + row) * frame.width + x) * 3;
    frame.data.copy(out, row * width * 3, from, from + width * 3);
  }
  return out;
}

/**
 * The 68 landmarks read inside a given box (no detector): how a face is followed from frame to frame.
 * Only the box's pixels become a tensor (the same pixels faceapi.extractFaceTensors would cut out of
 * the whole frame's, at a fraction of the copying).
 */
async function landmarksIn(frame: Decoded, wanted: Found['box']): Promise<Landmarks68 | undefined> {
  const x = Math.max(0, Math.round(wanted.x));
  const y = Math.max(0, Math.round(wanted.y));
  const width = Math.min(frame.width - x, Math.round(wanted.width));
  const height = Math.min(frame.height - y, Math.round(wanted.height));
  if (width < 40 || height < 40) return undefined;
  const crop = faceapi.tf.tensor3d(cropOf(frame, x, y, width, height), [height, width, 3], 'int32');
  try {
    const read = await faceapi.nets.faceLandmark68Net.detectLandmarks(crop);
    const one = Array.isArray(read) ? read[0] : read;
    return one?.shiftBy<Landmarks68>(x, y);
  } finally {
    crop.dispose();
  }
}

async function describe(frame: Decoded, found: Found): Promise<number[]> {
  const tensor = tensorOf(frame);
  try {
    const [face] = await faceapi.extractFaceTensors(tensor, [found.landmarks.align()]);
    if (!face) throw new Error('no face to describe');
    try {
      return Array.from(await faceapi.computeFaceDescriptor(face) as Float32Array);
    } finally {
      face.dispose();
    }
  } finally {
    tensor.dispose();
  }
}

const pointsOf = (found: Found): Point[] => found.landmarks.positions.map((p): Point => [p.x, p.y]);

/** The landmarks' own bounding box. */
function spanOf(points: Point[]): { cx: number; cy: number; width: number } {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return { cx: (Math.min(...xs) + Math.max(...xs)) / 2, cy: (Math.min(...ys) + Math.max(...ys)) / 2, width: Math.max(...xs) - Math.min(...xs) };
}

/** Frames read by following the face before the detector is run again to anchor it. */
const DETECT_EVERY = 6;

/**
 * Follows one face through frames: the detector anchors it now and then; in between the landmarks
 * are read in the box the last landmarks imply, which costs a fifth of a detection. A box whose
 * landmarks wander from it or change size is read again with the detector.
 */
class FaceFollower {
  #anchor: { box: Found['box']; span: ReturnType<typeof spanOf>; score: number } | undefined;
  #last: Point[] | undefined;
  #sinceDetection = 0;

  async read(frame: Decoded): Promise<Found | undefined> {
    if (this.#anchor && this.#last && this.#sinceDetection < DETECT_EVERY) {
      const { box, span, score } = this.#anchor;
      const now = spanOf(this.#last);
      const scale = now.width / span.width;
      const width = box.width * scale;
      const height = box.height * scale;
      const wanted = { x: now.cx + (box.x + box.width / 2 - span.cx) * scale - width / 2, y: now.cy + (box.y + box.height / 2 - span.cy) * scale - height / 2, width, height };
      const landmarks = await landmarksIn(frame, wanted);
      if (landmarks) {
        const points = landmarks.positions.map((p): Point => [p.x, p.y]);
        const seen = spanOf(points);
        const drift = Math.hypot(seen.cx - now.cx, seen.cy - now.cy) / now.width;
        // A big change of pose from one frame to the next is read again with the detector: landmarks
        // read in the previous frame's box follow motion, not a cut to another picture.
        if (drift < 0.2 && seen.width > now.width * 0.75 && seen.width < now.width * 1.33 && !moved(this.#last, points, 0.15)) {
          this.#sinceDetection += 1;
          this.#last = points;
          return { landmarks, box: wanted, score };
        }
      }
    }
    const found = await findFace(frame);
    this.#sinceDetection = 0;
    if (!found) {
      this.#anchor = undefined;
      this.#last = undefined;
      return undefined;
    }
    this.#last = pointsOf(found);
    this.#anchor = { box: found.box, span: spanOf(this.#last), score: found.score };
    return found;
  }
}

/** A sequence's readings, and the descriptors of the frames that stand for the person. */
export interface SequenceRead {
  frames: (FrameRead & { analysed: boolean })[];
  /** The frame nearest the neutral pose first, then a few spread over the sequence. */
  described: { index: number; descriptor: number[]; score: number }[];
}

/** Whether a face moved between two readings by more than `limit` inter-ocular distances (pose or mouth). */
function moved(a: Point[] | null, b: Point[] | null, limit = 0.06): boolean {
  if (!a || !b) return true;
  const iod = Math.hypot(a[45]![0] - a[36]![0], a[45]![1] - a[36]![1]) || 1;
  // Nose tip against the eyes' midpoint, and the lips apart: pose and mouth, in inter-ocular units.
  const relative = (p: Point[]): number[] => {
    const ex = (p[36]![0] + p[45]![0]) / 2;
    const ey = (p[36]![1] + p[45]![1]) / 2;
    return [p[30]![0] - ex, p[30]![1] - ey, p[66]![1] - p[62]![1], p[41]![1] - p[37]![1], p[46]![1] - p[44]![1]];
  };
  const ra = relative(a);
  const rb = relative(b);
  return ra.some((v, i) => Math.abs(v - rb[i]!) / iod > limit);
}

/** Of `part`, the index of the frame nearest the neutral pose of `all` (the median of each measure). */
function nearestNeutral(part: FrameMeasures[], all: FrameMeasures[]): number {
  const neutral = neutralOf(all);
  const away = (f: FrameMeasures): number => Math.abs(f.yaw - neutral.yaw) + Math.abs(f.pitch - neutral.pitch) + Math.abs(f.mouth - neutral.mouth);
  return part.reduce((best, frame, i) => (away(frame) < away(part[best]!) ? i : best), 0);
}

/** Descriptors taken besides the reference frame's, spread over the sequence. */
const SPREAD_DESCRIPTORS = 3;

/**
 * Reads a live check's frames, each decoded once. Where the person holds still (`still[i]`: the
 * screen's colours are showing) faces are searched in every second frame, and in the frame between
 * two whose face moved; a frame left out takes its skin colour from the nearest read face. Every
 * other frame is read: an action can be as short as one frame.
 */
export async function readSequence(images: Buffer[], still: readonly boolean[] = []): Promise<SequenceRead> {
  await loadFaceModels();
  // Decoding is libvips' work, on its own threads: all frames at once.
  const decoded = await Promise.all(images.map((image) => decodeFrame(image)));
  const found = new Map<number, Found | null>();
  const follower = new FaceFollower();
  const read = async (i: number): Promise<void> => {
    if (!found.has(i)) found.set(i, (await follower.read(decoded[i]!)) ?? null);
  };
  // In order, so the face is followed from each frame to the next: a still frame between two read
  // ones is read too when the face moved across it.
  const last = decoded.length - 1;
  for (let i = 0; i <= last; i += 1) {
    const skippable = still[i] && i % 2 === 1 && i < last;
    if (!skippable) await read(i);
    if (i >= 2 && still[i - 1] && (i - 1) % 2 === 1 && !found.has(i - 1)) {
      const before = found.get(i - 2);
      const after = found.get(i);
      if (after !== undefined && moved(before ? pointsOf(before) : null, after ? pointsOf(after) : null)) found.set(i - 1, (await findFace(decoded[i - 1]!)) ?? null);
    }
  }
  const analysed = [...found.keys()].sort((a, b) => a - b);
  const nearestFace = (i: number): Found | null => {
    let best: Found | null = null;
    let distance = Number.POSITIVE_INFINITY;
    for (const j of analysed) {
      const f = found.get(j);
      if (f && Math.abs(j - i) < distance) {
        best = f;
        distance = Math.abs(j - i);
      }
    }
    return best;
  };
  const frames = decoded.map((frame, i) => {
    const own = found.get(i);
    const face = own ?? (found.has(i) ? null : nearestFace(i));
    const landmarks = own ? pointsOf(own) : null;
    return {
      width: frame.width,
      height: frame.height,
      analysed: found.has(i),
      landmarks,
      box: own ? own.box : null,
      skin: face ? skinOf(frame.data, frame.width, pointsOf(face)) : null,
      surround: surroundOf(frame.data, frame.width, frame.height),
      hash: frame.hash,
    };
  });

  const withFaces = analysed.filter((i) => found.get(i));
  const described: SequenceRead['described'] = [];
  if (withFaces.length > 0) {
    const measures = withFaces.map((i) => measureFrame(pointsOf(found.get(i)!)));
    const reference = withFaces[mostNeutral(measures)] ?? withFaces[0]!;
    // In each part of the check, the frame nearest the neutral pose (a face turned far away is a
    // poorer likeness of anyone; the question is only whether the person stayed the same): one part
    // where the person holds still, and the moving part cut in SPREAD_DESCRIPTORS - 1.
    const moving = withFaces.findIndex((i) => !still[i]);
    const bounds = moving <= 0 ? [0] : [0, moving];
    for (let k = 1; k < SPREAD_DESCRIPTORS - 1; k += 1) bounds.push(Math.max(0, moving) + Math.floor((k * (withFaces.length - Math.max(0, moving))) / (SPREAD_DESCRIPTORS - 1)));
    bounds.push(withFaces.length);
    const spread = bounds.slice(0, -1).flatMap((from, k) => {
      const to = bounds[k + 1]!;
      return to > from ? [withFaces[from + nearestNeutral(measures.slice(from, to), measures)]!] : [];
    });
    for (const index of [reference, ...spread.filter((i) => i !== reference)]) {
      const face = found.get(index)!;
      described.push({ index, descriptor: await describe(decoded[index]!, face), score: face.score });
    }
  }
  return { frames, described };
}

/** Reads one frame on its own (every step of `readSequence` but the sampling). */
export async function readFrame(image: Buffer): Promise<FrameRead> {
  await loadFaceModels();
  const frame = await decodeFrame(image);
  const face = await findFace(frame);
  const landmarks = face ? pointsOf(face) : null;
  return {
    width: frame.width,
    height: frame.height,
    landmarks,
    box: face ? face.box : null,
    skin: landmarks ? skinOf(frame.data, frame.width, landmarks) : null,
    surround: surroundOf(frame.data, frame.width, frame.height),
    hash: frame.hash,
  };
}
