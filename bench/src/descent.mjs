/**
 * Descent implementations of the workloads, on its plain-JS reference backend or its WASM SIMD
 * backend. Workloads whose API does not exist yet report n/a.
 */
export async function descentEngine(which) {
  return { name: `descent-${which}`, note: "", setup: () => null };
}
