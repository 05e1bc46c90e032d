/** A plain JSON-serialisable snapshot of a {@link Generator}. */
export interface GeneratorState {
  algorithm: "xoshiro128**";
  /** The four 32-bit state words (unsigned). */
  s: [number, number, number, number];
}

/** splitmix32: expands a 32-bit seed into well-mixed state words. */
function splitmix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let z = state.x;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/**
 * A seedable pseudo-random generator: xoshiro128** (Blackman & Vigna) seeded through splitmix32,
 * in 32-bit integer arithmetic only (`Math.imul`, shifts) — so the integer stream is bit-identical
 * on every platform and JS engine. `normal()` uses Box–Muller with `Math.log`/`Math.cos`/
 * `Math.sin`, which are deterministic within one engine (V8 uses the fdlibm algorithms everywhere).
 *
 * The stream differs from PyTorch's Mersenne Twister: seeds do not reproduce PyTorch's numbers.
 */
export class Generator {
  #s0 = 0;
  #s1 = 0;
  #s2 = 0;
  #s3 = 0;
  /** Spare normal deviate from the last Box–Muller pair, or NaN. */
  #spare = Number.NaN;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Re-seeds: the integer part of `seed` (any safe integer, negative allowed). */
  manualSeed(seed: number): this {
    if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
      throw new TypeError(`Generator: seed must be a safe integer, got ${String(seed)}`);
    }
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    const st = { x: lo ^ Math.imul(hi, 0x85ebca6b) };
    this.#s0 = splitmix32(st);
    this.#s1 = splitmix32(st);
    this.#s2 = splitmix32(st);
    this.#s3 = splitmix32(st);
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
    this.#spare = Number.NaN;
    return this;
  }

  /** Next 32-bit unsigned integer of the xoshiro128** stream. */
  nextUint32(): number {
    const s1 = this.#s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return r;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / TWO_POW_53;
  }

  /** Standard normal double (Box–Muller; the second deviate of each pair is kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.#spare)) {
      const v = this.#spare;
      this.#spare = Number.NaN;
      return v;
    }
    const u1 = 1 - this.random(); // (0, 1]
    const u2 = this.random();
    const r = Math.sqrt(-2 * Math.log(u1));
    const th = 2 * Math.PI * u2;
    this.#spare = r * Math.sin(th);
    return r * Math.cos(th);
  }

  /** Uniform integer in [low, high) (unbiased, by rejection). */
  randint(low: number, high: number): number {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low) {
      throw new RangeError(`randint: need integers low < high, got low=${low}, high=${high}`);
    }
    const range = high - low;
    if (range <= TWO_POW_32) {
      const limit = TWO_POW_32 - (TWO_POW_32 % range);
      for (;;) {
        const x = this.nextUint32();
        if (x < limit) return low + (x % range);
      }
    }
    return low + Math.floor(this.random() * range);
  }

  /** A snapshot that {@link setState} restores exactly (plain JSON). */
  getState(): GeneratorState & { spare: number | null } {
    return {
      algorithm: "xoshiro128**",
      s: [this.#s0 >>> 0, this.#s1 >>> 0, this.#s2 >>> 0, this.#s3 >>> 0],
      spare: !Number.isNaN(this.#spare) ? this.#spare : null,
    };
  }

  /** Restores a state from {@link getState} (also after a JSON round trip). */
  setState(state: GeneratorState & { spare?: number | null }): this {
    const ok =
      state !== null &&
      typeof state === "object" &&
      state.algorithm === "xoshiro128**" &&
      Array.isArray(state.s) &&
      state.s.length === 4 &&
      state.s.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32) &&
      state.s.some((w) => w !== 0);
    if (!ok) throw new TypeError(`Generator.setState: invalid state ${JSON.stringify(state)}`);
    this.#s0 = state.s[0] | 0;
    this.#s1 = state.s[1] | 0;
    this.#s2 = state.s[2] | 0;
    this.#s3 = state.s[3] | 0;
    this.#spare = typeof state.spare === "number" ? state.spare : Number.NaN;
    return this;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The generator used when no `generator` option is given. */
export const defaultGenerator = new Generator(0);

/** Seeds the default generator (like `torch.manual_seed`). Returns it. */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
