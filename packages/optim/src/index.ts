export type { FloatArray, Param } from "./param.js";
