import Delaunator from 'delaunator';
import type { LiftedPhoto, MeshPoint } from './faceMesh.js';

/**
 * Renders a photo lifted onto its face mesh in another pose: the head turned, nodded, the mouth
 * opened or the eyes closed. The mesh's triangles (and a ring around the head that blends into the
 * unmoving background) are drawn far to near, each an affine warp of the photo's pixels. What this
 * can show: motion that is geometrically continuous and three-dimensional, frame after frame. What it
 * cannot: skin, hair and ears seen from a new side (stretched from the frontal photo), real eyelids
 * and teeth, a body that moves with the head.
 */
export interface Pose {
  /** Radians; positive turns the head to the person's left (the nose moves to the image's right). */
  yaw: number;
  /** Radians; positive nods down. */
  pitch: number;
  /** 0 closed to 1 wide open. */
  jaw: number;
  /** 0 open to 1 closed. */
  eyesClosed: number;
  /** Whole-head shift in pixels (the person sways). */
  dx?: number;
  dy?: number;
}

export const NEUTRAL: Pose = { yaw: 0, pitch: 0, jaw: 0, eyesClosed: 0 };

/** MediaPipe face-mesh indices: the face oval, the inner lips, the eyelids. */
const FACE_OVAL = [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109];
const UPPER_INNER_LIP = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308];
const LOWER_INNER_LIP = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308];
const EYELIDS: [number[], number[]][] = [
  [[246, 161, 160, 159, 158, 157, 173], [7, 163, 144, 145, 153, 154, 155]],
  [[466, 388, 387, 386, 385, 384, 398], [249, 390, 373, 374, 380, 381, 382]],
];

export interface Rendered {
  rgb: Buffer;
  /** The face oval in the rendered frame: where light from the screen falls on skin. */
  faceOval: [number, number][];
}

interface Model {
  source: [number, number][];
  depth: number[];
  /** How much of the head's motion each point follows (1 on the face, 0 on the frame's edge). */
  follow: number[];
  triangles: Uint32Array;
  centre: MeshPoint;
  faceWidth: number;
  faceHeight: number;
  meshCount: number;
}

const models = new WeakMap<LiftedPhoto, Model>();

function modelOf(photo: LiftedPhoto): Model {
  const known = models.get(photo);
  if (known) return known;
  const { mesh, width, height } = photo;
  const at = (i: number): MeshPoint => mesh[i] ?? [0, 0, 0];
  const faceWidth = Math.hypot(at(454)[0] - at(234)[0], at(454)[1] - at(234)[1]);
  const faceHeight = Math.hypot(at(152)[0] - at(10)[0], at(152)[1] - at(10)[1]);
  const cx = FACE_OVAL.reduce((s, i) => s + at(i)[0], 0) / FACE_OVAL.length;
  const cy = FACE_OVAL.reduce((s, i) => s + at(i)[1], 0) / FACE_OVAL.length;
  const ovalDepth = FACE_OVAL.reduce((s, i) => s + at(i)[2], 0) / FACE_OVAL.length;
  // The head turns about a point inside it, behind the face's edge.
  const centre: MeshPoint = [cx, cy, ovalDepth + faceWidth * 0.35];
  const source: [number, number][] = mesh.map((p) => [p[0], p[1]]);
  const depth = mesh.map((p) => p[2]);
  const follow = mesh.map(() => 1);
  // The head beyond the face (hair, ears, the sides): a ring that turns with it, then one that stays.
  for (const [grow, weight] of [[1.3, 1], [1.65, 0.5], [2.2, 0]] as const) {
    for (const i of FACE_OVAL) {
      source.push([cx + (at(i)[0] - cx) * grow, cy + (at(i)[1] - cy) * grow]);
      depth.push(centre[2]);
      follow.push(weight);
    }
  }
  for (const [x, y] of [[0, 0], [0.5, 0], [1, 0], [1, 0.5], [1, 1], [0.5, 1], [0, 1], [0, 0.5]] as const) {
    source.push([x * (width - 1), y * (height - 1)]);
    depth.push(centre[2] + faceWidth * 2);
    follow.push(0);
  }
  const triangles = Delaunator.from(source).triangles;
  const model = { source, depth, follow, triangles, centre, faceWidth, faceHeight, meshCount: mesh.length };
  models.set(photo, model);
  return model;
}

