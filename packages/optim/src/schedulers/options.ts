import { show } from "../validate.js";

/**
 * Option checking shared by the schedulers and the schedule functions: every option is declared
 * once as a {@link Field} (its check and its default), and {@link readOptions} rejects unknown
 * options (with a did-you-mean for snake_case and misspelled names), reports missing required ones,
 * and checks every value. The same checks validate a loaded state dict.
 *
 * A check receives the value and a label (`"StepLR: stepSize"`, or
 * `"StepLR.loadStateDict: 'stepSize'"`) and throws an error that starts with the label and ends
 * with the value: a TypeError for a value of the wrong type, a RangeError for one out of range.
 */

/** Checks a value and returns it (arrays copied). `groups` is the optimizer's number of param groups. */
export type Check<T> = (value: unknown, label: string, groups: number) => T;

/**
 * One option: its check, and whether it is required, has a default (an input value, which goes
 * through the check like a given one: `0.85` becomes one momentum per group), or may be left out.
 */
export interface Field<T, Optional extends boolean = boolean> {
  readonly check: Check<T>;
  readonly required: boolean;
  readonly default?: unknown;
  /** Phantom: true when the resolved value may be undefined. */
  readonly optional?: Optional;
}

/** A required option. */
export function required<T>(check: Check<T>): Field<T, false> {
  return { check, required: true };
}

/** An option with a default value (given as an input, checked like one). */
export function withDefault<T>(check: Check<T>, value: unknown): Field<T, false> {
  return { check, required: false, default: value };
}

/** An option that may be left out (resolved to undefined). */
export function optional<T>(check: Check<T>): Field<T, true> {
  return { check, required: false };
}

/** The options of a scheduler, by name. */
export type Spec = Record<string, Field<unknown>>;

/** What {@link readOptions} returns for a spec. */
export type Resolved<S extends Spec> = {
  [K in keyof S]: S[K] extends Field<infer T, infer O> ? (O extends true ? T | undefined : T) : never;
};

/**
 * Checks an options object against `spec`: not an object, an unknown option (with a did-you-mean),
 * a missing required option and an invalid value are errors naming the option and the value.
 * `undefined` values count as left out. Returns every option, defaults filled in.
 */
