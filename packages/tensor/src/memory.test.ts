/**
 * Allocation failures name the op, the shape and the size instead of surfacing the engine's bare
 * "Array buffer allocation failed". A real failure needs a process whose memory is capped: the
 * package is bundled and run in a child process under `ulimit -v`, which first fills its address
 * space with untouched ballast and frees exactly 64 MiB, so every case below runs out of memory
 * deterministically (and without touching more than a few hundred MiB of real memory).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import { describe, expect, it } from "vitest";
import { allocate } from "./dtype.js";
import { fmtBytes, isAllocationFailure } from "./memory.js";

const CHILD = `
import * as T from "./tensor.mjs";
const big = [16384, 16384]; // 2^28 elements: 1 GiB in float32
// name → [inputs made before the memory is capped, the call that runs out of memory]
const cases = {
  zeros: [() => null, () => T.zeros(big)],
  ones: [() => null, () => T.ones(big, { dtype: "float64" })],
  full: [() => null, () => T.full(big, 1)],
  rand: [() => null, () => T.rand(big)],
  randn: [() => null, () => T.randn(big)],
  randint: [() => null, () => T.randint(0, 2, big)],
  eye: [() => null, () => T.eye(16384)],
  arange: [() => null, () => T.arange(2 ** 28)],
  randperm: [() => null, () => T.randperm(2 ** 28)],
  add: [() => null, () => T.add(T.zeros([16384, 1]), T.zeros([1, 16384]))],
  mul: [() => null, () => T.zeros([16384, 1], { requiresGrad: true }).mul(T.zeros([1, 16384]))],
  matmul: [() => null, () => T.matmul(T.zeros([16384, 1]), T.zeros([1, 16384]))],
  linear: [() => null, () => T.linear(T.zeros([16384, 1]), T.zeros([16384, 1]))],
  where: [() => null, () => T.where(T.zeros([16384, 1]), T.zeros([1, 16384]), 0)],
  concat: [() => [T.zeros([2 ** 25]), T.zeros([2 ** 25])], (xs) => T.concat(xs)],
  // 128 MiB forward; the backward of sum needs 128 MiB more.
  backward: [() => T.zeros([1], { requiresGrad: true }).mul(T.zeros([2 ** 25])).sum(), (y) => y.backward()],
};
const chunk = 2 ** 24; // 64 MiB of float32
const out = {};
for (const [name, [setup, run]] of Object.entries(cases)) {
  const inputs = setup();
  const ballast = [];
  try { for (;;) ballast.push(new Float32Array(chunk)); } catch {}
  ballast.length -= 1;
  globalThis.gc();
  try {
    run(inputs);
    out[name] = "no error";
  } catch (e) {
    out[name] = e.constructor.name + ": " + e.message + (e.cause ? " | cause: " + e.cause.message : "");
  }
  ballast.length = 0;
  globalThis.gc();
}
console.log(JSON.stringify(out));
`;

const canCap = process.platform === "linux";

describe.runIf(canCap)("allocation failure in a memory-capped process", () => {
  it("names the op, the shape or the inputs, and the size, for creation, forward and backward", () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-oom-"));
    try {
      buildSync({
        entryPoints: [fileURLToPath(new URL("./index.ts", import.meta.url))],
        bundle: true,
        format: "esm",
        platform: "neutral",
        outfile: join(dir, "tensor.mjs"),
        logLevel: "error",
      });
      writeFileSync(join(dir, "child.mjs"), CHILD);
      const r = spawnSync("sh", ["-c", "ulimit -v 4000000 && exec node --expose-gc child.mjs"], {
        cwd: dir,
        encoding: "utf8",
        timeout: 120_000,
        env: { ...process.env, DESCENT_BACKEND: "js" },
      });
      expect(r.status, r.stderr).toBe(0);
      const got = JSON.parse(r.stdout) as Record<string, string>;
      const big = "a float32 tensor of shape [16384, 16384] (268435456 elements, 1.0 GiB)";
      const oom = (n: number, dt = "float32") =>
        `out of memory: cannot allocate ${n} ${dt} elements (${fmtBytes(n * (dt === "float64" ? 8 : 4))})`;
      const n = 2 ** 28;
      const expected: Record<string, string> = {
        zeros: `RangeError: zeros: out of memory: cannot allocate ${big}`,
        ones: `RangeError: ones: out of memory: cannot allocate a float64 tensor of shape [16384, 16384] (268435456 elements, 2.0 GiB)`,
        full: `RangeError: full: out of memory: cannot allocate ${big}`,
        rand: `RangeError: rand: out of memory: cannot allocate ${big}`,
        randn: `RangeError: randn: out of memory: cannot allocate ${big}`,
        randint: `RangeError: randint: out of memory: cannot allocate ${big}`,
        eye: `RangeError: eye: out of memory: cannot allocate ${big}`,
        arange: `RangeError: arange: out of memory: cannot allocate a float32 tensor of shape [${n}] (${n} elements, 1.0 GiB)`,
        randperm: `RangeError: randperm: out of memory: cannot allocate a float64 tensor of shape [${n}] (${n} elements, 2.0 GiB)`,
        add: `RangeError: add: ${oom(n)} for inputs of shapes [16384, 1], [1, 16384]`,
        mul: `RangeError: mul: ${oom(n)} for inputs of shapes [16384, 1], [1, 16384]`,
        matmul: `RangeError: matmul: ${oom(n)} for inputs of shapes [16384, 1], [1, 16384]`,
        linear: `RangeError: linear: ${oom(n)} for inputs of shapes [16384, 1], [16384, 1]`,
        where: `RangeError: where: ${oom(n)} for inputs of shapes [16384, 1], [1, 16384], []`,
        concat: `RangeError: concat: ${oom(2 ** 26)} for inputs of shapes [33554432], [33554432]`,
        backward: `RangeError: backward: ${oom(2 ** 25)} in the backward of 'sum' for inputs of shapes [33554432]`,
      };
      for (const [name, message] of Object.entries(expected)) {
        expect(got[name].split(" | cause: ")[0], name).toBe(message);
        expect(got[name], name).toContain(" | cause: "); // the engine's error is kept as the cause
      }
      for (const [name, message] of Object.entries(got)) {
        expect(message.split(" | cause: ")[0], name).not.toMatch(/Array buffer allocation failed/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("allocation failures are recognised and described", () => {
  it("engine messages of V8, SpiderMonkey and JavaScriptCore count; other errors do not", () => {
    expect(isAllocationFailure(new RangeError("Array buffer allocation failed"))).toBe(true);
    expect(isAllocationFailure(new RangeError("Out of memory"))).toBe(true);
    expect(isAllocationFailure(new RangeError("invalid array length"))).toBe(true);
    expect(isAllocationFailure(new RangeError("Invalid typed array length: 4294967296"))).toBe(true);
    expect(isAllocationFailure(new RangeError("sum: dim 3 out of range"))).toBe(false);
    expect(isAllocationFailure(new TypeError("out of memory"))).toBe(false);
    expect(isAllocationFailure("out of memory")).toBe(false);
  });
  it("allocate names the element count and the size", () => {
    let error: unknown = null;
    try {
      allocate("float64", 2 ** 53);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe(
      "out of memory: cannot allocate 9007199254740992 float64 elements (64.0 PiB)",
    );
    expect(((error as Error).cause as Error).message).toMatch(/typed array length/i);
  });
});
