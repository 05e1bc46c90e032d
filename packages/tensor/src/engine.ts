import { backend } from "./backend/index.js";
import { checkBoolean, checkFunction } from "./check.js";
import { allocate, castArray, dtypeOf, type FloatArray } from "./dtype.js";
import { rethrowNamed } from "./memory.js";
import type { Ctx, Forward, Op } from "./ops/op.js";
import { broadcastStrides, fmtShape, sameShape, sizeOf } from "./shape.js";
import { Tensor } from "./tensor.js";
import { enterLibrary, leaveLibrary, save, unchangedSince, type Version } from "./version.js";

/** A recorded op application: how `out` was computed, kept until backward has used it. */
export class Node implements Ctx<unknown> {
  /** Version state of each storage backward reads, the version it had, and whose it is. */
  readonly vers: Version[];
  readonly at: number[];
  /** Input index, or -1 for the output. */
  readonly slots: number[];
  constructor(
    public readonly op: Op<unknown>,
    public inputs: readonly Tensor[],
    public readonly attrs: unknown,
    public readonly outData: FloatArray,
    public readonly outShape: readonly number[],
    public saved: unknown,
    out: Tensor,
    public freed = false,
  ) {
    const reads = op.backwardReads;
    const n = reads === undefined ? inputs.length + 1 : reads.length;
    this.vers = new Array<Version>(n);
    this.at = new Array<number>(n);
    this.slots = new Array<number>(n);
    for (let k = 0; k < n; k++) {
      const r = reads === undefined ? (k < inputs.length ? k : "output") : reads[k];
      const slot = r === "output" ? -1 : r;
      const v = (slot < 0 ? out : inputs[slot])._version();
      this.vers[k] = v;
      this.at[k] = save(v);
      this.slots[k] = slot;
    }
  }

  /** Frees what backward needed (after a sweep without `retainGraph`). */
  free(): void {
    this.freed = true;
    this.inputs = [];
    this.saved = null;
    for (let k = 0; k < this.vers.length; k++) this.vers[k].live--;
  }

  /** Throws if a storage backward reads was overwritten since the forward pass. */
  checkSaved(): void {
    for (let k = 0; k < this.vers.length; k++) {
      const slot = this.slots[k];
      const data = slot < 0 ? this.outData : this.inputs[slot]._data;
      if (unchangedSince(this.vers[k], this.at[k], data)) continue;
      const t = slot < 0 ? null : this.inputs[slot];
      const which = slot < 0 ? "the output" : `input ${slot}`;
      const kind = t === null ? "" : t.isLeaf ? (t.requiresGrad ? "leaf " : "constant ") : "intermediate ";
      const desc = `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind}${dtypeOf(data)} tensor of shape ${fmtShape(slot < 0 ? this.outShape : this.inputs[slot].shape)}`;
      throw new TypeError(
        `backward: one of the tensors needed for gradient computation has been modified since the forward pass: ` +
          `${which} of '${this.op.name}' (${desc}) is at version ${this.vers[k].version}; expected version ${this.at[k]} instead. ` +
          "Write into .data only after backward() has run (as an optimizer step does), or run the forward pass again " +
          "after changing values.",
      );
    }
  }
}

let gradEnabled = true;
let epoch = 0;
let anomalyEnabled = false;

/** Whether ops currently record the graph (false inside {@link noGrad}). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording a graph: outputs do not require grad (like `torch.no_grad()`). */
export function noGrad<T>(fn: () => T): T {
  checkFunction("noGrad", "fn", fn);
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Runs `fn` in anomaly mode: the first op whose forward output or backward gradient contains a
 * NaN or ±Infinity throws an error naming the op and its input shapes (like
 * `torch.autograd.detect_anomaly`). Slower: every output is scanned.
 */
export function detectAnomaly<T>(fn: () => T): T {
  checkFunction("detectAnomaly", "fn", fn);
  const prev = anomalyEnabled;
  anomalyEnabled = true;
  try {
    return fn();
  } finally {
    anomalyEnabled = prev;
  }
}

/** Turns anomaly mode on or off globally; returns the previous setting. */
export function setDetectAnomaly(enabled: boolean): boolean {
  checkBoolean("setDetectAnomaly", "enabled", enabled);
  const prev = anomalyEnabled;
  anomalyEnabled = enabled;
  return prev;
}

function firstNonFinite(a: FloatArray): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

function describeInputs(inputs: readonly Tensor[]): string {
  return inputs.map((t) => fmtShape(t.shape)).join(", ");
}

/** Applies a primitive: runs its forward and, if any input requires grad, records a node. */
export function apply<A>(op: Op<A>, inputs: readonly Tensor[], attrs: A): Tensor {
  let f: Forward;
  enterLibrary();
  try {
    f = op.forward(inputs, attrs);
  } catch (e) {
    rethrowNamed(e, op.name, `for inputs of shapes ${describeInputs(inputs)}`);
  } finally {
    leaveLibrary();
  }
  let req = false;
  if (gradEnabled) {
    for (let i = 0; i < inputs.length; i++) {
      if (inputs[i].requiresGrad) {
        req = true;
        break;
      }
    }
  }
  if (anomalyEnabled) {
    const bad = firstNonFinite(f.data);
    if (bad >= 0) {
      throw new RangeError(
        `anomaly: forward of '${op.name}' (inputs ${describeInputs(inputs)}) produced ${f.data[bad]} ` +
          `at flat index ${bad} of its output ${fmtShape(f.shape)}`,
      );
    }
  }
  // An elementwise result has its input's shape: reuse that frozen array (freezing costs more
  // than many small ops).
  const in0 = inputs.length > 0 ? inputs[0].shape : null;
  const out = new Tensor(f.data, in0 !== null && sameShape(f.shape, in0) ? in0 : f.shape);
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i]._data === f.data) out._ver = inputs[i]._version(); // a view shares the counter
  }
  if (req) {
    out._node = new Node(op as Op<unknown>, inputs, attrs, f.data, f.shape, f.saved, out);
    out._setRequiresGradInternal();
  }
  return out;
}

