import { backend, engine, getBackend, type Tensor, tensor, type Variable } from "@tensorflow/tfjs-core";

/**
 * How a step moves data between TF.js and the update kernels, chosen per step from the active
 * backend:
 *
 * - `"cpu"`: the gradient is read where the cpu backend keeps it (no copy); the variable's values
 *   are copied once into a new array, which the kernel updates in place and which becomes the
 *   variable's new tensor as it is (no copy).
 * - `"wasm"`: the same inside the WebAssembly heap: the gradient is a view of the heap (no copy),
 *   the variable's values are copied once into a newly allocated heap tensor, which the kernel
 *   updates in place through a view and which becomes the variable's value.
 * - `"portable"` (any other backend: webgl, webgpu, tensorflow): the gradient is downloaded
 *   (`dataSync`), the variable's values come from the array this optimizer uploaded last step
 *   (one copy; a download instead if something else assigned the variable since), and the result
 *   is uploaded as a new tensor.
 *
 * The variable's old tensor is never written to: TF.js tensors stay immutable, so clones, other
 * tensors sharing its storage, and arrays returned by `dataSync()` keep their values.
 */
export type DataPath = "cpu" | "wasm" | "portable";

/** What one step copied, counted in whole arrays (one array = one variable's or gradient's values). */
export interface TransferCounts {
  path: DataPath;
  /** Variables whose values were copied into the buffer the kernel updates (one per updated variable). */
  paramCopies: number;
  /** Gradients copied: downloads (`"portable"`), and copies made so that clipping leaves TF.js's gradient intact. */
  gradCopies: number;
  /** Variables read back from the backend because this optimizer's last upload was replaced (`"portable"`). */
  downloads: number;
  /** New tensors written to the backend by copying (`"portable"`; the other paths hand the buffer over). */
  uploads: number;
}

/** The values a kernel updates for one variable, and how to hand them back to TF.js. */
export interface Staged {
  /** The variable's current values, copied: the kernel updates this array in place. */
  readonly data: Float32Array;
  /** The gradient's values: read only (it may be TF.js's own storage). */
  readonly grad: Float32Array;
  /** Makes `data` the variable's new value (the old tensor is released, never modified). */
  commit(): void;
  /** Frees what staging allocated; the variable keeps its value. */
  discard(): void;
}

/** What a variable remembers of this optimizer's last upload, for the `"portable"` path. */
export interface Uploaded {
  dataId: object | null;
  values: Float32Array | null;
}

/** One (variable, gradient) pair to stage; `uploaded` is per-variable memory for the portable path. */
export interface StageRequest {
  readonly variable: Variable;
  readonly grad: Tensor;
  readonly uploaded: Uploaded;
}

/** The WebAssembly backend's members the `"wasm"` path uses (tfjs-backend-wasm 4.x). */
interface WasmBackend {
  makeOutput(shape: number[], dtype: "float32"): { dataId: object; shape: number[]; dtype: "float32" };
  typedArrayFromHeap(info: { dataId: object; shape: number[]; dtype: string }): Float32Array;
  dataIdMap: { has(dataId: object): boolean };
  disposeData(dataId: object, force?: boolean): boolean;
}

function wasmBackend(): WasmBackend | undefined {
  const b = backend() as unknown as Partial<WasmBackend>;
  return typeof b.makeOutput === "function" &&
    typeof b.typedArrayFromHeap === "function" &&
    typeof b.dataIdMap?.has === "function" &&
    typeof b.disposeData === "function"
    ? (b as WasmBackend)
    : undefined;
}

/** The path a step takes on the active backend (or `"portable"` when asked to). */
export function dataPath(forcePortable: boolean): DataPath {
  if (forcePortable) return "portable";
  const name = getBackend();
  if (name === "cpu") return "cpu";
  if (name === "wasm" && wasmBackend() !== undefined) return "wasm";
  return "portable";
}

const dataIdOf = (t: Tensor): object => (t as unknown as { dataId: object }).dataId;

/**
 * Stages every request for an in-place update. Nothing in TF.js may run between this call and the
 * `commit`/`discard` of every result: on the `"wasm"` path the arrays are views of the heap, which
 * a TF.js allocation can move.
 */
export function stage(requests: readonly StageRequest[], path: DataPath, counts: TransferCounts): Staged[] {
  counts.path = path;
  switch (path) {
    case "cpu":
      return requests.map((r) => stageCpu(r, counts));
    case "wasm":
      return stageWasm(requests, counts);
    case "portable":
      return requests.map((r) => stagePortable(r, counts));
  }
}

/** Hands `values` to TF.js as the variable's new tensor: `tf.tensor` keeps the array (cpu) or uploads it. */
function assignArray(variable: Variable, values: Float32Array): void {
  const next = tensor(values, variable.shape, "float32");
  variable.assign(next);
  next.dispose();
}

function stageCpu({ variable, grad }: StageRequest, counts: TransferCounts): Staged {
  // On the cpu backend dataSync() returns the backend's own array: read, never written.
  const data = (variable.dataSync() as Float32Array).slice();
  counts.paramCopies += 1;
  return {
    data,
    grad: grad.dataSync() as Float32Array,
    commit: () => assignArray(variable, data),
    discard: () => {},
  };
}

function stagePortable({ variable, grad, uploaded }: StageRequest, counts: TransferCounts): Staged {
  let data: Float32Array;
  if (uploaded.values !== null && uploaded.dataId === dataIdOf(variable)) {
    data = uploaded.values.slice();
  } else {
    data = Float32Array.from(variable.dataSync() as Float32Array);
    counts.downloads += 1;
  }
  counts.paramCopies += 1;
  counts.gradCopies += 1;
  return {
    data,
    grad: grad.dataSync() as Float32Array,
    commit: () => {
      assignArray(variable, data);
      counts.uploads += 1;
      // The uploaded array is never written again (a new one is made next step), so it stays equal
      // to the variable's value for as long as the variable keeps this tensor.
      uploaded.dataId = dataIdOf(variable);
      uploaded.values = data;
    },
    discard: () => {},
  };
}

function stageWasm(requests: readonly StageRequest[], counts: TransferCounts): Staged[] {
  const wasm = wasmBackend() as WasmBackend;
  // Allocate every output first: an allocation may grow the heap and detach earlier views.
  const outputs = requests.map((r) => wasm.makeOutput([...r.variable.shape], "float32"));
  const heapView = (t: Tensor): Float32Array | undefined =>
    wasm.dataIdMap.has(dataIdOf(t))
      ? wasm.typedArrayFromHeap({ dataId: dataIdOf(t), shape: [...t.shape], dtype: "float32" })
      : undefined;
  return requests.map(({ variable, grad }, i) => {
    const out = outputs[i];
    const data = wasm.typedArrayFromHeap(out);
    const current = heapView(variable);
    // A tensor still on another backend is read through TF.js (a copy); the heap is not touched.
    data.set(current ?? (variable.dataSync() as Float32Array));
    counts.paramCopies += 1;
    let gradValues = heapView(grad);
    if (gradValues === undefined) {
      gradValues = grad.dataSync() as Float32Array;
      counts.gradCopies += 1;
    }
    let done = false;
    return {
      data,
      grad: gradValues,
      commit: () => {
        done = true;
        const next = engine().makeTensorFromTensorInfo(out as never) as Tensor;
        variable.assign(next);
        next.dispose();
      },
      discard: () => {
        if (!done) wasm.disposeData(out.dataId, true);
        done = true;
      },
    };
  });
}