export function readOptions<S extends Spec>(
  kind: string,
  options: unknown,
  spec: S,
  groups = 0,
): Resolved<S> {
  const keys = Object.keys(spec);
  const usage = `${kind}(optimizer, { ${keys.join(", ")} })`;
  if (options === undefined) options = {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`${kind}: options must be an object, as in ${usage}; got ${show(options)}`);
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(key in spec)) {
      const guess = didYouMean(key, keys);
      const hint =
        guess === undefined ? ` (the options are ${keys.join(", ")})` : ` (did you mean ${guess}?)`;
      throw new TypeError(`${kind}: unknown option ${JSON.stringify(key)}${hint}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const field = spec[key];
    const value = given[key];
    if (value === undefined) {
      if (field.required) throw new TypeError(`${kind}: missing required option ${key}, as in ${usage}`);
      out[key] =
        field.default === undefined ? undefined : field.check(field.default, `${kind}: ${key}`, groups);
    } else {
      out[key] = field.check(value, `${kind}: ${key}`, groups);
    }
  }
  return out as Resolved<S>;
}

/**
 * The known name closest to `key`: the same letters ignoring case and underscores (`step_size`,
 * `T_max`), else at most two edits away (`gama`, `stepSise`). Undefined if nothing is close.
 */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.replace(/_/g, "").toLowerCase();
  const target = norm(key);
  const exact = known.find((k) => norm(k) === target);
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.floor(target.length / 3));
  for (const k of known) {
    const d = editDistance(target, norm(k));
    if (d <= bestDistance) {
      best = k;
      bestDistance = d - 1;
    }
  }
  return best;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length];
}

// ---- checks -------------------------------------------------------------------------------------

/** Bounds of a numeric option. */
export interface NumberBounds {
  /** Must be an integer (a safe one). */
  integer?: boolean;
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Smallest value, excluded: the value must be greater. */
  above?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
  /** Largest value, excluded: the value must be smaller. */
  below?: number;
}

/** Says what `bounds` allow, for messages: "an integer >= 1", "a positive number", "a number in [0, 1)". */
function phrase(b: NumberBounds): string {
  const noun = b.integer ? "an integer" : "a number";
  const low = b.min !== undefined ? `[${b.min}` : b.above !== undefined ? `(${b.above}` : undefined;
  const high = b.max !== undefined ? `${b.max}]` : b.below !== undefined ? `${b.below})` : undefined;
  if (low !== undefined && high !== undefined) return `${noun} in ${low}, ${high}`;
  if (b.above === 0 && !b.integer) return "a positive number";
  if (b.min !== undefined) return `${noun} >= ${b.min}`;
  if (b.above !== undefined) return `${noun} > ${b.above}`;
  if (b.max !== undefined) return `${noun} <= ${b.max}`;
  if (b.below !== undefined) return `${noun} < ${b.below}`;
  return b.integer ? "an integer" : "a finite number";
}

/** True if the finite number `x` is within `b`. */
function inBounds(x: number, b: NumberBounds): boolean {
  return (
    (b.min === undefined || x >= b.min) &&
    (b.above === undefined || x > b.above) &&
    (b.max === undefined || x <= b.max) &&
    (b.below === undefined || x < b.below)
  );
}

/**
 * Throws unless `value` is a finite number within `bounds` (TypeError if not a number at all).
 * `pytorch` is PyTorch's message for the same check, quoted after ours.
 */
export function checkNumber(
  value: unknown,
  label: string,
  bounds: NumberBounds = {},
  pytorch?: string,
): number {
  const fail = (what: string) => {
    const quote = pytorch === undefined ? "" : ` (PyTorch: ${pytorch})`;
    return `${label} must be ${what}, got ${show(value)}${quote}`;
  };
  if (typeof value !== "number") throw new TypeError(fail("a number"));
  if (bounds.integer && !Number.isSafeInteger(value)) throw new RangeError(fail(phrase(bounds)));
  if (!Number.isFinite(value)) throw new RangeError(fail("a finite number"));
  if (!inBounds(value, bounds)) throw new RangeError(fail(phrase(bounds)));
  return value;
}

/** A finite number within `bounds`; `pytorch` is PyTorch's message for the check. */
export function num(bounds: NumberBounds = {}, pytorch?: string): Check<number> {
  return (value, label) => checkNumber(value, label, bounds, pytorch);
}

/** An integer within `bounds`; `pytorch` is PyTorch's message for the check. */
export function int(bounds: Omit<NumberBounds, "integer"> = {}, pytorch?: string): Check<number> {
  return num({ ...bounds, integer: true }, pytorch);
}

/** A boolean. */
export function bool(): Check<boolean> {
  return (value, label) => {
    if (typeof value !== "boolean") throw new TypeError(`${label} must be a boolean, got ${show(value)}`);
    return value;
  };
}

/** One of the strings `allowed`. */
export function oneOf<T extends string>(...allowed: T[]): Check<T> {
  return (value, label) => {
    if (typeof value !== "string" || !(allowed as string[]).includes(value)) {
      const list = allowed.map((a) => JSON.stringify(a)).join(", ");
      throw new TypeError(`${label} must be one of ${list}, got ${show(value)}`);
    }
    return value as T;
  };
}

/** A function. */
export function fn<F extends (...args: never[]) => unknown>(): Check<F> {
  return (value, label) => {
    if (typeof value !== "function") throw new TypeError(`${label} must be a function, got ${show(value)}`);
    return value as F;
  };
}

/** An array whose entries pass `check` (labelled `label[i]`); a copy. */
export function arrayOf<T>(check: Check<T>): Check<T[]> {
  return (value, label, groups) => {
    if (!Array.isArray(value)) throw new TypeError(`${label} must be an array, got ${show(value)}`);
    return value.map((v, i) => check(v, `${label}[${i}]`, groups));
  };
}

/**
 * PyTorch's `_format_param`: one value for every param group, or an array with one per group.
 * Returns one value per group.
 */
export function perGroup(check: Check<number>): Check<number[]> {
  return (value, label, groups) => {
    if (Array.isArray(value)) {
      if (value.length !== groups) {
        const name = label.slice(label.lastIndexOf(" ") + 1);
        throw new RangeError(
          `${label} must have the same length as optimizer.paramGroups. ${name} has ${value.length} values, paramGroups has ${groups}.`,
        );
      }
      return value.map((v, i) => check(v, `${label}[${i}]`, groups));
    }
    const one = check(value, label, groups);
    return new Array<number>(groups).fill(one);
  };
}

/** An array with one entry per param group, each passing `check` (for saved states). */
export function groupArray(check: Check<number>): Check<number[]> {
  return (value, label, groups) => {
    if (!Array.isArray(value)) throw new TypeError(`${label} must be an array, got ${show(value)}`);
    if (value.length !== groups) {
      throw new RangeError(
        `${label} has ${value.length} values but the optimizer has ${groups} param groups`,
      );
    }
    return value.map((v, i) => check(v, `${label}[${i}]`, groups));
  };
}

/**
 * Wraps a schedule's `step → value` function so that a step that is not a finite number ≥ 0 is an
 * error naming the schedule.
 */
export function scheduleFunction(kind: string, f: (step: number) => number): (step: number) => number {
  return (step) => {
    if (typeof step !== "number" || !(step >= 0) || step === Number.POSITIVE_INFINITY) {
      throw new RangeError(`${kind}: the step must be a finite number >= 0, got ${show(step)}`);
    }
    return f(step);
  };
}

/** The checks of a spec's options, for `stateFields()`. */
export function checksOf<S extends Spec>(spec: S): Record<keyof S, Check<unknown>> {
  const out = {} as Record<keyof S, Check<unknown>>;
  for (const key of Object.keys(spec) as (keyof S)[]) out[key] = spec[key].check;
  return out;
}

/**
 * A check with PyTorch's own wording: unless `test(value)`, throws `"<Kind>: " + message(value)`
 * (e.g. `CosineAnnealingWarmRestarts: Expected positive integer t0, but got 0`), a TypeError when
 * the value is not even of `type`, else a RangeError.
 */
export function pytorchCheck<T>(
  type: "number" | "string",
  test: (value: T) => boolean,
  message: (shown: string) => string,
): Check<T> {
  return (value, label) => {
    if (typeof value === type && test(value as T)) return value as T;
    const kind = label.slice(0, label.indexOf(": "));
    const text = `${kind}: ${message(show(value))}`;
    throw typeof value === type ? new RangeError(text) : new TypeError(text);
  };
}
