/**
 * PyTorch's layout, rule by rule (its buffer and option names, taken from torch/optim/*.py), the
 * safetensors codec, the round trip through it, and the errors.
 */
import { describe, expect, it } from "vitest";
import {
  OPTIMIZER_CATALOG,
  type Optimizer,
  optimizerEntry,
  optionsFromValues,
  SGD,
  StepLR,
} from "../index.js";
import type { Param } from "../param.js";
import { loadPyTorchState, type PyTorchStateFiles, toPyTorchState } from "./index.js";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.js";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("safetensors codec", () => {
  it("writes the reference layout: u64 header length, compact JSON padded to 8 bytes, F64 before F32, names in order", () => {
    const bytes = encodeSafetensors(
      {
        b: { dtype: "F32", shape: [2], data: Float32Array.of(1.5, -2) },
        a: { dtype: "F32", shape: [], data: Float32Array.of(3) },
        z: { dtype: "F64", shape: [1, 1], data: Float64Array.of(0.1) },
      },
      { format: "pt" },
    );
    const header =
      '{"__metadata__":{"format":"pt"},"z":{"dtype":"F64","shape":[1,1],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[],"data_offsets":[8,12]},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}';
    const padded = Math.ceil(header.length / 8) * 8;
    expect(new DataView(bytes.buffer).getBigUint64(0, true)).toBe(BigInt(padded));
    expect(text(bytes.subarray(8, 8 + padded))).toBe(header.padEnd(padded, " "));
    const data = new DataView(bytes.buffer, 8 + padded);
    expect([
      data.getFloat64(0, true),
      data.getFloat32(8, true),
      data.getFloat32(12, true),
      data.getFloat32(16, true),
    ]).toEqual([0.1, 3, 1.5, -2]);
    expect(bytes.length).toBe(8 + padded + 20);
  });

  it("reads back every bit: NaN, −0, ±Infinity, subnormals", () => {
    const values = Float64Array.of(
      Number.NaN,
      -0,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      5e-324,
      -1 / 3,
    );
    const { tensors, metadata } = decodeSafetensors(
      encodeSafetensors({ x: { dtype: "F64", shape: [2, 3], data: values } }, { k: "v" }),
    );
    expect(metadata).toEqual({ k: "v" });
    expect(tensors.x.shape).toEqual([2, 3]);
    expect([...tensors.x.data].map((v, i) => Object.is(v, values[i]))).toEqual(new Array(6).fill(true));
  });

  const withHeader = (header: string, data = new Uint8Array(0)) => {
    const json = new TextEncoder().encode(header);
    const out = new Uint8Array(8 + json.length + data.length);
    new DataView(out.buffer).setUint32(0, json.length, true);
    out.set(json, 8);
    out.set(data, 8 + json.length);
    return out;
  };

  it.each([
    [new Uint8Array(3), "f: 3 bytes, too short for the 8-byte header length"],
    [withHeader("{").subarray(0, 8), "f: header length 1 runs past the end of the file (0 bytes follow it)"],
    [withHeader("[1]"), "f: the header is not a JSON object"],
    [withHeader("{x"), "f: the header is not UTF-8 JSON"],
    [
      withHeader('{"w":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}', new Uint8Array(2)),
      'f: tensor "w" has dtype "BF16"; optimizer state must be F32 or F64',
    ],
    [
      withHeader('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', new Uint8Array(4)),
      'f: tensor "w": data_offsets [0, 4] hold 4 bytes, but F32 [2] needs 8',
    ],
    [
      withHeader('{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', new Uint8Array(8)),
      'f: tensor "w" starts at byte 4 of the data, expected 0 (tensors must tile the data)',
    ],
    [
      withHeader('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(8)),
      "f: the tensors cover 4 bytes of data, but the file has 8",
    ],
    [
      withHeader('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}', new Uint8Array(4)),
      'f: tensor "w" has an unexpected key "extra"',
    ],
  ])("rejects a malformed file: %#", (bytes, message) => {
    expect(() => decodeSafetensors(bytes, "f")).toThrow(message);
  });
});

type P = Param & { shape?: number[] };
const param = (values: number[], shape?: number[]): P => ({
  data: Float64Array.from(values),
  grad: null,
  shape,
});

