/**
 * The lab's own seeded random numbers, for data set synthesis, the train/test split and the batch
 * order (model initialisation uses `@descent/tensor`'s generator). A run is reproducible from its seed.
 *
 * Core: mulberry32 (Tommy Ettinger), 32 bits of state. `uniform()` builds a 53-bit double from two
 * outputs: u = (a·2²¹ + b) / 2⁵³ with a the top 32 bits and b the top 21 bits of the next, so u ∈ [0, 1).
 * `normal()` is Box–Muller: z = √(−2 ln(1 − u₁)) · cos(2π u₂).
 */
export class Random {
  private state: number;

  /** @param seed an integer in [0, 2³²); `stream` picks an independent sequence for the same seed. */
  constructor(seed: number, stream = 0) {
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
      throw new RangeError(`Random: seed must be an integer in [0, 2^32), got ${seed}`);
    }
    this.state = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
    for (let i = 0; i < 4; i++) this.nextUint32(); // decorrelate nearby seeds
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return (z ^ (z >>> 14)) >>> 0;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32();
    const b = this.nextUint32() >>> 11;
    return (a * 2 ** 21 + b) / 2 ** 53;
  }

  /** A standard normal sample (Box–Muller). */
  normal(): number {
    const u1 = this.uniform();
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Shuffles `a` in place (Fisher–Yates) and returns it. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
