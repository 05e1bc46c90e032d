import type * as Optim from "@descent/optim";
import type { OptimizerEntry, Param } from "@descent/optim";

/*
 * Three rules that are not in `@descent/optim`, for tests that add them to the catalog (with
 * `vi.mock`) and check that the demo offers them with no edit of its own: one plain rule, one with
 * training and evaluation modes (as Schedule-Free has), one that refuses parameters that are not
 * matrices (as Muon does). Built from the package's real classes, passed in because the test
 * replaces the package's module.
 */

const REFERENCE = {
  authors: "Test Authors",
  title: "A Rule for Tests",
  year: 2024,
  url: "https://example.org/rule",
};

const LR = (d: number): Optim.NumberHyperparameter => ({
  kind: "number",
  key: "lr",
  option: "lr",
  label: "learning rate",
  default: d,
  min: 0,
  max: Number.POSITIVE_INFINITY,
  typical: [1e-4, 1],
  scale: "log",
  meaning: "step size",
});

/** The fake entries, built on the real package `optim`. */
export function fakeRules(optim: typeof Optim): OptimizerEntry[] {
  /** p ← p − lr·sign(g). */
  class SignSGD extends optim.SGD {
    override get kind(): string {
      return "SignSGD";
    }
    protected override update(
      p: Optim.FloatArray,
      grad: Optim.FloatArray,
      state: Optim.SGDState,
      group: Optim.ParamGroup & Optim.SGDHyperparameters,
    ): void {
      super.update(p, grad.map(Math.sign), state, group);
    }
  }

  /**
   * SGD whose training point is the evaluation point shifted by `shift` in every coordinate:
   * `train()` adds it, `eval()` takes it away, `step()` refuses to run in evaluation mode; the
   * mode and a step count live in the param group (saved by `stateDict()`), as Schedule-Free
   * keeps its own. Starts in evaluation mode.
   */
  class ShiftSGD extends optim.SGD {
    readonly shift: number;
    constructor(params: Iterable<Param>, options: Record<string, unknown>) {
      const { shift, ...rest } = options;
      super(params, rest);
      this.shift = shift as number;
      for (const g of this.paramGroups) Object.assign(g, { trainMode: false, count: 0 });
    }
    override get kind(): string {
      return "ShiftSGD";
    }
    get trainMode(): boolean {
      return this.paramGroups[0].trainMode === true;
    }
    private move(to: boolean, sign: number): void {
      for (const g of this.paramGroups) {
        if (g.trainMode === to) continue;
        for (const p of g.params) for (let i = 0; i < p.data.length; i++) p.data[i] += sign * this.shift;
        g.trainMode = to;
      }
    }
    train(): void {
      this.move(true, 1);
    }
    eval(): void {
      this.move(false, -1);
    }
    override step(closure?: () => number): number | undefined {
      if (!this.trainMode) throw new Error("ShiftSGD.step: in evaluation mode; call train() first");
      const loss = super.step(closure);
      for (const g of this.paramGroups) g.count = (g.count as number) + 1;
      return loss;
    }
  }

  /** SGD that takes 2-D parameters only, as Muon does. */
  class MatrixSGD extends optim.SGD {
    constructor(params: Iterable<Param>, options: Record<string, unknown>) {
      super(params, options);
      for (const g of this.paramGroups) {
        for (const p of g.params) {
          const shape = (p as { shape?: readonly number[] }).shape;
          if (shape?.length !== 2) {
            throw new RangeError(`MatrixSGD only takes 2-D parameters, got shape ${JSON.stringify(shape)}`);
          }
        }
      }
    }
    override get kind(): string {
      return "MatrixSGD";
    }
  }

  return [
    {
      id: "signsgd",
      name: "SignSGD",
      className: "SignSGD",
      create: (params, options) => new SignSGD(params, options),
      hyperparameters: [
        LR(0.003),
        {
          kind: "number",
          key: "weightDecay",
          option: "weightDecay",
          label: "weight decay",
          default: 0,
          min: 0,
          max: Number.POSITIVE_INFINITY,
          typical: [0, 0.1],
          scale: "linear",
          meaning: "L2 penalty",
        },
      ],
      summary:
        "Steps every coordinate by the same amount against the sign of its gradient. A rule for tests.",
      update: "p ← p − lr·sign(g)",
      reference: REFERENCE,
    },
    {
      id: "shiftsgd",
      name: "Shift SGD",
      className: "ShiftSGD",
      create: (params, options) => new ShiftSGD(params, options),
      hyperparameters: [
        LR(0.05),
        {
          kind: "number",
          key: "shift",
          option: "shift",
          label: "shift",
          default: 0.01,
          min: 0,
          max: 1,
          typical: [0, 0.1],
          scale: "linear",
          meaning: "distance of the training point from the evaluation point",
        },
      ],
      summary: "SGD with a training point apart from its evaluation point. A rule for tests.",
      update: "y = x + shift;  x ← x − lr·∇f(y)",
      reference: REFERENCE,
    },
    {
      id: "matrixsgd",
      name: "Matrix SGD",
      className: "MatrixSGD",
      create: (params, options) => new MatrixSGD(params, options),
      hyperparameters: [LR(0.05)],
      summary: "SGD for weight matrices only. A rule for tests.",
      update: "W ← W − lr·G",
      reference: REFERENCE,
    },
  ];
}
