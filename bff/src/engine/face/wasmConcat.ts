/**
 * TensorFlow.js's WebAssembly backend joins tensors (Concat) in JavaScript, copying each input's
 * run of values along the joined axis with a typed-array `set`. face-api builds every model input's
 * mean by joining three one-channel tensors along the channel axis: runs of one value, so one `set`
 * per value, about 2 ms for a 112 px landmark crop and 10 ms for a 224 px frame. Runs that short are
 * copied here in a plain loop instead; anything else goes to the backend's own kernel. The values
 * and their order are the same.
 */

/** The parts of a tensor the kernel reads. */
interface KernelTensor {
  shape: number[];
  dtype: string;
  dataId: object;
}

interface WasmBackend {
  makeOutput(shape: number[], dtype: string): KernelTensor;
  typedArrayFromHeap(tensor: KernelTensor): { [index: number]: number; length: number };
}

interface ConcatArgs {
  inputs: KernelTensor[];
  backend: WasmBackend;
  attrs: { axis: number | number[] };
}

export interface KernelConfig {
  kernelName: string;
  backendName: string;
  kernelFunc: (args: ConcatArgs) => KernelTensor;
  setupFunc?: unknown;
}

/** What this needs of TensorFlow.js (face-api's bundled copy of it). */
export interface KernelRegistry {
  getKernel(kernelName: string, backendName: string): KernelConfig | undefined;
  unregisterKernel(kernelName: string, backendName: string): void;
  registerKernel(config: KernelConfig): void;
}

/** Longest run copied by the loop here: longer runs are what `set` is good at. */
const SHORT_RUN = 16;

const sizeOf = (shape: readonly number[]): number => shape.reduce((product, side) => product * side, 1);

/** The joined shape: the inputs' shape with the axis summed. */
const joinedShape = (inputs: readonly KernelTensor[], axis: number): number[] => {
  const shape = [...(inputs[0]?.shape ?? [])];
  shape[axis] = inputs.reduce((sum, t) => sum + (t.shape[axis] ?? 0), 0);
  return shape;
};

/** A Concat kernel that copies short runs itself and hands everything else to `shipped`. */
export function shortRunConcat(shipped: KernelConfig['kernelFunc']): KernelConfig['kernelFunc'] {
  return (args) => {
    const { inputs, backend } = args;
    const first = inputs[0];
    if (!first || first.dtype === 'string') return shipped(args);
    const rank = first.shape.length;
    const asked = Array.isArray(args.attrs.axis) ? args.attrs.axis[0] ?? 0 : args.attrs.axis;
    const axis = asked < 0 ? asked + rank : asked;
    const parts = inputs.filter((t) => sizeOf(t.shape) > 0);
    const runs = parts.map((t) => sizeOf(t.shape.slice(axis)));
    if (parts.length < 2 || Math.max(...runs) > SHORT_RUN) return shipped(args);
    // The shipped kernel checks the shapes agree; these inputs must agree the same way.
    if (parts.some((t) => t.shape.length !== rank || t.dtype !== first.dtype || t.shape.some((side, i) => i !== axis && side !== first.shape[i]))) return shipped(args);
    const out = backend.makeOutput(joinedShape(inputs, axis), first.dtype);
    const outer = sizeOf(first.shape.slice(0, axis));
    const sources = parts.map((t) => backend.typedArrayFromHeap(t));
    const target = backend.typedArrayFromHeap(out);
    // Part by part: each part's runs land `stride` apart in the output, `offset` into each row.
    const stride = runs.reduce((sum, run) => sum + run, 0);
    let offset = 0;
    for (let part = 0; part < sources.length; part += 1) {
      const run = runs[part]!;
      const source = sources[part]!;
      for (let row = 0, from = 0, to = offset; row < outer; row += 1, to += stride) {
        for (let i = 0; i < run; i += 1, from += 1) target[to + i] = source[from]!;
      }
      offset += run;
    }
    return out;
  };
}

/** Puts the short-run Concat in place of the WebAssembly backend's own, once. */
export function useShortRunConcat(tf: KernelRegistry): void {
  const shipped = tf.getKernel('Concat', 'wasm');
  if (!shipped) throw new Error('tfjs-backend-wasm: no Concat kernel to replace');
  if ((shipped.kernelFunc as { shortRun?: boolean }).shortRun) return;
  const kernelFunc = Object.assign(shortRunConcat(shipped.kernelFunc), { shortRun: true, shipped: shipped.kernelFunc });
  tf.unregisterKernel('Concat', 'wasm');
  tf.registerKernel({ ...shipped, kernelFunc });
}
