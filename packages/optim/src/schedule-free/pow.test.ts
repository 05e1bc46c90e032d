import { describe, expect, it } from "vitest";
import { powInt, pythonPow } from "./pow.js";

describe("powInt", () => {
  it("gives Python's (glibc's) x ** n where V8's ** is one ulp off", () => {
    // Python 3, glibc: 0.999 ** 16 etc.; V8's ** gives the neighbouring double for each.
    const cases: [number, number, number][] = [
      [0.999, 16, 0.9841194418156399],
      [0.999, 32, 0.9684910757595268],
      [0.999, 103, 0.902080484144017],
      [0.99, 6, 0.941480149401],
      [0.99, 12, 0.8863848717161292],
    ];
    for (const [x, n, python] of cases) {
      expect(powInt(x, n), `${x} ** ${n}`).toBe(python);
      expect(x ** n).not.toBe(python);
    }
  });

  it("is correctly rounded where glibc is not (exact rational power: 0.0024695664183988055)", () => {
    expect(powInt(0.7163835339525266, 18)).toBe(0.0024695664183988055);
  });

  it("handles 0, 1, exact integers, underflow and overflow", () => {
    expect(powInt(0.3, 0)).toBe(1);
    expect(powInt(0, 0)).toBe(1); // Python: 0.0 ** 0 == 1.0
    expect(powInt(0, 3)).toBe(0);
    expect(powInt(0.3, 1)).toBe(0.3);
    expect(powInt(3, 5)).toBe(243);
    expect(powInt(121, 2)).toBe(14641);
    expect(powInt(0.5, 1074)).toBe(5e-324);
    expect(powInt(1e200, 2)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("pythonPow", () => {
  it("uses powInt for integer exponents and ** otherwise", () => {
    expect(pythonPow(0.999, 16)).toBe(0.9841194418156399);
    expect(pythonPow(4, 0.5)).toBe(2);
    expect(pythonPow(2, 1.5)).toBe(2 ** 1.5);
  });
});
