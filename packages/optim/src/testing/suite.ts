import type { OptimizerStateDict, Param, ParamGroupInput } from "../index.js";
import type { Dtype, EngineAdapter, EngineOptimizer, GroupLayout, Values } from "./engine.js";
import { seeded, spreadValues } from "./random.js";
import { type RuleSetting, ruleSettings } from "./settings.js";

/** A failed conformance check; the message names the rule, the setting, the step and the element. */
export class ConformanceError extends Error {
  override name = "ConformanceError";
}

/** One check of the suite, runnable by any test runner: `run()` throws a {@link ConformanceError} on failure. */
export interface ConformanceCase {
  readonly name: string;
  run(): void;
}

/** Options of {@link conformanceCases}. */
export interface ConformanceOptions {
  /** Only these catalog ids (default: every rule whose `step()` needs no closure). */
  rules?: readonly string[];
}

// The layout every case uses: three parameters in two groups. Group 1 overrides the learning rate
// and the weight decay, as "no decay on biases" groups do.
const SHAPES: readonly (readonly number[])[] = [[2, 3], [1], [4]];
const GROUP_OF = [0, 0, 1];
const STEPS = 14;
/** Steps (0-based) at which a parameter gets no gradient: the third has none at the first step, the second at two. */
const NO_GRADIENT: readonly (readonly number[])[] = [[], [4, 5], [0]];
/** Before this step, group 0's lr is halved (as a scheduler writes it). */
const LR_STEP = 9;
/** The round-trip cases save after this many steps and resume in a new optimizer. */
const SPLIT = 7;

interface Plan {
  readonly setting: RuleSetting;
  readonly dtype: Dtype;
  readonly label: string;
  readonly init: readonly Values[];
  readonly grads: readonly (readonly (Values | null)[])[];
  readonly group1: Readonly<Record<string, unknown>>;
}

