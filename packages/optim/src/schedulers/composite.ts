import { show } from "../validate.js";
import type { Check } from "./options.js";
import { LRScheduler, type SchedulableOptimizer, snapshotGroups } from "./scheduler.js";

/**
 * The `schedulers` option of SequentialLR and ChainedScheduler, with PyTorch's errors: at least one,
 * each an `LRScheduler` (not a `ReduceLROnPlateau`, whose `step` needs a metric), all on the
 * composite's optimizer.
 */
export function schedulerList(
  kind: string,
  optimizer: SchedulableOptimizer,
  empty: string,
): Check<LRScheduler[]> {
  return (value, label) => {
    if (!Array.isArray(value))
      throw new TypeError(`${label} must be an array of schedulers, got ${show(value)}`);
    if (value.length < 1) throw new RangeError(`${kind} ${empty}`);
    value.forEach((scheduler, i) => {
      if (!(scheduler instanceof LRScheduler)) {
        const plateau = (scheduler as { kind?: unknown })?.kind === "ReduceLROnPlateau";
        throw new TypeError(
          plateau
            ? `${kind} does not support \`ReduceLROnPlateau\` scheduler as it requires additional kwargs to be ` +
                `specified when calling \`step\`, but got one at index ${i} in the given schedulers sequence.`
            : `${kind}: the scheduler at index ${i} is not an LRScheduler, got ${show(scheduler)}`,
        );
      }
      if (scheduler.optimizer !== optimizer) {
        throw new TypeError(
          `${kind} expects all schedulers to belong to the same optimizer, but got scheduler ` +
            `${scheduler.kind} at index ${i} with a different optimizer.`,
        );
      }
    });
    return value.slice();
  };
}

/** Every scheduler in `schedulers` and, recursively, every scheduler they wrap. */
function allSchedulers(schedulers: readonly LRScheduler[]): LRScheduler[] {
  const out: LRScheduler[] = [];
  const visit = (s: LRScheduler) => {
    if (out.includes(s)) return;
    out.push(s);
    for (const inner of s.schedulers ?? []) visit(inner);
  };
  for (const s of schedulers) visit(s);
  return out;
}

/**
 * Runs `fn`; if it throws, puts the optimizer's groups and `schedulers` (with every scheduler they
 * wrap) back as they were, then rethrows. Makes a composite's step, which steps several
 * schedulers, all or nothing.
 */
export function atomically<T>(
  optimizer: SchedulableOptimizer,
  schedulers: readonly LRScheduler[],
  fn: () => T,
): T {
  const restoreGroups = snapshotGroups(optimizer.paramGroups);
  const saved = allSchedulers(schedulers).map((s) => {
    const copy = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Array.isArray(v) ? v.slice() : v]));
    return [s, copy] as const;
  });
  try {
    return fn();
  } catch (error) {
    for (const [s, copy] of saved) Object.assign(s, copy);
    restoreGroups();
    throw error;
  }
}
