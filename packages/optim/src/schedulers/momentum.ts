import { checkNumber } from "./options.js";
import type { SchedulableOptimizer, SchedulerParamGroup } from "./scheduler.js";

/**
 * Momentum cycling as OneCycleLR and CyclicLR do it (PyTorch's `cycle_momentum`): the cycled value
 * is `betas[0]` if the optimizer has `betas` (Adam, AdamW: PyTorch's `use_beta1`), else `momentum`.
 * Returns `useBeta1`; throws PyTorch's error if the optimizer has neither. Checks the momentum
 * bounds: ≥ 0, and < 1 for `betas[0]`.
 */
export function momentumTarget(
  kind: string,
  optimizer: SchedulableOptimizer,
  bounds: { maxMomentum: readonly number[]; baseMomentum: readonly number[] },
): boolean {
  const reference: object = optimizer.defaults ?? optimizer.paramGroups[0] ?? {};
  if (!("momentum" in reference) && !("betas" in reference)) {
    throw new TypeError(
      `${kind}: optimizer must support momentum or beta1 with \`cycleMomentum\` option enabled`,
    );
  }
  const useBeta1 = "betas" in reference;
  if (useBeta1) {
    optimizer.paramGroups.forEach((group, i) => {
      const betas = group.betas;
      if (!Array.isArray(betas) || betas.length !== 2) {
        throw new TypeError(`${kind}: paramGroups[${i}].betas must be a pair of numbers to cycle betas[0]`);
      }
    });
    for (const [option, values] of Object.entries(bounds)) {
      values.forEach((m, i) => {
        const label = values.length > 1 ? `${kind}: ${option}[${i}]` : `${kind}: ${option}`;
        checkNumber(m, `${label} (cycled on betas[0])`, { min: 0, below: 1 });
      });
    }
  }
  return useBeta1;
}

/** Writes a momentum (or `betas[0]`, keeping `betas[1]`) into a group. */
export function setMomentum(group: SchedulerParamGroup, value: number, useBeta1: boolean): void {
  if (useBeta1) group.betas = [value, (group.betas as readonly [number, number])[1]];
  else group.momentum = value;
}
