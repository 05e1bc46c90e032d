/**
 * A catalog for tests: the package's rules plus two made-up ones the lab has never heard of, so a
 * test that passes with it shows that nothing in the lab lists rules by hand. `signum` has a choice,
 * an on/off option and an `expAvg` buffer; `backtrack` needs a closure (like L-BFGS) and evaluates
 * the loss several times per step.
 */
import {
  type FloatArray,
  OPTIMIZER_CATALOG,
  Optimizer,
  type OptimizerEntry,
  type ParamGroup,
  type ParamState,
  type ParamsInput,
  type StateLayout,
} from "@descent/optim";
import { type Catalog, labRules } from "./rules.js";

interface SignumHyper {
  lr: number;
  beta: number;
  direction: "sign" | "raw";
  useGradient: boolean;
  weightDecay: number;
  maximize: boolean;
}

interface SignumState extends ParamState {
  expAvg: FloatArray;
}

/**
 * A made-up rule: m ← β·m + (1 − β)·g;  d = g if useGradient, else m;
 * θ ← θ − γ·sign(d) ("sign") or θ ← θ − γ·d ("raw").
 */
export class Signum extends Optimizer<SignumHyper, SignumState> {
  get kind(): string {
    return "Signum";
  }

  constructor(params: ParamsInput<SignumHyper>, options: Partial<SignumHyper> = {}) {
    super(
      params,
      {
        lr: 0.01,
        beta: 0.9,
        direction: "sign",
        useGradient: false,
        weightDecay: 0,
        maximize: false,
        ...options,
      },
      {},
    );
  }

  protected validate(h: SignumHyper): void {
    if (!(h.lr >= 0)) throw new RangeError(`Invalid learning rate: ${h.lr}`);
    if (!(h.beta >= 0 && h.beta < 1)) throw new RangeError(`Invalid beta: ${h.beta}`);
    if (h.direction !== "sign" && h.direction !== "raw")
      throw new RangeError(`Invalid direction: ${h.direction}`);
  }

  protected stateLayout(): StateLayout {
    return { required: ["expAvg"], optional: [] };
  }

  protected initState(p: FloatArray): SignumState {
    return { step: 0, expAvg: new Float64Array(p.length) };
  }

  protected update(p: FloatArray, g: FloatArray, s: SignumState, h: ParamGroup & SignumHyper): void {
    for (let i = 0; i < p.length; i++) {
      s.expAvg[i] = h.beta * s.expAvg[i] + (1 - h.beta) * g[i];
      const d = h.useGradient ? g[i] : s.expAvg[i];
      p[i] -= h.lr * (h.direction === "sign" ? Math.sign(d) : d);
    }
  }
}

interface BacktrackHyper {
  lr: number;
  maxHalvings: number;
  weightDecay: number;
  maximize: boolean;
}

interface BacktrackState extends ParamState {
  lastStepSize: number;
}

/**
 * A made-up rule that needs a closure: gradient descent with backtracking. It evaluates f₀ and g at
 * θ, then tries θ − t·g for t = γ, γ/2, … (at most maxHalvings halvings) and keeps the first point
 * with f < f₀, or stays at θ if none is lower.
 */
export class Backtrack extends Optimizer<BacktrackHyper, BacktrackState> {
  get kind(): string {
    return "Backtrack";
  }

  constructor(params: ParamsInput<BacktrackHyper>, options: Partial<BacktrackHyper> = {}) {
    super(params, { lr: 1, maxHalvings: 10, weightDecay: 0, maximize: false, ...options }, {});
  }

  protected validate(h: BacktrackHyper): void {
    if (!(h.lr > 0)) throw new RangeError(`Invalid learning rate: ${h.lr}`);
    if (!Number.isInteger(h.maxHalvings) || h.maxHalvings < 0) {
      throw new RangeError(`Invalid maxHalvings: ${h.maxHalvings}`);
    }
  }

  protected stateLayout(): StateLayout {
    return { required: [], optional: [], scalars: ["lastStepSize"] };
  }

  protected initState(): BacktrackState {
    return { step: 0, lastStepSize: 0 };
  }

  protected update(): void {
    throw new Error("Backtrack updates in step()");
  }

