import { NonFiniteGradientError, type Optimizer, type OptimizerEntry } from "@descent/optim";
import { type Tensor, tensor } from "@descent/tensor";
import { makeOptimizer } from "../optimizers/make.js";
import { CATALOG, type Catalog, findRule, type HyperValues } from "../optimizers/rules.js";
import type { RaceState } from "../state/lab-state.js";
import type { Surface } from "../surfaces/surfaces.js";
import { type Insight, readInsight, type Vec2 } from "./insight.js";

/** `running`; `diverged` (non-finite or far outside the map); `failed` (the rule threw: see `error`). */
export type RacerStatus = "running" | "diverged" | "failed";

/** Coordinates beyond this multiple of the domain's size count as divergence. */
const ESCAPE_FACTOR = 100;

/** One rule of a race and its hyperparameters. */
export interface RacerSpec {
  readonly entry: OptimizerEntry;
  readonly values: Readonly<HyperValues>;
}

/**
 * One optimizer on the surface: two scalar parameters (x and y), a catalog rule's `@descent/optim`
 * optimizer, and its trail. A rule whose entry says `needsClosure` (L-BFGS) gets a closure that
 * evaluates f and its gradient at the current point, as often as the rule asks.
 */
export class Racer {
  readonly x: Tensor;
  readonly y: Tensor;
  /** Null when the rule could not be built (see {@link error}). */
  readonly opt: Optimizer | null;
  /** Visited points, flat: x₀, y₀, x₁, y₁, … (the start first). */
  readonly trail: number[];
  /** f at each point of the trail. */
  readonly losses: number[];
  status: RacerStatus = "running";
  /** What the rule threw, when `status` is `failed`. */
  error: string | null = null;
  /** Evaluations of f and ∇f so far (a closure may ask for several per step). */
  evaluations = 0;
  /** The last step's gradient, momentum, step and state; null before the first step. */
  insight: Insight | null = null;

  constructor(
    readonly entry: OptimizerEntry,
    readonly surface: Surface,
    start: readonly [number, number],
    values: Readonly<HyperValues>,
  ) {
    this.x = tensor([start[0]], { dtype: "float64", requiresGrad: true });
    this.y = tensor([start[1]], { dtype: "float64", requiresGrad: true });
    this.trail = [start[0], start[1]];
    this.losses = [surface.value(start[0], start[1])];
    let opt: Optimizer | null = null;
    try {
      opt = makeOptimizer(entry, [this.x, this.y], values);
    } catch (e) {
      this.fail(e);
    }
    this.opt = opt;
  }

  get id(): string {
    return this.entry.id;
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

  /** f at the current point, with its gradient left in x.grad and y.grad (by `@descent/tensor`'s autograd). */
  private evaluate(opt: Optimizer): number {
    opt.zeroGrad();
    const f = this.surface.tensor(this.x, this.y);
    f.backward();
    this.evaluations += 1;
    return f.item();
  }

  private fail(e: unknown): void {
    this.status = e instanceof NonFiniteGradientError ? "diverged" : "failed";
    this.error = e instanceof Error ? e.message : String(e);
  }

  /**
   * One step: f from tensor ops, its gradient by autograd, then the optimizer's `step()` updates x
   * and y in place. A non-finite gradient or a point far outside the domain stops the racer as
   * diverged; an error thrown by the rule stops it as failed.
   */
  step(): void {
    const opt = this.opt;
    if (this.status !== "running" || opt === null) return;
    const [x0, y0] = this.position;
    this.evaluate(opt);
    const grad: Vec2 = [this.x.grad!.data[0], this.y.grad!.data[0]];
    if (!Number.isFinite(grad[0]) || !Number.isFinite(grad[1])) {
      this.status = "diverged";
      return;
    }
    try {
      if (this.entry.needsClosure === true) opt.step(() => this.evaluate(opt));
      else opt.step();
    } catch (e) {
      this.fail(e);
      return;
    }
    const [x1, y1] = this.position;
    const loss = this.surface.value(x1, y1);
    const d = this.surface.domain;
    const reach = ESCAPE_FACTOR * Math.max(d.xMax - d.xMin, d.yMax - d.yMin);
    if (!Number.isFinite(loss) || !(Math.abs(x1) <= reach && Math.abs(y1) <= reach)) this.status = "diverged";
    this.trail.push(x1, y1);
    this.losses.push(loss);
    this.insight = readInsight(opt, this.x, this.y, grad, [x1 - x0, y1 - y0]);
  }
}

/** The racing rules of a race state, with their hyperparameters (ids not in `catalog` are skipped). */
export function racerSpecs(race: RaceState, catalog: Catalog = CATALOG): RacerSpec[] {
  return race.racing.flatMap((id) => {
    const entry = findRule(catalog, id);
    return entry === undefined ? [] : [{ entry, values: race.hyper[id] ?? {} }];
  });
}

/** The racers of a race, all from one start point, stepped together. */
export class Race {
  readonly racers: Racer[];

  constructor(
    readonly surface: Surface,
    readonly start: readonly [number, number],
    specs: readonly RacerSpec[],
  ) {
    this.racers = specs.map((s) => new Racer(s.entry, surface, start, s.values));
  }

  /** Steps every running racer `n` times. */
  step(n = 1): void {
    for (let i = 0; i < n; i++) for (const r of this.racers) r.step();
  }

  /** Steps taken (the same for every racer that has not stopped). */
  get steps(): number {
    return this.racers.reduce((m, r) => Math.max(m, r.steps), 0);
  }

  /** True when no racer can move any more. */
  get finished(): boolean {
    return this.racers.every((r) => r.status !== "running");
  }

  racer(id: string): Racer | undefined {
    return this.racers.find((r) => r.id === id);
  }
}
