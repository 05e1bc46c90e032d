/**
 * The one error type of the safetensors reader and writer.
 *
 * `tensor` names the tensor the problem is about, when there is one, so a caller can report
 * "layers.0.weight: data_offsets ..." without parsing the message.
 */
export class SafetensorsError extends Error {
  readonly tensor: string | undefined;

  constructor(message: string, tensor?: string) {
    super(tensor === undefined ? `safetensors: ${message}` : `safetensors: tensor "${tensor}": ${message}`);
    this.name = "SafetensorsError";
    this.tensor = tensor;
  }
}
