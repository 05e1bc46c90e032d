import type { serialization } from "@tensorflow/tfjs-core";
import type { GroupSpec, VariableMatcher } from "./groups.js";
import { show } from "./show.js";

/** What a serialized {@link DescentOptimizer} is rebuilt from. */
export interface DescentConfig {
  rule: string;
  options: Record<string, unknown>;
  groups: GroupSpec[];
  clipGradNorm?: number;
  clipGradValue?: number;
}

// TF.js's model loader camel-cases every string that contains "_" in a training config
// (`convertPythonicToTs`); strings are therefore stored with "%" and "_" percent-encoded.
const encodeString = (s: string): string => s.replace(/%/g, "%25").replace(/_/g, "%5F");
const decodeString = (s: string): string => s.replace(/%5F/g, "_").replace(/%25/g, "%");

function encodeValue(value: unknown, where: string): serialization.ConfigDictValue {
  if (value === null || typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "string") return encodeString(value);
  if (Array.isArray(value)) return value.map((v, i) => encodeValue(v, `${where}[${i}]`)) as never;
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: serialization.ConfigDict = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeValue(v, `${where}.${k}`);
    return out;
  }
  throw new TypeError(`DescentOptimizer.getConfig: ${where} is ${show(value)}, which cannot be serialized`);
}

function decodeValue(value: unknown): unknown {
  if (typeof value === "string") return decodeString(value);
  if (Array.isArray(value)) return value.map(decodeValue);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeValue(v)]));
  }
  return value;
}

function encodeMatch(match: VariableMatcher, where: string): serialization.ConfigDict {
  if (match instanceof RegExp) return { pattern: encodeString(match.source), flags: match.flags };
  if (typeof match === "string") return { name: encodeString(match) };
  if (Array.isArray(match)) return { names: match.map((m) => encodeString(String(m))) };
  throw new TypeError(
    `DescentOptimizer.getConfig: ${where}.match is a function, which cannot be serialized; use a RegExp or names`,
  );
}

function decodeMatch(saved: unknown, where: string): VariableMatcher {
  const m = decodeValue(saved) as { pattern?: string; flags?: string; name?: string; names?: string[] };
  if (typeof m?.pattern === "string") return new RegExp(m.pattern, m.flags ?? "");
  if (typeof m?.name === "string") return m.name;
  if (Array.isArray(m?.names)) return m.names;
  throw new TypeError(`DescentOptimizer.fromConfig: ${where}.match is ${show(saved)}`);
}

/** The config TF.js stores for a {@link DescentOptimizer}. */
export function encodeConfig(config: {
  rule: string;
  options: Readonly<Record<string, unknown>>;
  groups: readonly GroupSpec[];
  clipGradNorm: number | undefined;
  clipGradValue: number | undefined;
}): serialization.ConfigDict {
  const out: serialization.ConfigDict = {
    rule: encodeString(config.rule),
    options: encodeValue(config.options, "options"),
    groups: config.groups.map(({ match, ...options }, g) => ({
      match: encodeMatch(match, `groups[${g}]`),
      options: encodeValue(options, `groups[${g}]`),
    })),
  };
  if (config.clipGradNorm !== undefined) out.clipGradNorm = config.clipGradNorm;
  if (config.clipGradValue !== undefined) out.clipGradValue = config.clipGradValue;
  return out;
}

/** Inverse of {@link encodeConfig} (ignores the `customObjects` key TF.js adds). */
export function decodeConfig(config: serialization.ConfigDict): DescentConfig {
  if (typeof config?.rule !== "string") {
    throw new TypeError(`DescentOptimizer.fromConfig: the config has no rule (got ${show(config?.rule)})`);
  }
  const groups = (Array.isArray(config.groups) ? config.groups : []).map((g, i) => {
    const saved = g as { match?: unknown; options?: unknown };
    return {
      ...(decodeValue(saved.options ?? {}) as Record<string, unknown>),
      match: decodeMatch(saved.match, `groups[${i}]`),
    };
  });
  return {
    rule: decodeString(config.rule),
    options: decodeValue(config.options ?? {}) as Record<string, unknown>,
    groups,
    clipGradNorm: typeof config.clipGradNorm === "number" ? config.clipGradNorm : undefined,
    clipGradValue: typeof config.clipGradValue === "number" ? config.clipGradValue : undefined,
  };
}