/** Sums an output-shaped (broadcast) gradient down to `shape`. */
export function reduceGradTo(g: FloatArray, gShape: readonly number[], shape: readonly number[]): FloatArray {
  const out = allocate(g instanceof Float64Array ? "float64" : "float32", sizeOf(shape));
  backend.sumTo(g, gShape, out, broadcastStrides(shape, gShape));
  return out;
}

export interface BackwardOptions {
  /** Keep the graph so backward can run through it again (default false: it is freed). */
  retainGraph?: boolean;
}

/** The option names of `backward`. */
export const BACKWARD_OPTIONS: readonly string[] = ["retainGraph"];

/**
 * Reverse-mode sweep from `root` with output gradient `seed` (root-shaped). Visits nodes in an
 * iteratively built topological order (no recursion: deep graphs are fine), sums the gradients of
 * tensors used many times, reduces broadcast gradients to input shapes, casts them to the input's
 * dtype, and ACCUMULATES into the `.grad` of leaves (tensors created with `requiresGrad`).
 */
export function runBackward(root: Tensor, seed: FloatArray, opts: BackwardOptions = {}): void {
  const retain = opts.retainGraph === true;
  // Iterative post-order DFS over the tensors that require grad. Marks and gradient slots live on
  // the tensors themselves (no Map/Set on the hot path).
  const mark = ++epoch;
  const order: Tensor[] = [];
  const stack: Tensor[] = [root];
  const next: number[] = [0];
  root._mark = mark;
  while (stack.length > 0) {
    const top = stack.length - 1;
    const t = stack[top];
    const node = t._node;
    if (node?.freed) {
      throw new TypeError(
        `backward: trying to backward through the graph a second time (op '${node.op.name}' already freed); ` +
          "pass { retainGraph: true } to the first backward call",
      );
    }
    const i = next[top];
    if (node !== null && i === 0) node.checkSaved(); // before any .grad changes
    if (node !== null && i < node.inputs.length) {
      next[top] = i + 1;
      const c = node.inputs[i];
      if (c.requiresGrad && c._mark !== mark) {
        c._mark = mark;
        stack.push(c);
        next.push(0);
      }
    } else {
      stack.pop();
      next.pop();
      order.push(t);
    }
  }

  try {
    root._acc = castArray(seed, root.dtype);
  } catch (e) {
    rethrowNamed(e, "backward", `for the gradient of shape ${fmtShape(root.shape)}`);
  }
  root._accOwned = false;

  enterLibrary();
  try {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const g = t._acc;
      if (g === null) continue;
      t._acc = null;
      const node = t._node;
      if (node === null) {
        try {
          t._accumulateGrad(g, t._accOwned);
        } catch (e) {
          rethrowNamed(e, "backward", `for the gradient of a leaf of shape ${fmtShape(t.shape)}`);
        }
        continue;
      }
      try {
        backwardNode(node, g);
      } catch (e) {
        rethrowNamed(
          e,
          "backward",
          `in the backward of '${node.op.name}' for inputs of shapes ${describeInputs(node.inputs)}`,
        );
      }
      if (!retain) node.free();
    }
  } finally {
    leaveLibrary();
    for (let k = 0; k < order.length; k++) order[k]._acc = null;
  }
}

/** Runs one node's backward and adds the input gradients into their slots. */
function backwardNode(node: Node, g: FloatArray): void {
  const inputs = node.inputs;
  const needs = new Array<boolean>(inputs.length);
  for (let i = 0; i < inputs.length; i++) needs[i] = inputs[i].requiresGrad;
  const res = node.op.backward(g, node, needs);
  for (let i = 0; i < inputs.length; i++) {
    let gi = res[i];
    if (!needs[i] || gi === null || gi === undefined) continue;
    const inp = inputs[i];
    let fresh = gi !== g;
    if (gi.length !== inp.size) {
      if (gi.length !== sizeOf(node.outShape)) {
        throw new Error(
          `internal: backward of '${node.op.name}' returned ${gi.length} values for input ${i} of shape ${fmtShape(inp.shape)}`,
        );
      }
      gi = reduceGradTo(gi, node.outShape, inp.shape);
      fresh = true;
    }
    if (gi instanceof Float64Array !== (inp.dtype === "float64")) {
      gi = castArray(gi, inp.dtype);
      fresh = true;
    }
    if (anomalyEnabled) {
      const bad = firstNonFinite(gi);
      if (bad >= 0) {
        throw new RangeError(
          `anomaly: backward of '${node.op.name}' (inputs ${describeInputs(inputs)}) produced ${gi[bad]} ` +
            `in the gradient of input ${i} (shape ${fmtShape(inp.shape)}) at flat index ${bad}`,
        );
      }
    }
    const prev = inp._acc;
    if (prev === null) {
      inp._acc = gi;
      // Only arrays this sweep allocated, and not shared with another input, may be updated in place.
      let shared = false;
      for (let j = 0; j < i; j++) if (res[j] === gi) shared = true;
      inp._accOwned = fresh && !shared;
    } else if (inp._accOwned) {
      for (let j = 0; j < prev.length; j++) prev[j] += gi[j];
    } else {
      const sum = allocate(inp.dtype, prev.length);
      for (let j = 0; j < prev.length; j++) sum[j] = prev[j] + gi[j];
      inp._acc = sum;
      inp._accOwned = true;
    }
  }
}