/** Catalog rule `id` (its defaults and `options`) over two parameters, stepped twice. */
function stepped(id: string, options: Record<string, unknown> = {}): { opt: Optimizer; params: P[] } {
  const params = [param([0.5, -0.25, 1, 2, -1, 0.75], [2, 3]), param([0.1, -0.3])];
  const entry = optimizerEntry(id);
  const opt = entry.create(params, { ...optionsFromValues(entry), ...options });
  for (const g of [0.3, -0.7]) {
    params.forEach((p, i) => {
      p.grad = { data: Float64Array.from(p.data, (_, j) => g * (j + 1) * (i + 1)) };
    });
    opt.step();
  }
  return { opt, params };
}

function tensorNames(files: PyTorchStateFiles): string[] {
  return Object.keys(decodeSafetensors(files.safetensors).tensors).sort();
}

// PyTorch's per-parameter state names and param_groups keys (torch/optim/*.py, 2.x), for the
// options each case sets. Only parameter 0's tensors are listed; parameter 1 has the same.
const LAYOUTS: [string, Record<string, unknown>, string[], string[]][] = [
  [
    "sgd",
    {},
    [],
    [
      "dampening",
      "differentiable",
      "foreach",
      "fused",
      "lr",
      "maximize",
      "momentum",
      "nesterov",
      "weight_decay",
    ],
  ],
  [
    "momentum",
    {},
    ["momentum_buffer"],
    [
      "dampening",
      "differentiable",
      "foreach",
      "fused",
      "lr",
      "maximize",
      "momentum",
      "nesterov",
      "weight_decay",
    ],
  ],
  [
    "adagrad",
    {},
    ["step", "sum"],
    [
      "differentiable",
      "eps",
      "foreach",
      "fused",
      "initial_accumulator_value",
      "lr",
      "lr_decay",
      "maximize",
      "weight_decay",
    ],
  ],
  [
    "rmsprop",
    { centered: true, momentum: 0.5 },
    ["grad_avg", "momentum_buffer", "square_avg", "step"],
    [
      "alpha",
      "capturable",
      "centered",
      "differentiable",
      "eps",
      "foreach",
      "lr",
      "maximize",
      "momentum",
      "weight_decay",
    ],
  ],
  [
    "adam",
    { amsgrad: true },
    ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"],
    [
      "amsgrad",
      "betas",
      "capturable",
      "decoupled_weight_decay",
      "differentiable",
      "eps",
      "foreach",
      "fused",
      "lr",
      "maximize",
      "weight_decay",
    ],
  ],
  [
    "adamw",
    {},
    ["exp_avg", "exp_avg_sq", "step"],
    [
      "amsgrad",
      "betas",
      "capturable",
      "decoupled_weight_decay",
      "differentiable",
      "eps",
      "foreach",
      "fused",
      "lr",
      "maximize",
      "weight_decay",
    ],
  ],
  [
    "nadam",
    {},
    ["exp_avg", "exp_avg_sq", "mu_product", "step"],
    [
      "betas",
      "capturable",
      "decoupled_weight_decay",
      "differentiable",
      "eps",
      "foreach",
      "lr",
      "maximize",
      "momentum_decay",
      "weight_decay",
    ],
  ],
  [
    "radam",
    {},
    ["exp_avg", "exp_avg_sq", "step"],
    [
      "betas",
      "capturable",
      "decoupled_weight_decay",
      "differentiable",
      "eps",
      "foreach",
      "lr",
      "maximize",
      "weight_decay",
    ],
  ],
  [
    "adamax",
    {},
    ["exp_avg", "exp_inf", "step"],
    ["betas", "capturable", "differentiable", "eps", "foreach", "lr", "maximize", "weight_decay"],
  ],
  [
    "adadelta",
    {},
    ["acc_delta", "square_avg", "step"],
    ["capturable", "differentiable", "eps", "foreach", "lr", "maximize", "rho", "weight_decay"],
  ],
  [
    "rprop",
    {},
    ["prev", "step", "step_size"],
    ["capturable", "differentiable", "etas", "foreach", "lr", "maximize", "step_sizes"],
  ],
  [
    "asgd",
    {},
    ["ax", "eta", "mu", "step"],
    ["alpha", "capturable", "differentiable", "foreach", "lambd", "lr", "maximize", "t0", "weight_decay"],
  ],
];

