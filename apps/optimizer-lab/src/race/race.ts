import type { AdagradState, AdamState, Optimizer, RMSpropState, SGDState } from "@descent/optim";
import { type Tensor, tensor } from "@descent/tensor";
import { type Hyper, RACERS, type RacerId } from "../optimizers/catalog.js";
import { makeOptimizer } from "../optimizers/make.js";
import type { RacerSettings } from "../state/lab-state.js";
import type { Surface } from "../surfaces/surfaces.js";

type Vec2 = [number, number];

/**
 * What the selected racer's rule did at its last step, in the document's terms:
 * - `grad`: g = ∇f at the point the step was taken from (from `@descent/tensor`'s autograd);
 * - `moment`: the first moment the rule steps along: SGD-momentum's buffer b, Adam's bias-corrected
 *   m̂ = m / (1 − β₁ᵗ); null for rules without one;
 * - `scale`: the per-coordinate adaptive scale 1 / (√v̂ + ε), with v̂ = Σg² (Adagrad), the running
 *   mean of g² (RMSprop) or its bias-corrected Adam form v / (1 − β₂ᵗ); null for SGD and momentum;
 * - `step`: the step actually taken, Δp = p_new − p_old.
 */
export interface Insight {
  grad: Vec2;
  moment: Vec2 | null;
  scale: Vec2 | null;
  step: Vec2;
}

export type RacerStatus = "running" | "diverged";

/** Coordinates beyond this multiple of the domain's size count as divergence. */
const ESCAPE_FACTOR = 100;

/** One optimizer on the surface: two scalar parameters (x and y), its `@descent/optim` rule and its trail. */
export class Racer {
  readonly x: Tensor;
  readonly y: Tensor;
  readonly opt: Optimizer;
  /** Visited points, flat: x₀, y₀, x₁, y₁, … (the start first). */
  readonly trail: number[];
  /** f at each point of the trail. */
  readonly losses: number[];
  status: RacerStatus = "running";
  /** The last step's gradient, moment, scale and step; null before the first step. */
  insight: Insight | null = null;

  constructor(
    readonly id: RacerId,
    readonly surface: Surface,
    start: readonly [number, number],
    hyper: Hyper,
  ) {
    this.x = tensor([start[0]], { dtype: "float64", requiresGrad: true });
    this.y = tensor([start[1]], { dtype: "float64", requiresGrad: true });
    this.opt = makeOptimizer(id, [this.x, this.y], hyper);
    this.trail = [start[0], start[1]];
    this.losses = [surface.value(start[0], start[1])];
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.losses.length - 1;
  }

  /** The current point. */
  get position(): Vec2 {
    return [this.x.data[0], this.y.data[0]];
  }

  /** The current loss f(x, y). */
  get loss(): number {
    return this.losses[this.losses.length - 1];
  }

  /**
   * One step: f from tensor ops, its gradient by autograd, then the optimizer's `step()` updates x
   * and y in place. A non-finite gradient or a point far outside the domain stops the racer as diverged.
   */
  step(): void {
    if (this.status !== "running") return;
    const [x0, y0] = this.position;
    this.opt.zeroGrad();
    this.surface.tensor(this.x, this.y).backward();
    const grad: Vec2 = [this.x.grad!.data[0], this.y.grad!.data[0]];
    if (!Number.isFinite(grad[0]) || !Number.isFinite(grad[1])) {
      this.status = "diverged";
      return;
    }
    this.opt.step();
    const [x1, y1] = this.position;
    const loss = this.surface.value(x1, y1);
    const d = this.surface.domain;
    const reach = ESCAPE_FACTOR * Math.max(d.xMax - d.xMin, d.yMax - d.yMin);
    if (!Number.isFinite(loss) || Math.abs(x1) > reach || Math.abs(y1) > reach) this.status = "diverged";
    this.trail.push(x1, y1);
    this.losses.push(loss);
    this.insight = { grad, ...this.readState(), step: [x1 - x0, y1 - y0] };
  }

  /** The rule's first moment and adaptive scale, read from the optimizer's per-parameter state. */
  private readState(): { moment: Vec2 | null; scale: Vec2 | null } {
    const group = this.opt.paramGroups[0];
    const sx = this.opt.state.get(this.x);
    const sy = this.opt.state.get(this.y);
    if (sx === undefined || sy === undefined) return { moment: null, scale: null };
    const eps = typeof group["eps"] === "number" ? group["eps"] : 0;
    const inv = (v: number, correction: number) => 1 / (Math.sqrt(v / correction) + eps);
    switch (this.id) {
      case "momentum": {
        const bx = (sx as SGDState).momentumBuffer;
        const by = (sy as SGDState).momentumBuffer;
        return { moment: bx && by ? [bx[0], by[0]] : null, scale: null };
      }
      case "adagrad":
        return {
          moment: null,
          scale: [inv((sx as AdagradState).sum[0], 1), inv((sy as AdagradState).sum[0], 1)],
        };
      case "rmsprop":
        return {
          moment: null,
          scale: [inv((sx as RMSpropState).squareAvg[0], 1), inv((sy as RMSpropState).squareAvg[0], 1)],
        };
      case "adam": {
        const ax = sx as AdamState;
        const ay = sy as AdamState;
        const [b1, b2] = (group.betas as [number, number] | undefined) ?? [0.9, 0.999];
        const c1 = 1 - b1 ** ax.step;
        const c2 = 1 - b2 ** ax.step;
        return {
          moment: [ax.expAvg[0] / c1, ay.expAvg[0] / c1],
          scale: [inv(ax.expAvgSq[0], c2), inv(ay.expAvgSq[0], c2)],
        };
      }
      default:
        return { moment: null, scale: null };
    }
  }
}

/** The enabled racers of a race, all from one start point, stepped together. */
export class Race {
  readonly racers: Racer[];

  constructor(
    readonly surface: Surface,
    readonly start: readonly [number, number],
    settings: Record<RacerId, RacerSettings>,
  ) {
    this.racers = RACERS.filter((id) => settings[id].enabled).map(
      (id) => new Racer(id, surface, start, settings[id]),
    );
  }

  /** Steps every running racer `n` times. */
  step(n = 1): void {
    for (let i = 0; i < n; i++) for (const r of this.racers) r.step();
  }

  /** Steps taken (the same for every racer that has not diverged). */
  get steps(): number {
    return this.racers.reduce((m, r) => Math.max(m, r.steps), 0);
  }

  racer(id: RacerId): Racer | undefined {
    return this.racers.find((r) => r.id === id);
  }
}
