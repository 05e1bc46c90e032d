export type { FloatArray, Param } from "./param.js";
export * from "./schedulers/index.js";
export * from "./clip.js";
