import { checkBoolean, checkFunction, checkOptions, checkTensor, describeValue } from "./check.js";
import { noGrad } from "./engine.js";
import { fmtShape } from "./shape.js";
import { Tensor } from "./tensor.js";

export interface GradcheckOptions {
  /** Perturbation for central differences (default 1e-6, as PyTorch). */
  eps?: number;
  /** Absolute tolerance (default 1e-5, as PyTorch). */
  atol?: number;
  /** Relative tolerance (default 1e-3, as PyTorch). */
  rtol?: number;
  /** Return false instead of throwing on a mismatch (PyTorch `raise_exception=False`). */
  raiseException?: boolean;
}

/**
 * Checks the analytical Jacobian of `fn` against central finite differences, like
 * `torch.autograd.gradcheck`: for every input element j and output element i,
 *   numerical J[i,j] = (f(x + eps·e_j) − f(x − eps·e_j))ᵢ / (2·eps)
 *   analytical J[i,j] = ∂fᵢ/∂x_j from one backward per output element,
 * and requires |analytical − numerical| ≤ atol + rtol·|numerical| everywhere.
 *
 * Inputs that require grad must be float64 (float32 differences are too coarse); the others are
 * held constant. `fn` is re-run for each probe, so it must be deterministic.
 * @returns true, or throws an error naming the input, the output element and both values.
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  opts: GradcheckOptions = {},
): boolean {
  checkFunction("gradcheck", "fn", fn);
  if (!Array.isArray(inputs)) {
    throw new TypeError(`gradcheck: inputs must be an array of tensors, got ${describeValue(inputs)}`);
  }
  for (let i = 0; i < inputs.length; i++) checkTensor("gradcheck", `inputs[${i}]`, inputs[i]);
  const {
    eps = 1e-6,
    atol = 1e-5,
    rtol = 1e-3,
    raiseException = true,
  } = checkOptions("gradcheck", opts, ["eps", "atol", "rtol", "raiseException"]);
  checkTolerance("eps", eps, false);
  checkTolerance("atol", atol, true);
  checkTolerance("rtol", rtol, true);
  checkBoolean("gradcheck", "raiseException", raiseException);
  const diff = inputs.filter((t) => t.requiresGrad);
  if (diff.length === 0) throw new TypeError("gradcheck: no input requires grad");
  for (const t of diff) {
    if (t.dtype !== "float64") {
      throw new TypeError(`gradcheck: input of shape ${fmtShape(t.shape)} is ${t.dtype}; use float64 inputs`);
    }
  }
  const out0 = noGrad(() => fn(...inputs));
  if (!(out0 instanceof Tensor)) {
    throw new TypeError(`gradcheck: fn must return a Tensor, got ${describeValue(out0)}`);
  }
  const nOut = out0.size;

  // Numerical Jacobians: num[k][j * nOut + i]
  const num = diff.map((t) => {
    const J = new Float64Array(t.size * nOut);
    for (let j = 0; j < t.size; j++) {
      const orig = t.data[j];
      t.data[j] = orig + eps;
      const plus = noGrad(() => fn(...inputs)).data.slice();
      t.data[j] = orig - eps;
      const minus = noGrad(() => fn(...inputs)).data.slice(); // outputs may share storage with t
      t.data[j] = orig;
      for (let i = 0; i < nOut; i++) J[j * nOut + i] = (plus[i] - minus[i]) / (2 * eps);
    }
    return J;
  });

  // Analytical Jacobians, one backward per output element.
  const ana = diff.map((t) => new Float64Array(t.size * nOut));
  for (let i = 0; i < nOut; i++) {
    const saved = diff.map((t) => t.grad);
    for (const t of diff) t.grad = null;
    const out = fn(...inputs);
    if (out.requiresGrad) {
      const seed = new Float64Array(nOut);
      seed[i] = 1;
      out.backward(new Tensor(out.dtype === "float64" ? seed : Float32Array.from(seed), out.shape));
    }
    diff.forEach((t, k) => {
      if (t.grad !== null) for (let j = 0; j < t.size; j++) ana[k][j * nOut + i] = t.grad.data[j];
      t.grad = saved[k];
    });
  }

  for (let k = 0; k < diff.length; k++) {
    const a = ana[k];
    const n = num[k];
    for (let idx = 0; idx < a.length; idx++) {
      const bad = !(Math.abs(a[idx] - n[idx]) <= atol + rtol * Math.abs(n[idx]));
      if (bad) {
        if (!raiseException) return false;
        const j = Math.floor(idx / nOut);
        const i = idx % nOut;
        throw new Error(
          `gradcheck: Jacobian mismatch for input ${inputs.indexOf(diff[k])} (shape ${fmtShape(diff[k].shape)}), ` +
            `input element ${j}, output element ${i}: analytical ${a[idx]} vs numerical ${n[idx]} ` +
            `(atol ${atol}, rtol ${rtol})`,
        );
      }
    }
  }
  return true;
}

/** `eps` must be a positive finite number; `atol`/`rtol` non-negative finite numbers. */
function checkTolerance(name: string, v: unknown, zeroOk: boolean): void {
  if (typeof v !== "number") {
    throw new TypeError(`gradcheck: ${name} must be a number, got ${describeValue(v)}`);
  }
  if (!Number.isFinite(v) || v < 0 || (v === 0 && !zeroOk)) {
    throw new RangeError(
      `gradcheck: ${name} must be a ${zeroOk ? "non-negative" : "positive"} finite number, got ${v}`,
    );
  }
}
