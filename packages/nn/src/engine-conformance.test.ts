/**
 * `@descent/tensor` tensors pass `@descent/optim`'s engine conformance kit: tensors made by
 * `tensor(...)`, gradients left by a real backward pass (of Σ g·w, whose gradient is g exactly),
 * the optimizers run on the tensors themselves.
 */
import { describeConformance, paramEngine } from "@descent/optim/testing";
import { type Tensor, tensor } from "@descent/tensor";
import { describe, it } from "vitest";

const tensors = paramEngine<Tensor>({
  name: "@descent/tensor",
  dtypes: ["float32", "float64"],
  createParam: (values, { shape, dtype }) => tensor(values, { shape, dtype, requiresGrad: true }),
  setGrad: (w, grad) => {
    w.grad = null;
    if (grad === null) return;
    w.mul(tensor(grad, { shape: w.shape, dtype: w.dtype }))
      .sum()
      .backward();
  },
});

describeConformance(tensors, { describe, it });
