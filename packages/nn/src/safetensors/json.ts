/**
 * A strict, bounded JSON parser for safetensors headers.
 *
 * `JSON.parse` silently keeps the last of two duplicate keys and turns big integers into inexact
 * doubles; a header from an untrusted file needs both caught. This parser follows RFC 8259 and
 * additionally: rejects duplicate object keys, rejects lone UTF-16 surrogates in `\u` escapes (as
 * serde_json does when reading a Rust `String`), keeps numbers as their source text so the caller
 * can demand exact integers, and caps nesting depth so hostile input cannot exhaust the stack.
 */
import { SafetensorsError } from "./error.js";

/** A JSON number, kept as its source text. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
/** Objects keep key order and cannot collide with `Object.prototype` (`__proto__` is just a key). */
export type JsonObject = Map<string, JsonValue>;

/** Deepest nesting accepted; a safetensors header needs 3 (header → tensor → shape). */
export const MAX_JSON_DEPTH = 32;

export function parseJson(text: string): JsonValue {
  const p = new Parser(text);
  p.skipWs();
  const v = p.value(0);
  p.skipWs();
  if (p.i < text.length) p.fail("unexpected data after the JSON value");
  return v;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  fail(what: string): never {
    throw new SafetensorsError(`header is not valid JSON: ${what} at character ${this.i}`);
  }

  skipWs(): void {
    const s = this.s;
    let i = this.i;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
    this.i = i;
  }

  value(depth: number): JsonValue {
    if (this.i >= this.s.length) this.fail("unexpected end of input");
    const c = this.s[this.i];
    switch (c) {
      case "{":
        return this.object(depth + 1);
      case "[":
        return this.array(depth + 1);
      case '"':
        return this.string();
      case "t":
        return this.literal("true", true);
      case "f":
        return this.literal("false", false);
      case "n":
        return this.literal("null", null);
      default:
        if (c === "-" || (c >= "0" && c <= "9")) return this.number();
        return this.fail(`unexpected character ${JSON.stringify(c)}`);
    }
  }

  literal<T>(word: string, v: T): T {
    if (!this.s.startsWith(word, this.i)) this.fail("invalid literal");
    this.i += word.length;
    return v;
  }

  number(): JsonNumber {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (m === null) return this.fail("invalid number");
    this.i += m[0].length;
    return new JsonNumber(m[0]);
  }

  checkDepth(depth: number): void {
    if (depth > MAX_JSON_DEPTH) this.fail(`nesting deeper than ${MAX_JSON_DEPTH}`);
  }

  array(depth: number): JsonValue[] {
    this.checkDepth(depth);
    this.i++; // [
    const out: JsonValue[] = [];
    this.skipWs();
    if (this.s[this.i] === "]") {
      this.i++;
      return out;
    }
    for (;;) {
      this.skipWs();
      out.push(this.value(depth));
      this.skipWs();
      const c = this.s[this.i];
      if (c === ",") {
        this.i++;
        continue;
      }
      if (c === "]") {
        this.i++;
        return out;
      }
      this.fail("expected ',' or ']'");
    }
  }

  object(depth: number): JsonObject {
    this.checkDepth(depth);
    this.i++; // {
    const out: JsonObject = new Map();
    this.skipWs();
    if (this.s[this.i] === "}") {
      this.i++;
      return out;
    }
    for (;;) {
      this.skipWs();
      if (this.s[this.i] !== '"') this.fail("expected a string key");
      const keyAt = this.i;
      const key = this.string();
      if (out.has(key)) {
        this.i = keyAt;
        this.fail(`duplicate key ${JSON.stringify(key)}`);
      }
      this.skipWs();
      if (this.s[this.i] !== ":") this.fail("expected ':'");
      this.i++;
      this.skipWs();
      out.set(key, this.value(depth));
      this.skipWs();
      const c = this.s[this.i];
      if (c === ",") {
        this.i++;
        continue;
      }
      if (c === "}") {
        this.i++;
        return out;
      }
      this.fail("expected ',' or '}'");
    }
  }

  string(): string {
    const s = this.s;
    let i = this.i + 1; // skip the opening quote
    let out = "";
    let runStart = i;
    for (;;) {
      if (i >= s.length) {
        this.i = i;
        this.fail("unterminated string");
      }
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        out += s.slice(runStart, i);
        this.i = i + 1;
        return out;
      }
      if (c < 0x20) {
        this.i = i;
        this.fail("control character in string");
      }
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += s.slice(runStart, i);
      const e = s[i + 1];
      i += 2;
      switch (e) {
        case '"':
          out += '"';
          break;
        case "\\":
          out += "\\";
          break;
        case "/":
          out += "/";
          break;
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case "n":
          out += "\n";
          break;
        case "r":
          out += "\r";
          break;
        case "t":
          out += "\t";
          break;
        case "u": {
          const hi = this.hex4(i);
          i += 4;
          if (hi >= 0xd800 && hi <= 0xdbff) {
            const lo = s[i] === "\\" && s[i + 1] === "u" ? this.hex4(i + 2) : -1;
            if (lo < 0xdc00 || lo > 0xdfff) {
              this.i = i;
              this.fail("lone surrogate in \\u escape");
            }
            i += 6;
            out += String.fromCharCode(hi, lo);
          } else if (hi >= 0xdc00 && hi <= 0xdfff) {
            this.i = i;
            this.fail("lone surrogate in \\u escape");
          } else {
            out += String.fromCharCode(hi);
          }
          break;
        }
        default:
          this.i = i - 2;
          this.fail("invalid escape");
      }
      runStart = i;
    }
  }

  hex4(at: number): number {
    const h = this.s.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) {
      this.i = at;
      this.fail("invalid \\u escape");
    }
    return Number.parseInt(h, 16);
  }
}
