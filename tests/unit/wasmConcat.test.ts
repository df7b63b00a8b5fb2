import { beforeAll, describe, expect, it } from 'vitest';
import { faceapi, wasmBackend } from '../../bff/src/engine/face/faceModels.js';
import type { KernelConfig, KernelRegistry } from '../../bff/src/engine/face/wasmConcat.js';

const tf = faceapi.tf;
const registry = tf as unknown as KernelRegistry;
type Shipped = KernelConfig['kernelFunc'] & { shortRun?: boolean; shipped?: KernelConfig['kernelFunc'] };

/** The same inputs joined by the backend's own kernel, put back for the one call. */
function joinedByShipped(tensors: ReturnType<typeof tf.tensor>[], axis: number): number[] {
  const ours = registry.getKernel('Concat', 'wasm')!;
  const shipped = (ours.kernelFunc as Shipped).shipped!;
  registry.unregisterKernel('Concat', 'wasm');
  registry.registerKernel({ ...ours, kernelFunc: shipped });
  try {
    return Array.from(tf.concat(tensors, axis).dataSync());
  } finally {
    registry.unregisterKernel('Concat', 'wasm');
    registry.registerKernel(ours);
  }
}

const counting = (n: number, offset: number): number[] => Array.from({ length: n }, (_, i) => offset + i * 0.5);

describe('joining tensors on the WebAssembly backend', () => {
  beforeAll(async () => {
    await wasmBackend();
  });

  it('is ours once the backend is set up, with the shipped kernel kept', () => {
    expect((tf as unknown as { getBackend(): string }).getBackend()).toBe('wasm');
    const kernel = registry.getKernel('Concat', 'wasm')!.kernelFunc as Shipped;
    expect(kernel.shortRun).toBe(true);
    expect(typeof kernel.shipped).toBe('function');
  });

  it('gives what the shipped kernel gives, value for value, for short runs and long ones', () => {
    const cases: { shapes: number[][]; axis: number; dtype: 'float32' | 'int32' }[] = [
      // face-api's per-channel mean: three one-channel images joined along the channels.
      { shapes: [[1, 5, 7, 1], [1, 5, 7, 1], [1, 5, 7, 1]], axis: 3, dtype: 'float32' },
      { shapes: [[1, 4, 3, 2], [1, 4, 3, 1]], axis: -1, dtype: 'int32' },
      { shapes: [[2, 3, 4], [2, 3, 4]], axis: 2, dtype: 'float32' },
      // Padding an image to a square: long runs, the shipped kernel's case.
      { shapes: [[1, 2, 6, 3], [1, 4, 6, 3]], axis: 1, dtype: 'float32' },
      { shapes: [[1, 6, 2, 3], [1, 6, 0, 3], [1, 6, 5, 3]], axis: 2, dtype: 'float32' },
    ];
    for (const { shapes, axis, dtype } of cases) {
      const tensors = shapes.map((shape, i) => tf.tensor(counting(shape.reduce((a, b) => a * b, 1), 100 * i), shape, dtype));
      const ours = tf.concat(tensors, axis);
      expect(ours.shape).toEqual(tf.concat(tensors.map((t) => t.clone()), axis).shape);
      expect(Array.from(ours.dataSync())).toEqual(joinedByShipped(tensors, axis));
      for (const t of [...tensors, ours]) t.dispose();
    }
  });

  it('joins one-value runs in their order: red, green, blue of each pixel', () => {
    const [r, g, b] = [1, 2, 3].map((v) => tf.fill([1, 2, 2, 1], v, 'float32'));
    expect(Array.from(tf.concat([r!, g!, b!], 3).dataSync())).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]);
  });
});