/** Where each point of the model goes in a pose: [x, y, depth]. */
function placePoints(photo: LiftedPhoto, model: Model, pose: Pose): MeshPoint[] {
  const { source, depth, follow, centre, faceWidth, faceHeight, meshCount } = model;
  const points: MeshPoint[] = source.map(([x, y], i) => [x, y, depth[i] ?? 0]);
  const mesh = (i: number): MeshPoint => points[i] ?? [0, 0, 0];
  // Eyes: the upper lid comes down onto the lower.
  for (const [upper, lower] of EYELIDS) {
    upper.forEach((u, k) => {
      const lo = photo.mesh[lower[k] ?? 0] ?? [0, 0, 0];
      const p = mesh(u);
      p[0] += (lo[0] - p[0]) * pose.eyesClosed * 0.9;
      p[1] += (lo[1] - p[1]) * pose.eyesClosed * 0.9;
    });
  }
  // Mouth: the jaw drops; points below the lips follow, less towards the sides of the face.
  const mouth = photo.mesh[13] ?? [0, 0, 0];
  const drop = pose.jaw * faceHeight * 0.24;
  for (let i = 0; i < points.length; i += 1) {
    const p = points[i] ?? [0, 0, 0];
    const below = Math.min(1, Math.max(0, (source[i]![1] - mouth[1]) / (faceHeight * 0.012)));
    const side = Math.max(0, 1 - Math.abs(source[i]![0] - mouth[0]) / (faceWidth * 0.75));
    const onFace = i < meshCount ? 1 : (follow[i] ?? 0) * 0.6;
    p[1] += drop * below * side * onFace;
  }
  // The head turns and nods about its centre; the ring blends towards the still background.
  const [cx, cy, cz] = centre;
  const cyaw = Math.cos(pose.yaw);
  const syaw = Math.sin(pose.yaw);
  const cpitch = Math.cos(pose.pitch);
  const spitch = Math.sin(pose.pitch);
  return points.map((p, i) => {
    const w = follow[i] ?? 0;
    let x = p[0] - cx;
    let y = p[1] - cy;
    let z = p[2] - cz;
    const x1 = x * cyaw - z * syaw;
    const z1 = x * syaw + z * cyaw;
    const y2 = y * cpitch - z1 * spitch;
    const z2 = y * spitch + z1 * cpitch;
    x = cx + x1 + (pose.dx ?? 0);
    y = cy + y2 + (pose.dy ?? 0);
    z = cz + z2;
    return [p[0] + (x - p[0]) * w, p[1] + (y - p[1]) * w, p[2] + (z - p[2]) * w];
  });
}

function fillTriangle(out: Buffer, photo: LiftedPhoto, dst: MeshPoint[], src: [number, number][], a: number, b: number, c: number): void {
  const { width, height, rgb } = photo;
  const [ax, ay] = dst[a]!;
  const [bx, by] = dst[b]!;
  const [cx, cy] = dst[c]!;
  const det = (bx - ax) * (cy - ay) - (cx - ax) * (by - ay);
  if (Math.abs(det) < 1e-6) return;
  const [sax, say] = src[a]!;
  const [sbx, sby] = src[b]!;
  const [scx, scy] = src[c]!;
  // Barycentric u and v are affine in the pixel's centre (px, py): u = uX px + uY py, v likewise.
  const uX = (cy - ay) / det;
  const uY = -(cx - ax) / det;
  const vX = -(by - ay) / det;
  const vY = (bx - ax) / det;
  const minX = Math.max(0, Math.floor(Math.min(ax, bx, cx)));
  const maxX = Math.min(width - 1, Math.ceil(Math.max(ax, bx, cx)));
  const minY = Math.max(0, Math.floor(Math.min(ay, by, cy)));
  const maxY = Math.min(height - 1, Math.ceil(Math.max(ay, by, cy)));
  for (let y = minY; y <= maxY; y += 1) {
    const py = y + 0.5 - ay;
    for (let x = minX; x <= maxX; x += 1) {
      const px = x + 0.5 - ax;
      const u = px * uX + py * uY;
      const v = px * vX + py * vY;
      if (u < -0.001 || v < -0.001 || u + v > 1.002) continue;
      const sx = Math.min(width - 1.001, Math.max(0, sax + u * (sbx - sax) + v * (scx - sax)));
      const sy = Math.min(height - 1.001, Math.max(0, say + u * (sby - say) + v * (scy - say)));
      const x0 = sx | 0;
      const y0 = sy | 0;
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (y * width + x) * 3;
      const i00 = (y0 * width + x0) * 3;
      const i01 = i00 + width * 3;
      for (let ch = 0; ch < 3; ch += 1) {
        const top = rgb[i00 + ch]! + (rgb[i00 + 3 + ch]! - rgb[i00 + ch]!) * fx;
        const bottom = rgb[i01 + ch]! + (rgb[i01 + 3 + ch]! - rgb[i01 + ch]!) * fx;
        out[o + ch] = top + (bottom - top) * fy;
      }
    }
  }
}

