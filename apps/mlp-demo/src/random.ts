/**
 * A small seeded random number generator for the demo's own randomness: data set synthesis, the
 * train/test split and the batch order. Model initialisation uses `@descent/tensor`'s generator.
 *
 * The core is xoshiro128** (Blackman & Vigna), four 32-bit words of state, seeded through
 * splitmix32 so that nearby seeds give unrelated streams. `uniform()` builds a 53-bit double from two
 * outputs: u = (a·2²⁶ + b) / 2⁵³ with a, b the top 27 and 26 bits, so u ∈ [0, 1).
 */
export class Random {
  private s: Uint32Array;

  /**
   * @param seed a safe integer.
   * @param stream an independent stream for the same seed, one per purpose (split, batch order...).
   */
  constructor(seed: number, stream = 0) {
    if (!Number.isSafeInteger(seed)) throw new Error(`Random: seed must be a safe integer, got ${seed}`);
    if (!Number.isInteger(stream) || stream < 0) throw new Error(`Random: bad stream ${stream}`);
    this.s = new Uint32Array(4);
    // splitmix32 over the seed's halves and the stream number.
    let x =
      (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) >>> 0, 0x9e3779b9) ^ Math.imul(stream, 0x632be5ab);
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /** The next 32 random bits as an unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A double uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** A standard normal sample (Box–Muller; one of the pair, for a state that is easy to save). */
  normal(): number {
    const u1 = 1 - this.uniform(); // (0, 1]: log stays finite
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** An integer uniform in [0, n) without modulo bias (rejection sampling). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) throw new Error(`Random.int: bad bound ${n}`);
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % n;
    }
  }

  /** Fisher–Yates shuffle of `a`, in place. */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return a;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** The state as four unsigned 32-bit integers, for a checkpoint. */
  getState(): number[] {
    return Array.from(this.s);
  }

  /** Restores a state returned by `getState()`. */
  setState(state: readonly number[]): void {
    if (
      !Array.isArray(state) ||
      state.length !== 4 ||
      !state.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32) ||
      state.every((v) => v === 0)
    ) {
      throw new Error(`Random.setState: expected four unsigned 32-bit integers, not all zero`);
    }
    this.s = Uint32Array.from(state);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
