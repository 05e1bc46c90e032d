/**
 * Out-of-memory errors that name what was being allocated. A JS engine reports a failed typed-array
 * allocation as a bare `RangeError: Array buffer allocation failed` (V8; "Out of memory" elsewhere)
 * from deep inside a kernel; the library rethrows it naming the op, the shape and the size.
 */
import { fmtShape } from "./shape.js";

const NAMED = Symbol("descent.allocation");

/** Whether `e` is an engine's failure to allocate an array or typed array. */
export function isAllocationFailure(e: unknown): boolean {
  if (typeof e === "object" && e !== null && (e as { [NAMED]?: boolean })[NAMED] === true) return true;
  if (!(e instanceof RangeError) && !(e instanceof Error && e.name === "InternalError")) return false;
  return /allocation failed|out of memory|invalid (typed )?array (buffer )?length|array buffer.*too large/i.test(
    e.message,
  );
}

/** A RangeError `message` marked as an allocation failure, with the engine's error as its cause. */
export function allocationError(message: string, cause: unknown): RangeError {
  const e = new RangeError(message, { cause });
  (e as unknown as { [NAMED]: boolean })[NAMED] = true;
  return e;
}

/** `2.0 GiB` */
export function fmtBytes(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[u]}`;
}

/** `a float64 tensor of shape [16384, 16384] (268435456 elements, 2.0 GiB)` */
export function describeAllocation(dtype: string, shape: readonly number[], n: number): string {
  const bytes = n * (dtype === "float64" ? 8 : 4);
  return `a ${dtype} tensor of shape ${fmtShape(shape)} (${n} elements, ${fmtBytes(bytes)})`;
}

/**
 * Rethrows an allocation failure `e` as `${prefix}: out of memory: … ${context}` (a failure
 * `allocate` already described keeps its description); any other error unchanged.
 */
export function rethrowNamed(e: unknown, prefix: string, context: string): never {
  if (!isAllocationFailure(e)) throw e;
  const msg = (e as Error).message;
  const inner = (e as { [NAMED]?: boolean })[NAMED] === true ? msg : `out of memory (${msg})`;
  throw allocationError(`${prefix}: ${inner}${context === "" ? "" : ` ${context}`}`, e);
}
