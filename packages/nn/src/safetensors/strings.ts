/** String helpers shared by the safetensors reader and writer. */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `s` is valid Unicode (no lone surrogate), i.e. it has an exact UTF-8 encoding. */
export function isWellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/**
 * Order strings by Unicode code point, which is the byte order of their UTF-8 encodings and so the
 * order of Rust's `String` `Ord` used by the reference writer. (JavaScript's `<` compares UTF-16
 * code units, which disagrees for characters above U+FFFF versus U+E000..U+FFFF.)
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800..0xDFFF) encode code points above U+FFFF: they sort after every BMP unit.
    const xs = x >= 0xd800 && x <= 0xdfff ? x + 0x10000 : x;
    const ys = y >= 0xd800 && y <= 0xdfff ? y + 0x10000 : y;
    return xs - ys;
  }
  return a.length - b.length;
}
