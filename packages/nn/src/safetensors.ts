/**
 * Safetensors I/O: the tensor file format of PyTorch and Hugging Face, as plain bytes.
 * See `safetensors/encode.ts` and `safetensors/decode.ts` for the exact layout and checks.
 */

export type { DecodedSafetensors, DecodedTensor } from "./safetensors/decode.js";
export { decodeSafetensors } from "./safetensors/decode.js";
export type { DtypeArray, SafetensorsArray, SafetensorsDtype } from "./safetensors/dtype.js";
export { SUPPORTED_DTYPES } from "./safetensors/dtype.js";
export type { SafetensorsTensor } from "./safetensors/encode.js";
export { encodeSafetensors, MAX_HEADER_BYTES } from "./safetensors/encode.js";
export { SafetensorsError } from "./safetensors/error.js";
