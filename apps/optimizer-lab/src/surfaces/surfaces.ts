import type { Tensor } from "@descent/tensor";

/** The loss surfaces of the race. */
export const SURFACES = ["rosenbrock", "beale", "quadratic", "saddle"] as const;
export type SurfaceId = (typeof SURFACES)[number];

/** An axis-aligned rectangle of the (x, y) plane. */
export interface Domain {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

/**
 * A 2-D loss surface f(x, y), written three times on purpose: `value` and `gradient` in plain float64
 * (the contour map, and an independent check), and `tensor`, the same f built from `@descent/tensor`
 * ops, whose autograd gradient is what the racing optimizers are fed. A test checks that the autograd
 * gradient equals the hand-derived one.
 */
export interface Surface {
  readonly id: SurfaceId;
  readonly name: string;
  /** f in plain text, for the page. */
  readonly formula: string;
  /** The square drawn on the page; start points must lie inside it. */
  readonly domain: Domain;
  /** Global minima (or the two minima of the saddle), drawn as stars. */
  readonly minima: readonly (readonly [number, number])[];
  /** The minimum value of f over the domain, for the colour scale. */
  readonly minValue: number;
  readonly defaultStart: readonly [number, number];
  value(x: number, y: number): number;
  /** ∇f(x, y), derived by hand. */
  gradient(x: number, y: number): [number, number];
  /** f on tensors (any shape, elementwise), differentiable by `@descent/tensor`. */
  tensor(x: Tensor, y: Tensor): Tensor;
}

/**
 * Rosenbrock's banana valley: f = (1 − x)² + 100 (y − x²)², minimum 0 at (1, 1).
 *   ∂f/∂x = −2 (1 − x) − 400 x (y − x²)      ∂f/∂y = 200 (y − x²)
 */
const rosenbrock: Surface = {
  id: "rosenbrock",
  name: "Rosenbrock",
  formula: "(1 − x)² + 100 (y − x²)²",
  domain: { xMin: -2, xMax: 2, yMin: -1, yMax: 3 },
  minima: [[1, 1]],
  minValue: 0,
  defaultStart: [-1.2, 1],
  value: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
  gradient: (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
  tensor: (x, y) => {
    const a = x.neg().add(1);
    const b = y.sub(x.mul(x));
    return a.mul(a).add(b.mul(b).mul(100));
  },
};

/**
 * Beale's function: f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)², minimum 0 at (3, 0.5).
 * With uₖ = cₖ − x + x·yᵏ (c = 1.5, 2.25, 2.625):
 *   ∂f/∂x = Σ 2 uₖ (yᵏ − 1)      ∂f/∂y = Σ 2 uₖ · k x yᵏ⁻¹
 */
const beale: Surface = {
  id: "beale",
  name: "Beale",
  formula: "(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
  domain: { xMin: -4.5, xMax: 4.5, yMin: -4.5, yMax: 4.5 },
  minima: [[3, 0.5]],
  minValue: 0,
  defaultStart: [1, 1.5],
  value: (x, y) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2,
  gradient: (x, y) => {
    const u1 = 1.5 - x + x * y;
    const u2 = 2.25 - x + x * y * y;
    const u3 = 2.625 - x + x * y ** 3;
    return [
      2 * u1 * (y - 1) + 2 * u2 * (y * y - 1) + 2 * u3 * (y ** 3 - 1),
      2 * u1 * x + 2 * u2 * 2 * x * y + 2 * u3 * 3 * x * y * y,
    ];
  },
  tensor: (x, y) => {
    const y2 = y.mul(y);
    const y3 = y2.mul(y);
    const u1 = x.mul(y).sub(x).add(1.5);
    const u2 = x.mul(y2).sub(x).add(2.25);
    const u3 = x.mul(y3).sub(x).add(2.625);
    return u1.mul(u1).add(u2.mul(u2)).add(u3.mul(u3));
  },
};

/**
 * An ill-conditioned quadratic bowl, condition number 50: f = (x² + 50 y²) / 2, minimum 0 at (0, 0).
 *   ∂f/∂x = x      ∂f/∂y = 50 y
 * Plain gradient descent must keep lr < 2/50 for the steep axis and then crawls along the flat one.
 */
const quadratic: Surface = {
  id: "quadratic",
  name: "Ill-conditioned quadratic",
  formula: "(x² + 50 y²) / 2",
  domain: { xMin: -4, xMax: 4, yMin: -4, yMax: 4 },
  minima: [[0, 0]],
  minValue: 0,
  defaultStart: [-3.5, 1.5],
  value: (x, y) => (x * x + 50 * y * y) / 2,
  gradient: (x, y) => [x, 50 * y],
  tensor: (x, y) => x.mul(x).add(y.mul(y).mul(50)).mul(0.5),
};

/**
 * A saddle between two valleys: f = x² − y² + y⁴/4. The origin is a saddle point (f = 0); the minima
 * are (0, ±√2) with f = −1. A start near y = 0 shows how slowly each rule escapes the saddle.
 *   ∂f/∂x = 2x      ∂f/∂y = −2y + y³
 */
const saddle: Surface = {
  id: "saddle",
  name: "Saddle",
  formula: "x² − y² + y⁴/4",
  domain: { xMin: -2.5, xMax: 2.5, yMin: -2.5, yMax: 2.5 },
  minima: [
    [0, Math.SQRT2],
    [0, -Math.SQRT2],
  ],
  minValue: -1,
  defaultStart: [-2, 0.02],
  value: (x, y) => x * x - y * y + y ** 4 / 4,
  gradient: (x, y) => [2 * x, -2 * y + y ** 3],
  tensor: (x, y) => {
    const y2 = y.mul(y);
    return x.mul(x).sub(y2).add(y2.mul(y2).mul(0.25));
  },
};

const BY_ID: Record<SurfaceId, Surface> = { rosenbrock, beale, quadratic, saddle };

/** The surface with this id. */
export function getSurface(id: SurfaceId): Surface {
  const s = BY_ID[id];
  if (s === undefined)
    throw new RangeError(`unknown surface '${String(id)}' (expected one of ${SURFACES.join(", ")})`);
  return s;
}

/** Whether (x, y) lies in the closed domain. */
export function inDomain(d: Domain, x: number, y: number): boolean {
  return x >= d.xMin && x <= d.xMax && y >= d.yMin && y <= d.yMax;
}
