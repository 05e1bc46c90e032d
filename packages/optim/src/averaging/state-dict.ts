import type { FloatArray } from "../param.js";
import { decodeArray, encodeArray, type SavedArray } from "../state-dict.js";
import { show } from "../validate.js";

/**
 * The saved state of an `AveragedParams`: plain JSON (numbers exact, NaN/±Infinity/−0 as strings,
 * as in optimizer state dicts), so `JSON.parse(JSON.stringify(sd))` loads back bit-identically.
 * Like PyTorch's `AveragedModel.state_dict()` (the averaged parameters and `n_averaged`), it holds
 * no averaging function and no live parameter values.
 */
export interface AveragedParamsStateDict {
  format: typeof AVERAGED_PARAMS_FORMAT;
  version: typeof AVERAGED_PARAMS_VERSION;
  /** How many parameter values the averages hold (PyTorch's `n_averaged`). */
  nAveraged: number;
  /** One average per parameter, in the order the parameters were given. */
  averages: SavedArray[];
}

/** The `format` tag of an {@link AveragedParamsStateDict}. */
export const AVERAGED_PARAMS_FORMAT = "descent-averaged-params";
/** The version of the {@link AveragedParamsStateDict} layout written by this build. */
export const AVERAGED_PARAMS_VERSION = 1;

/** Encodes the averages and the count. */
export function encodeAveragedState(
  nAveraged: number,
  averages: readonly FloatArray[],
): AveragedParamsStateDict {
  return {
    format: AVERAGED_PARAMS_FORMAT,
    version: AVERAGED_PARAMS_VERSION,
    nAveraged,
    averages: averages.map(encodeArray),
  };
}

/**
 * Checks a whole saved state against the current averages (`like`: their number, lengths and
 * dtypes) and decodes it, or throws an error that names the field, without side effects. Saved
 * arrays are converted to the dtype of the current averages, as PyTorch's `load_state_dict` copies
 * into the existing parameters.
 */
export function decodeAveragedState(
  stateDict: unknown,
  like: readonly FloatArray[],
  where: string,
): { nAveraged: number; averages: FloatArray[] } {
  if (typeof stateDict !== "object" || stateDict === null || Array.isArray(stateDict)) {
    throw new TypeError(`${where}: expected a state dict object, got ${show(stateDict)}`);
  }
  const sd = stateDict as Record<string, unknown>;
  if (sd.format !== AVERAGED_PARAMS_FORMAT) {
    throw new TypeError(
      `${where}: format is ${show(sd.format)}, expected "${AVERAGED_PARAMS_FORMAT}" (not an AveragedParams state dict)`,
    );
  }
  if (sd.version !== AVERAGED_PARAMS_VERSION) {
    throw new RangeError(
      `${where}: version is ${show(sd.version)}, but this build reads version ${AVERAGED_PARAMS_VERSION}`,
    );
  }
  const n = sd.nAveraged;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${where}: nAveraged is ${show(n)}, expected a non-negative integer`);
  }
  const saved = sd.averages;
  if (!Array.isArray(saved)) {
    throw new TypeError(`${where}: averages is ${show(saved)}, expected an array`);
  }
  if (saved.length !== like.length) {
    throw new RangeError(
      `${where}: averages has ${saved.length} entries, but there are ${like.length} parameters`,
    );
  }
  const averages = saved.map((s, i) => decodeArray(s, like[i], `${where}: averages[${i}]`));
  return { nAveraged: n, averages };
}