  override step(closure?: () => number): number {
    if (closure === undefined) throw new TypeError("Backtrack.step needs a closure");
    const f0 = closure();
    const group = this.paramGroups[0];
    const params = group.params.filter((p) => p.grad !== null);
    const start = params.map((p) => Float64Array.from(p.data));
    const grads = params.map((p) => Float64Array.from(p.grad!.data));
    let t = group.lr;
    let accepted = 0;
    for (let k = 0; k <= group.maxHalvings; k++, t /= 2) {
      params.forEach((p, j) => {
        for (let i = 0; i < p.data.length; i++) p.data[i] = start[j][i] - t * grads[j][i];
      });
      if (closure() < f0) {
        accepted = t;
        break;
      }
    }
    if (accepted === 0) {
      params.forEach((p, j) => {
        p.data.set(start[j]);
      });
    }
    for (const p of params) {
      const s = this.state.get(p) ?? this.initState();
      s.step += 1;
      s.lastStepSize = accepted;
      this.state.set(p, s);
    }
    return f0;
  }
}

const REFERENCE = {
  authors: "the lab's tests",
  title: "A rule made up for tests",
  year: 2024,
  url: "https://example.org/",
};

export const SIGNUM_ENTRY: OptimizerEntry = {
  id: "signum",
  name: "Signum (test)",
  className: "Signum",
  create: (params, options) => new Signum(params, options),
  hyperparameters: [
    {
      kind: "number",
      key: "lr",
      option: "lr",
      label: "learning rate",
      default: 0.01,
      min: 0,
      max: Number.POSITIVE_INFINITY,
      typical: [1e-4, 1],
      scale: "log",
      meaning: "step size",
    },
    {
      kind: "number",
      key: "beta",
      option: "beta",
      label: "β",
      default: 0.9,
      min: 0,
      max: 1,
      maxExclusive: true,
      typical: [0, 0.99],
      scale: "linear",
      meaning: "decay of the gradient average",
    },
    {
      kind: "choice",
      key: "direction",
      option: "direction",
      label: "direction",
      choices: ["sign", "raw"],
      default: "sign",
      meaning: "step along sign(d) or along d",
    },
    {
      kind: "boolean",
      key: "useGradient",
      option: "useGradient",
      label: "use gradient",
      default: false,
      meaning: "step along the gradient instead of its average",
    },
  ],
  summary: "A rule made up for the lab's tests: steps along the sign of an average of gradients.",
  update: "m ← β·m + (1 − β)·g\nθ ← θ − γ·sign(m)",
  reference: REFERENCE,
};

export const BACKTRACK_ENTRY: OptimizerEntry = {
  id: "backtrack",
  name: "Backtracking GD (test)",
  className: "Backtrack",
  create: (params, options) => new Backtrack(params, options),
  hyperparameters: [
    {
      kind: "number",
      key: "lr",
      option: "lr",
      label: "first trial step",
      default: 1,
      min: 0,
      minExclusive: true,
      max: Number.POSITIVE_INFINITY,
      typical: [1e-3, 10],
      scale: "log",
      meaning: "the step size tried first",
    },
    {
      kind: "number",
      key: "maxHalvings",
      option: "maxHalvings",
      label: "max halvings",
      default: 10,
      min: 0,
      max: 60,
      integer: true,
      typical: [0, 20],
      scale: "linear",
      meaning: "how many times the trial step may be halved",
    },
  ],
  summary: "A rule made up for the lab's tests: gradient descent that halves its step until the loss falls.",
  update: "t ← γ, γ/2, … until f(θ − t·g) < f(θ)\nθ ← θ − t·g",
  reference: REFERENCE,
  needsClosure: true,
};

/** The package's catalog and the two made-up rules, last. */
export const TEST_CATALOG: Catalog = Object.freeze([
  ...labRules(OPTIMIZER_CATALOG),
  SIGNUM_ENTRY,
  BACKTRACK_ENTRY,
]);

/**
 * A catalog of `n` rules (the two made-up ones, then the package's, copied under new ids `<id>-2`,
 * `<id>-3`, … as needed), for tests of what the lab does with many rules.
 */
export function wideCatalog(n: number): Catalog {
  // The made-up rules first, so that any n ≥ 2 includes them whatever the package's catalog holds.
  const base = [SIGNUM_ENTRY, BACKTRACK_ENTRY, ...labRules(OPTIMIZER_CATALOG)];
  const out: OptimizerEntry[] = [];
  for (let copy = 1; out.length < n; copy++) {
    for (const e of base) {
      if (out.length === n) break;
      out.push(copy === 1 ? e : { ...e, id: `${e.id}-${copy}`, name: `${e.name} ${copy}` });
    }
  }
  return Object.freeze(out);
}