describe("toPyTorchState: PyTorch's names", () => {
  it("covers every classic torch.optim rule of the catalog but L-BFGS (not Adafactor, Muon, or rules torch.optim lacks)", () => {
    const covered = [
      "adadelta",
      "adagrad",
      "adam",
      "adamax",
      "adamw",
      "asgd",
      "momentum",
      "nadam",
      "radam",
      "rmsprop",
      "rprop",
      "sgd",
    ];
    expect([...new Set(LAYOUTS.map(([id]) => id))].sort()).toEqual(covered);
    for (const id of covered)
      expect(
        OPTIMIZER_CATALOG.some((e) => e.id === id),
        id,
      ).toBe(true);
  });

  it.each(LAYOUTS)("%s %j: state tensors %j", (id, options, names, groupKeys) => {
    const { opt } = stepped(id, options);
    const files = toPyTorchState(opt);
    expect(tensorNames(files)).toEqual(names.flatMap((n) => [`state.0.${n}`, `state.1.${n}`]).sort());
    expect(Object.keys(files.json.param_groups[0]).sort()).toEqual([...groupKeys, "params"].sort());
    expect(files.json.optimizer).toBe(opt.kind);
    expect(files.json.param_groups[0].params).toEqual([0, 1]);
    const { tensors, metadata } = decodeSafetensors(files.safetensors);
    expect(metadata).toEqual({ format: "pt" });
    for (const [name, t] of Object.entries(tensors)) {
      const scalar = /\.(step|eta|mu|mu_product)$/.test(name);
      expect([name, t.dtype, t.shape]).toEqual([
        name,
        scalar ? "F32" : "F64",
        scalar ? [] : name.startsWith("state.0.") ? [2, 3] : [2],
      ]);
    }
    if (names.includes("step")) expect(tensors["state.0.step"].data[0]).toBe(2);
  });

  it("pairs are lists (betas, etas, step_sizes); scheduler keys are snake_case (initial_lr)", () => {
    const { opt } = stepped("adam", { betas: [0.8, 0.95] });
    new StepLR(opt, { stepSize: 1 });
    const group = toPyTorchState(opt).json.param_groups[0];
    expect(group.betas).toEqual([0.8, 0.95]);
    expect(group.initial_lr).toBe(0.001);
    expect(group.weight_decay).toBe(0);
    expect(toPyTorchState(stepped("rprop").opt).json.param_groups[0].step_sizes).toEqual([1e-6, 50]);
  });

  it("shapes: the parameter's own, the option, or flat; a shape that does not fit is an error", () => {
    const a = param([1, 2, 3, 4]);
    const opt = new SGD([a, param([5], [1])], { lr: 0.1, momentum: 0.9 });
    a.grad = { data: Float64Array.of(1, 1, 1, 1) };
    opt.step();
    const shapes = (files: PyTorchStateFiles) =>
      Object.values(decodeSafetensors(files.safetensors).tensors).map((t) => t.shape);
    expect(shapes(toPyTorchState(opt))).toEqual([[4]]);
    expect(shapes(toPyTorchState(opt, { shapes: [[2, 2], [1]] }))).toEqual([[2, 2]]);
    expect(() => toPyTorchState(opt, { shapes: [[3, 2]] })).toThrow(
      "toPyTorchState: shape [3, 2] of parameter 0 does not fit its 4 elements",
    );
  });

  it("refuses L-BFGS, whose state is not per parameter", () => {
    const p = param([1]);
    const lbfgs = optimizerEntry("lbfgs").create([p], {});
    expect(() => toPyTorchState(lbfgs)).toThrow(
      /toPyTorchState: LBFGS has no state layout shared with torch.optim/,
    );
  });
});

