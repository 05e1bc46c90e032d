/**
 * `@descent/optim`'s PyTorch hand-off writes its own small safetensors files (optim depends on
 * nothing); this package's reader, which makes every check of the reference implementation,
 * accepts them, and this package's writer produces the same bytes for the same tensors.
 */
import { Adam, RMSprop, toPyTorchState } from "@descent/optim";
import { tensor } from "@descent/tensor";
import { describe, expect, it } from "vitest";
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from "./safetensors.js";

describe("optimizer state files from @descent/optim", () => {
  it.each([
    ["Adam (float32 tensors, AMSGrad)", "float32"],
    ["RMSprop (float64 tensors, centered, momentum)", "float64"],
  ] as const)("%s: read by decodeSafetensors, byte-identical to encodeSafetensors", (_, dtype) => {
    const w = tensor(
      [
        [0.5, -1.5, 2],
        [0.25, 1, -0.75],
      ],
      { dtype, requiresGrad: true },
    );
    const b = tensor([0.1, -0.2], { dtype, requiresGrad: true });
    const opt =
      dtype === "float32"
        ? new Adam([w, b], { lr: 0.1, amsgrad: true })
        : new RMSprop([w, b], { lr: 0.1, centered: true, momentum: 0.5 });
    for (let t = 0; t < 3; t++) {
      opt.zeroGrad();
      w.mul(w)
        .sum()
        .add(b.mul(tensor([1, -3], { dtype })).sum())
        .backward();
      opt.step();
    }
    const bytes = toPyTorchState(opt).safetensors;
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ format: "pt" });
    const names = Object.keys(tensors).sort();
    expect(names).toContain("state.0.step");
    expect(tensors["state.0.step"]).toEqual({ dtype: "F32", shape: [], data: Float32Array.of(3) });
    const buffer = names.find((n) => n.startsWith("state.0.") && n !== "state.0.step") as string;
    expect(tensors[buffer].shape).toEqual([2, 3]);
    expect(tensors[buffer].dtype).toBe(dtype === "float32" ? "F32" : "F64");
    const again = encodeSafetensors(tensors as Record<string, SafetensorsTensor>, metadata);
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
  });
});
