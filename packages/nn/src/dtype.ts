import type { DType } from "@descent/tensor";

/** Validates a module's `dtype` option (the tensor package's float dtypes). */
export function checkModuleDType(op: string, dtype: unknown): DType {
  if (dtype === "float32" || dtype === "float64") return dtype;
  throw new TypeError(`${op}: unsupported dtype ${JSON.stringify(dtype)} (expected "float32" or "float64")`);
}
