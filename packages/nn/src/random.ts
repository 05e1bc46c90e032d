/**
 * The randomness @descent/nn needs: uniform draws in [0, 1) and standard normal draws.
 * The tensor package's `Generator` satisfies this interface structurally, so does any object
 * with these two methods.
 */
import { defaultGenerator } from "@descent/tensor";

export interface RandomSource {
  /** A uniform draw in [0, 1). */
  random(): number;
  /** A standard normal draw, N(0, 1). */
  normal(): number;
}

/** The generator used when none is passed: the tensor package's `defaultGenerator` (see `manualSeed`). */
export function defaultRandom(): RandomSource {
  return defaultGenerator;
}
