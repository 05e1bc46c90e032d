import { ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyph, textWidth } from "./font.js";

/** An RGB colour, each channel 0..255. */
export type Rgb = readonly [number, number, number];

/** Parses `#rrggbb`. */
export function hexToRgb(hex: string): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`hexToRgb: expected #rrggbb, got "${hex}"`);
  return [Number.parseInt(m[1], 16), Number.parseInt(m[2], 16), Number.parseInt(m[3], 16)];
}

/** A tiny RGB raster: anti-aliased thick lines, filled rectangles and 5×7 bitmap text. */
export class Canvas {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    this.data = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) this.data.set(background, i * 3);
  }

  /** Blends `color` into pixel (x, y) with coverage `alpha` ∈ [0, 1]; outside pixels are ignored. */
  blend(x: number, y: number, color: Rgb, alpha: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || alpha <= 0) return;
    const a = Math.min(1, alpha);
    const i = (y * this.width + x) * 3;
    for (let c = 0; c < 3; c++) this.data[i + c] = Math.round(this.data[i + c] * (1 - a) + color[c] * a);
  }

  /** The colour at (x, y). */
  pixel(x: number, y: number): Rgb {
    const i = (y * this.width + x) * 3;
    return [this.data[i], this.data[i + 1], this.data[i + 2]];
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let py = y0; py < y1; py++)
      for (let px = x0; px < x1; px++) this.data.set(color, (py * this.width + px) * 3);
  }

  /**
   * A line segment of thickness `width`, anti-aliased by coverage: each pixel centre at distance d
   * from the segment gets alpha = clamp(width/2 + 0.5 − d, 0, 1).
   */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, width = 1): void {
    const r = width / 2 + 0.5;
    const minX = Math.max(0, Math.floor(Math.min(x0, x1) - r));
    const maxX = Math.min(this.width - 1, Math.ceil(Math.max(x0, x1) + r));
    const minY = Math.max(0, Math.floor(Math.min(y0, y1) - r));
    const maxY = Math.min(this.height - 1, Math.ceil(Math.max(y0, y1) + r));
    const dx = x1 - x0;
    const dy = y1 - y0;
    const len2 = dx * dx + dy * dy;
    for (let py = minY; py <= maxY; py++) {
      for (let px = minX; px <= maxX; px++) {
        const cx = px + 0.5;
        const cy = py + 0.5;
        let t = len2 === 0 ? 0 : ((cx - x0) * dx + (cy - y0) * dy) / len2;
        t = Math.max(0, Math.min(1, t));
        const d = Math.hypot(cx - (x0 + t * dx), cy - (y0 + t * dy));
        const alpha = Math.min(1, r - d);
        if (alpha > 0) this.strongest(px, py, color, alpha);
      }
    }
  }

  /** A polyline through `points`; joints are drawn once (no double-blended dots). */
  polyline(points: readonly (readonly [number, number])[], color: Rgb, width = 1): void {
    this.coverage = new Map();
    for (let i = 1; i < points.length; i++) {
      this.line(points[i - 1][0], points[i - 1][1], points[i][0], points[i][1], color, width);
    }
    if (points.length === 1) this.line(points[0][0], points[0][1], points[0][0], points[0][1], color, width);
    this.flushCoverage(color);
  }

  private coverage: Map<number, number> | null = null;

  private strongest(x: number, y: number, color: Rgb, alpha: number): void {
    if (!this.coverage) {
      this.blend(x, y, color, alpha);
      return;
    }
    const k = y * this.width + x;
    const prev = this.coverage.get(k) ?? 0;
    if (alpha > prev) this.coverage.set(k, alpha);
  }

  private flushCoverage(color: Rgb): void {
    const cov = this.coverage;
    this.coverage = null;
    if (!cov) return;
    for (const [k, a] of cov) this.blend(k % this.width, Math.floor(k / this.width), color, a);
  }

  /** Draws `text` with its top-left corner at (x, y), each font pixel `scale` × `scale`. */
  text(text: string, x: number, y: number, color: Rgb, scale = 1): void {
    let cx = Math.round(x);
    const cy = Math.round(y);
    for (const ch of text) {
      const cols = glyph(ch);
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        for (let r = 0; r < GLYPH_HEIGHT; r++) {
          if ((cols[c] >> r) & 1) this.fillRect(cx + c * scale, cy + r * scale, scale, scale, color);
        }
      }
      cx += ADVANCE * scale;
    }
  }

  /** Text drawn rotated 90° counter-clockwise (reading bottom to top), its bottom-left at (x, y). */
  textVertical(text: string, x: number, y: number, color: Rgb, scale = 1): void {
    let cy = Math.round(y);
    const cx = Math.round(x);
    for (const ch of text) {
      const cols = glyph(ch);
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        for (let r = 0; r < GLYPH_HEIGHT; r++) {
          if ((cols[c] >> r) & 1) this.fillRect(cx + r * scale, cy - (c + 1) * scale, scale, scale, color);
        }
      }
      cy -= ADVANCE * scale;
    }
  }
}

export { textWidth };
