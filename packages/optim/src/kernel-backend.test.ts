import { describe, expect, test } from "vitest";
import { Adam } from "./adam.js";
import { defaultKernelBackend, getKernelBackend, setKernelBackend } from "./kernel-backend.js";
import { wasmSimdSupported } from "./wasm/module.js";

describe("kernel backend selection", () => {
  test("DESCENT_BACKEND picks the backend; anything else is an error naming the value", () => {
    expect(defaultKernelBackend({ DESCENT_BACKEND: "js" })).toBe("js");
    expect(defaultKernelBackend({ DESCENT_BACKEND: "reference" })).toBe("js");
    const native = wasmSimdSupported() ? "wasm" : "js";
    expect(defaultKernelBackend({})).toBe(native);
    expect(defaultKernelBackend({ DESCENT_BACKEND: "wasm" })).toBe(native);
    expect(() => defaultKernelBackend({ DESCENT_BACKEND: "gpu" })).toThrow(
      'DESCENT_BACKEND="gpu": expected "wasm", "js" or "reference"',
    );
  });

  test("the default follows the environment this suite runs in", () => {
    const want = process.env.DESCENT_BACKEND === "js" || !wasmSimdSupported() ? "js" : "wasm";
    expect(getKernelBackend()).toBe(want);
  });

  test("setKernelBackend switches, returns the previous backend, and rejects unknown names", () => {
    const before = getKernelBackend();
    expect(setKernelBackend("js")).toBe(before);
    expect(getKernelBackend()).toBe("js");
    expect(() => setKernelBackend("gpu" as never)).toThrow(
      'setKernelBackend: expected "wasm" or "js", got "gpu"',
    );
    expect(getKernelBackend()).toBe("js");
    setKernelBackend(before);
  });

  test.runIf(wasmSimdSupported())("an optimizer gives the same float32 bits on either backend", () => {
    const results = (["js", "wasm"] as const).map((backend) => {
      const prev = setKernelBackend(backend);
      try {
        const p = {
          data: new Float32Array(1000).map((_, i) => Math.sin(i)),
          grad: null as null | { data: Float32Array },
        };
        const opt = new Adam([p], { lr: 0.01, amsgrad: true });
        for (let t = 0; t < 5; t++) {
          p.grad = { data: p.data.map((x, i) => x * Math.cos(i + t)) };
          opt.step();
        }
        return p.data;
      } finally {
        setKernelBackend(prev);
      }
    });
    expect(Array.from(results[1])).toEqual(Array.from(results[0]));
    expect(results[0][1]).not.toBe(Math.fround(Math.sin(1)));
  });
});
