import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32, encodePng } from "./png.js";

/** Splits a PNG into chunks, checking each CRC with `crc32`, which is itself checked below. */
function chunks(png: Uint8Array): { type: string; data: Uint8Array }[] {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: { type: string; data: Uint8Array }[] = [];
  let off = 8;
  while (off < png.length) {
    const len = v.getUint32(off);
    const type = String.fromCharCode(...png.subarray(off + 4, off + 8));
    const data = png.subarray(off + 8, off + 8 + len);
    expect(v.getUint32(off + 8 + len)).toBe(crc32(png.subarray(off + 4, off + 8 + len)));
    out.push({ type, data });
    off += 12 + len;
  }
  return out;
}

describe("PNG encoder", () => {
  it("crc32 matches the published check values", () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    // The CRC-32 "check" value of the catalogue of parametrised CRCs (CRC-32/ISO-HDLC).
    expect(crc32(enc("123456789"))).toBe(0xcbf43926);
    expect(crc32(enc(""))).toBe(0);
    expect(crc32(enc("The quick brown fox jumps over the lazy dog"))).toBe(0x414fa339);
    // CRC of the IEND chunk type, constant in every PNG file: AE 42 60 82.
    expect(crc32(enc("IEND"))).toBe(0xae426082);
  });

  it("writes signature, IHDR, IDAT and IEND; the pixels inflate back exactly", () => {
    const w = 3;
    const h = 2;
    const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37) % 256);
    const png = encodePng(w, h, rgb);
    expect(Array.from(png.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const cs = chunks(png);
    expect(cs.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
    expect(Array.from(cs[0].data)).toEqual([0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0, 0, 0]);
    const raw = inflateSync(cs[1].data);
    expect(raw.length).toBe(h * (1 + w * 3));
    for (let y = 0; y < h; y++) {
      expect(raw[y * (1 + w * 3)]).toBe(0); // filter: None
      expect(Array.from(raw.subarray(y * (1 + w * 3) + 1, (y + 1) * (1 + w * 3)))).toEqual(
        Array.from(rgb.subarray(y * w * 3, (y + 1) * w * 3)),
      );
    }
    expect(cs[2].data.length).toBe(0);
  });

  it("rejects a wrong buffer size or a bad image size", () => {
    expect(() => encodePng(2, 2, new Uint8Array(11))).toThrow(/expected 12 bytes for 2×2 RGB, got 11/);
    expect(() => encodePng(0, 2, new Uint8Array(0))).toThrow(/bad size/);
  });
});