describe("loadPyTorchState", () => {
  it.each(LAYOUTS)("%s %j: the state comes back as it left", (id, options) => {
    const { opt } = stepped(id, options);
    const fresh = stepped(id, options);
    const entry = optimizerEntry(id);
    const other = entry.create([param([0, 0, 0, 0, 0, 0], [2, 3]), param([0, 0])], {
      ...optionsFromValues(entry),
      ...options,
    });
    loadPyTorchState(other, toPyTorchState(opt));
    const want = opt.stateDict();
    if (opt.kind === "SGD") {
      // PyTorch's SGD counts no steps, and without momentum keeps no state at all.
      for (const [i, s] of Object.entries(want.state)) {
        if (s.momentumBuffer === undefined) delete want.state[i];
        else s.step = 0;
      }
    }
    expect(other.stateDict()).toEqual(want);
    expect(fresh.opt.stateDict()).toEqual(opt.stateDict());
  });

  it("takes the JSON as text; options PyTorch adds or lacks are dropped or filled", () => {
    const { opt } = stepped("radam");
    const files = toPyTorchState(opt);
    const group = { ...files.json.param_groups[0], param_names: ["a", "b"], fused: true } as Record<
      string,
      unknown
    >;
    delete group.maximize; // PyTorch 1.13's RAdam has no maximize, nor decoupled_weight_decay
    delete group.decoupled_weight_decay;
    const other = stepped("radam").opt;
    loadPyTorchState(other, {
      json: JSON.stringify({ ...files.json, param_groups: [group] }),
      safetensors: files.safetensors,
    });
    expect(other.paramGroups[0].maximize).toBe(false);
    expect(other.paramGroups[0].decoupledWeightDecay).toBe(false);
    expect(other.paramGroups[0]).not.toHaveProperty("paramNames");
    expect(other.paramGroups[0]).not.toHaveProperty("fused");
  });

  describe("errors name the file, the tensor and the value; nothing changes", () => {
    const { opt } = stepped("adam");
    const files = toPyTorchState(opt);
    const target = () => stepped("adam").opt;
    const retensor = (tensors: Parameters<typeof encodeSafetensors>[0]) => ({
      json: files.json,
      safetensors: encodeSafetensors(tensors),
    });
    const good = decodeSafetensors(files.safetensors).tensors;

    it.each([
      [
        "another class",
        () => ({ ...files, json: { ...files.json, optimizer: "SGD" } }),
        "loadPyTorchState: the state is for torch.optim.SGD, not Adam",
      ],
      [
        "another format",
        () => ({ ...files, json: { ...files.json, format: "x" } }),
        'loadPyTorchState: the JSON is not an optimizer state in PyTorch\'s layout (expected format "descent-pytorch-optimizer", got "x")',
      ],
      [
        "a newer version",
        () => ({ ...files, json: { ...files.json, version: 2 } }),
        "loadPyTorchState: unsupported version 2 (this build reads version 1)",
      ],
      [
        "broken JSON text",
        () => ({ ...files, json: "{" }),
        "loadPyTorchState: the JSON file is not valid JSON",
      ],
      [
        "a stray tensor",
        () =>
          retensor({
            ...good,
            "state.0.extra": { dtype: "F32", shape: [], data: Float32Array.of(1) },
            bogus: good["state.0.step"],
          }),
        'loadPyTorchState: tensor "bogus" is not named state.<parameter index>.<buffer>',
      ],
      [
        "a parameter index too large",
        () => retensor({ ...good, "state.2.exp_avg": good["state.1.exp_avg"] }),
        'loadPyTorchState: tensor "state.2.exp_avg": the optimizer has 2 parameters',
      ],
      [
        "a buffer of the wrong size",
        () => retensor({ ...good, "state.1.exp_avg": good["state.0.exp_avg"] }),
        'loadPyTorchState: tensor "state.1.exp_avg" has 6 elements, but parameter 1 has 2',
      ],
      [
        "a missing step",
        () => {
          const { "state.1.step": _, ...rest } = good;
          return retensor(rest);
        },
        "loadPyTorchState: parameter 1 has state but no state.1.step tensor",
      ],
      [
        "an unknown buffer",
        () => retensor({ ...good, "state.0.exp_avg_sqq": good["state.0.exp_avg"] }),
        /unknown buffer "expAvgSqq" \(did you mean expAvgSq\?\)/,
      ],
      [
        "a negative second moment",
        () =>
          retensor({
            ...good,
            "state.1.exp_avg_sq": { dtype: "F64", shape: [2], data: Float64Array.of(1, -1) },
          }),
        /expAvgSq must not be negative, but value 1 is -1/,
      ],
      [
        "a decoupled Adam",
        () => ({
          ...files,
          json: {
            ...files.json,
            param_groups: [{ ...files.json.param_groups[0], decoupled_weight_decay: true }],
          },
        }),
        "loadPyTorchState: param_groups[0] has decoupled_weight_decay true: that is AdamW's update, load it into AdamW",
      ],
      [
        "a corrupt file",
        () => ({ ...files, safetensors: files.safetensors.subarray(0, 20) }),
        /loadPyTorchState: the safetensors file: header length \d+ runs past the end of the file/,
      ],
    ] as const)("%s", (_, make, message) => {
      const o = target();
      const before = JSON.stringify(o.stateDict());
      expect(() => loadPyTorchState(o, make() as never)).toThrow(message);
      expect(JSON.stringify(o.stateDict())).toBe(before);
    });
  });
});
