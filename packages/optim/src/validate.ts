/**
 * Option checks shared by the optimizers, with PyTorch's messages.
 *
 * PyTorch writes `if not 0.0 <= lr: raise ValueError(f"Invalid learning rate: {lr}")`; the checks
 * here also reject NaN and ±Infinity (which PyTorch accepts, and which turn every parameter into
 * NaN at the first step) and values of the wrong type. Where PyTorch's message names an option in snake_case, the
 * message names the camelCase option and quotes PyTorch's wording after it, e.g.
 * `Invalid weightDecay value: -1 (PyTorch: Invalid weight_decay value: -1)`.
 */

/** Formats a received value for an error message. */
export function show(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol" || typeof value === "bigint") return `${String(value)} (${typeof value})`;
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return String(value);
}

/** Throws `RangeError(message + ": " + value)` unless `value` is a finite number `>= 0`. */
export function checkNonNegative(value: unknown, message: string): void {
  if (typeof value !== "number" || !(0 <= value && value < Number.POSITIVE_INFINITY)) {
    throw new RangeError(`${message}: ${show(value)}`);
  }
}

/** `Invalid learning rate: -1`. */
export function checkLr(lr: unknown): void {
  checkNonNegative(lr, "Invalid learning rate");
}

/** `Invalid epsilon value: -1`. */
export function checkEps(eps: unknown): void {
  checkNonNegative(eps, "Invalid epsilon value");
}

/** `Invalid momentum value: -1`. */
export function checkMomentum(momentum: unknown): void {
  checkNonNegative(momentum, "Invalid momentum value");
}

/**
 * For an option PyTorch names in snake_case: `Invalid lrDecay value: -1 (PyTorch: Invalid lr_decay value: -1)`
 * unless `value` is a finite number `>= 0`.
 */
export function checkNonNegativeOption(value: unknown, option: string, pytorchName: string): void {
  if (typeof value !== "number" || !(0 <= value && value < Number.POSITIVE_INFINITY)) {
    throw new RangeError(
      `Invalid ${option} value: ${show(value)} (PyTorch: Invalid ${pytorchName} value: ${show(value)})`,
    );
  }
}

/** `Invalid weightDecay value: -1 (PyTorch: Invalid weight_decay value: -1)`. */
export function checkWeightDecay(weightDecay: unknown): void {
  checkNonNegativeOption(weightDecay, "weightDecay", "weight_decay");
}

/** Throws a TypeError unless `value` is a boolean. */
export function checkBoolean(value: unknown, option: string): void {
  if (typeof value !== "boolean")
    throw new TypeError(`Invalid ${option} value: ${show(value)} (expected a boolean)`);
}

/** Throws a RangeError unless `value` is a finite number. */
export function checkNumber(value: unknown, option: string): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RangeError(`Invalid ${option} value: ${show(value)} (expected a finite number)`);
  }
}

/** Adam's betas: a pair with `0 <= beta < 1`; `Invalid beta parameter at index 0: 1`. */
export function checkBetas(betas: unknown): void {
  if (!Array.isArray(betas) || betas.length !== 2) {
    throw new TypeError(`Invalid betas value: ${show(betas)} (expected a pair [beta1, beta2])`);
  }
  for (let i = 0; i < 2; i++) {
    const beta = betas[i];
    if (typeof beta !== "number" || !(0 <= beta && beta < 1)) {
      throw new RangeError(`Invalid beta parameter at index ${i}: ${show(beta)}`);
    }
  }
}

/**
 * Throws a RangeError unless `value` is a finite number in `[low, high]`:
 * `Invalid alpha value: 1.5 (expected a number in [0, 1])`.
 */
export function checkInRange(value: unknown, option: string, low: number, high: number): void {
  if (typeof value !== "number" || !(low <= value && value <= high)) {
    throw new RangeError(`Invalid ${option} value: ${show(value)} (expected a number in [${low}, ${high}])`);
  }
}