function plan(setting: RuleSetting, dtype: Dtype, seed: number): Plan {
  const random = seeded(seed);
  const init = SHAPES.map((s) => spreadValues(random, dtype, size(s)));
  const grads = Array.from({ length: STEPS }, (_, t) =>
    SHAPES.map((s, i) => (NO_GRADIENT[i].includes(t) ? null : spreadValues(random, dtype, size(s)))),
  );
  const o = setting.options;
  const group1: Record<string, unknown> = { lr: (o.lr as number) * 0.5 };
  if (typeof o.weightDecay === "number") group1.weightDecay = o.weightDecay === 0 ? 0.02 : 0;
  return { setting, dtype, label: `${setting.entry.id} (${setting.label}, ${dtype})`, init, grads, group1 };
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function copy(v: Values): Values {
  return v.slice() as Values;
}

function layout<P>(params: readonly P[], group1: Readonly<Record<string, unknown>>): GroupLayout<P>[] {
  return [
    { params: params.filter((_, i) => GROUP_OF[i] === 0), options: {} },
    { params: params.filter((_, i) => GROUP_OF[i] === 1), options: group1 },
  ];
}

function builder(p: Plan) {
  return (groups: ParamGroupInput[]) => p.setting.entry.create(groups as never, { ...p.setting.options });
}

/** The reference: the same rule on plain typed arrays. Values after each step, and the final state. */
function reference(p: Plan): {
  trajectory: Values[][];
  state: OptimizerStateDict;
  stateAt: OptimizerStateDict;
} {
  const params: (Param & { shape: readonly number[] })[] = p.init.map((v, i) => ({
    data: copy(v),
    grad: null,
    shape: SHAPES[i],
  }));
  const optimizer = builder(p)(
    layout(params, p.group1).map((g) => ({ ...g.options, params: [...g.params] })) as ParamGroupInput[],
  );
  const trajectory: Values[][] = [];
  let stateAt: OptimizerStateDict | undefined;
  for (let t = 0; t < STEPS; t++) {
    if (t === SPLIT) stateAt = JSON.parse(JSON.stringify(optimizer.stateDict()));
    if (t === LR_STEP) optimizer.paramGroups[0].lr *= 0.5;
    params.forEach((param, i) => {
      const g = p.grads[t][i];
      param.grad = g === null ? null : { data: copy(g) };
    });
    optimizer.step();
    optimizer.zeroGrad();
    trajectory.push(params.map((param) => copy(param.data as Values)));
  }
  return { trajectory, state: optimizer.stateDict(), stateAt: stateAt as OptimizerStateDict };
}

let serial = 0;

/** Makes the engine's parameters and optimizer; `values` default to the plan's initial values. */
function start<P>(engine: EngineAdapter<P>, p: Plan, values: readonly Values[] = p.init) {
  const prefix = `conformance${++serial}`;
  const params = values.map((v, i) =>
    engine.createParam(copy(v), { name: `${prefix}/p${i}`, shape: SHAPES[i], dtype: p.dtype }),
  );
  let optimizer: EngineOptimizer;
  try {
    optimizer = engine.createOptimizer(layout(params, p.group1), builder(p));
  } catch (error) {
    engine.disposeParams?.(params);
    throw error;
  }
  const stop = () => {
    optimizer.dispose?.();
    engine.disposeParams?.(params);
  };
  return { params, optimizer, stop };
}

function same(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

function checkValues(label: string, what: string, got: Values, want: Values): void {
  if (got.length !== want.length) {
    throw new ConformanceError(`${label}: ${what} has ${got.length} values, expected ${want.length}`);
  }
  for (let j = 0; j < want.length; j++) {
    if (!same(got[j], want[j])) {
      throw new ConformanceError(
        `${label}: ${what}, element ${j}: the engine has ${got[j]}, plain arrays have ${want[j]}`,
      );
    }
  }
}

/** The first place two JSON values differ, as a path, or undefined if they are equal. */
function firstDifference(a: unknown, b: unknown, path = "stateDict"): string | undefined {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) {
    return `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  }
  if (typeof a !== "object" || a === null) {
    return same(a as number, b as number) || a === b ? undefined : `${path}: ${a} vs ${b}`;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b as object)]);
  for (const k of keys) {
    const d = firstDifference(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      `${path}.${k}`,
    );
    if (d !== undefined) return d;
  }
  return undefined;
}

function checkState(label: string, got: OptimizerStateDict, want: OptimizerStateDict): void {
  const d = firstDifference(JSON.parse(JSON.stringify(got)), JSON.parse(JSON.stringify(want)));
  if (d !== undefined) {
    throw new ConformanceError(`${label}: the engine's state differs from the plain arrays' at ${d}`);
  }
}

/** Runs steps `from`..STEPS−1 on the engine and checks every step against the reference. */
function runSteps<P>(
  engine: EngineAdapter<P>,
  p: Plan,
  run: { params: readonly P[]; optimizer: EngineOptimizer },
  want: Values[][],
  from: number,
): void {
  const groups = run.optimizer.optimizer.paramGroups;
  if (groups.length !== 2 || groups[0].params.length !== 2 || groups[1].params.length !== 1) {
    throw new ConformanceError(
      `${p.label}: the optimizer has groups of ${groups.map((g) => g.params.length).join(", ")} parameters, expected 2, 1`,
    );
  }
  let before = run.params.map((param) => copy(engine.readParam(param)));
  for (let t = from; t < STEPS; t++) {
    if (t === LR_STEP) groups[0].lr *= 0.5;
    run.optimizer.step(p.grads[t].map((g) => (g === null ? null : copy(g))));
    const now = run.params.map((param) => copy(engine.readParam(param)));
    now.forEach((values, i) => {
      if (p.grads[t][i] === null) {
        checkValues(
          p.label,
          `step ${t + 1}: parameter ${i}, which had no gradient, changed:`,
          values,
          before[i],
        );
      }
      checkValues(p.label, `after step ${t + 1}, parameter ${i}`, values, want[t][i]);
    });
    before = now;
  }
}

function trajectoryCase<P>(engine: EngineAdapter<P>, p: Plan): ConformanceCase {
  return {
    name: `${p.label}: same trajectory and state as plain arrays (param groups, missing gradients, lr writes)`,
    run() {
      const want = reference(p);
      const run = start(engine, p);
      try {
        runSteps(engine, p, run, want.trajectory, 0);
        checkState(p.label, run.optimizer.stateDict(), want.state);
      } finally {
        run.stop();
      }
    },
  };
}

function roundTripCase<P>(engine: EngineAdapter<P>, p: Plan): ConformanceCase {
  return {
    name: `${p.label}: a state saved after ${SPLIT} steps (as JSON) resumes in a new optimizer, from the engine's and from plain arrays' state`,
    run() {
      const want = reference(p);
      // The engine's own state, saved mid-run and loaded into a new optimizer over new parameters.
      let saved: OptimizerStateDict;
      let values: Values[];
      const half = start(engine, p);
      try {
        for (let t = 0; t < SPLIT; t++)
          half.optimizer.step(p.grads[t].map((g) => (g === null ? null : copy(g))));
        saved = JSON.parse(JSON.stringify(half.optimizer.stateDict()));
        values = half.params.map((param) => copy(engine.readParam(param)));
      } finally {
        half.stop();
      }
      checkState(`${p.label} after ${SPLIT} steps`, saved, want.stateAt);
      for (const [source, state] of [
        ["the engine's", saved],
        ["plain arrays'", want.stateAt],
      ] as const) {
        const resumed = start(engine, p, values);
        try {
          resumed.optimizer.loadStateDict(state);
          runSteps(engine, p, resumed, want.trajectory, SPLIT);
          checkState(`${p.label} resumed from ${source} state`, resumed.optimizer.stateDict(), want.state);
        } catch (error) {
          if (error instanceof Error) error.message = `resumed from ${source} state: ${error.message}`;
          throw error;
        } finally {
          resumed.stop();
        }
      }
    },
  };
}

/**
 * The conformance suite for an engine adapter: for every rule of the catalog that needs no
 * closure, in several settings and in each of the engine's dtypes, parameters made by the engine
 * must follow the same trajectory, bit for bit, as plain typed arrays given the same gradients —
 * with two param groups (the second overriding `lr` and `weightDecay`), parameters without a
 * gradient at some steps (unchanged, their step count not advanced), and an `lr` written between
 * steps — and end with the same `stateDict()`; and a state saved mid-run (through JSON) must resume
 * in a new optimizer over new parameters, whether the engine or plain arrays saved it.
 *
 * The cases need no test runner: `run()` throws a {@link ConformanceError}.
 */
export function conformanceCases<P>(
  engine: EngineAdapter<P>,
  options: ConformanceOptions = {},
): ConformanceCase[] {
  const settings = ruleSettings().filter(
    (s) => options.rules === undefined || options.rules.includes(s.entry.id),
  );
  if (options.rules !== undefined) {
    const known = new Set(settings.map((s) => s.entry.id));
    const missing = options.rules.filter((id) => !known.has(id));
    if (missing.length > 0)
      throw new RangeError(`conformanceCases: no closure-free catalog rule ${missing.join(", ")}`);
  }
  const cases: ConformanceCase[] = [];
  engine.dtypes.forEach((dtype, d) => {
    settings.forEach((setting, s) => {
      const p = plan(setting, dtype, 1000 * (d + 1) + s);
      cases.push(trajectoryCase(engine, p));
      if (setting.label === "varied") cases.push(roundTripCase(engine, p));
    });
  });
  return cases;
}

/** The test functions {@link describeConformance} registers cases with (vitest's, Jest's, Mocha's, `node:test`'s). */
export interface TestRunner {
  describe?: (name: string, body: () => void) => unknown;
  it: (name: string, body: () => void) => unknown;
}

/**
 * Registers the conformance cases with a test runner's `describe`/`it`:
 * `describeConformance(myEngine, { describe, it })`.
 */
export function describeConformance<P>(
  engine: EngineAdapter<P>,
  runner: TestRunner,
  options: ConformanceOptions = {},
): void {
  const register = () => {
    for (const c of conformanceCases(engine, options)) runner.it(c.name, () => c.run());
  };
  if (runner.describe) runner.describe(`${engine.name} runs @descent/optim like plain arrays`, register);
  else register();
}
