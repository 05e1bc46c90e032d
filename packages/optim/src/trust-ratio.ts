import { f } from "./kernel-check.js";

/**
 * The 2-norm of a parameter (or of its update) from its sum of squares, as LAMB and LARS need it:
 * `√(Σ x²)` over the whole array, the squares summed in float64 in element order, the root taken
 * in float64 and, for float32 parameters, rounded once to float32.
 *
 * Optax computes `jnp.linalg.norm` in the array's dtype, in an order XLA chooses; for float64 this
 * is the same sum (up to that order), for float32 it is the float32 norm to within its last bits,
 * identical on every platform and backend here.
 */
export function normFromSquares(sumOfSquares: number, float32: boolean): number {
  const norm = Math.sqrt(sumOfSquares);
  return float32 ? f(norm) : norm;
}

/**
 * Optax's `scale_by_trust_ratio` factor for one parameter:
 *
 *     r = trustCoefficient·‖θ‖ / (‖u‖ + ε),   and r = 1 where ‖θ‖ = 0 or ‖u‖ = 0
 *
 * (`safe_trust_ratio = jnp.where(param_norm == 0 | update_norm == 0, 1, trust_ratio)` with
 * `min_norm = 0`: a parameter that is all zeros, or an update that is all zeros, is scaled by 1).
 * Computed in float32 (each operation rounded, the coefficients rounded first) when `float32`.
 * A NaN norm gives NaN.
 */
export function trustRatio(
  paramNorm: number,
  updateNorm: number,
  trustCoefficient: number,
  eps: number,
  float32: boolean,
): number {
  if (paramNorm === 0 || updateNorm === 0) return 1;
  if (float32) return f(f(f(trustCoefficient) * paramNorm) / f(updateNorm + f(eps)));
  return (trustCoefficient * paramNorm) / (updateNorm + eps);
}