/** Fills a polygon with one colour (the inside of an open mouth). */
export function fillPolygon(out: Buffer, width: number, height: number, polygon: [number, number][], colour: [number, number, number]): void {
  const ys = polygon.map((p) => p[1]);
  for (let y = Math.max(0, Math.floor(Math.min(...ys))); y <= Math.min(height - 1, Math.ceil(Math.max(...ys))); y += 1) {
    const crossings: number[] = [];
    polygon.forEach(([x1, y1], i) => {
      const [x2, y2] = polygon[(i + 1) % polygon.length]!;
      if ((y1 <= y + 0.5 && y2 > y + 0.5) || (y2 <= y + 0.5 && y1 > y + 0.5)) crossings.push(x1 + ((y + 0.5 - y1) / (y2 - y1)) * (x2 - x1));
    });
    crossings.sort((a, b) => a - b);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      for (let x = Math.max(0, Math.ceil(crossings[k]!)); x <= Math.min(width - 1, Math.floor(crossings[k + 1]!)); x += 1) {
        out.set(colour, (y * width + x) * 3);
      }
    }
  }
}

/** Whether none of a triangle's corners follows the head: it is drawn the same in every pose. */
const unmoving = (model: Model, t: number): boolean => [0, 1, 2].every((k) => (model.follow[model.triangles[t + k]!] ?? 0) === 0);

const backgrounds = new WeakMap<LiftedPhoto, Buffer>();

/** The photo with the triangles that never move drawn once: every pose starts from it. */
function backgroundOf(photo: LiftedPhoto, model: Model): Buffer {
  let background = backgrounds.get(photo);
  if (!background) {
    background = Buffer.from(photo.rgb);
    const still = model.source.map(([x, y], i): MeshPoint => [x, y, model.depth[i] ?? 0]);
    for (let t = 0; t < model.triangles.length; t += 3) {
      if (unmoving(model, t)) fillTriangle(background, photo, still, model.source, model.triangles[t]!, model.triangles[t + 1]!, model.triangles[t + 2]!);
    }
    backgrounds.set(photo, background);
  }
  return background;
}

/**
 * The photo's face in `pose`, as packed RGB of the photo's size. The unmoving background is drawn
 * once per photo; what moves is drawn over it far to near.
 */
export function renderPose(photo: LiftedPhoto, pose: Pose): Rendered {
  const model = modelOf(photo);
  const placed = placePoints(photo, model, pose);
  const out = Buffer.from(backgroundOf(photo, model));
  const { triangles } = model;
  const order: { t: number; z: number }[] = [];
  for (let t = 0; t < triangles.length; t += 3) {
    if (unmoving(model, t)) continue;
    order.push({ t, z: (placed[triangles[t]!]![2] + placed[triangles[t + 1]!]![2] + placed[triangles[t + 2]!]![2]) / 3 });
  }
  order.sort((p, q) => q.z - p.z);
  for (const { t } of order) fillTriangle(out, photo, placed, model.source, triangles[t]!, triangles[t + 1]!, triangles[t + 2]!);
  if (pose.jaw > 0.05) {
    const lips = [...UPPER_INNER_LIP.map((i) => placed[i]!), ...[...LOWER_INNER_LIP].reverse().map((i) => placed[i]!)];
    fillPolygon(out, photo.width, photo.height, lips.map((p): [number, number] => [p[0], p[1]]), [48, 22, 24]);
  }
  return { rgb: out, faceOval: FACE_OVAL.map((i): [number, number] => [placed[i]![0], placed[i]![1]]) };
}
