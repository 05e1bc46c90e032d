import {
  Adam,
  AdamW,
  clipGradNorm,
  clipGradValue,
  loadPyTorchState,
  type Param,
  SGD,
  toPyTorchState,
} from "@descent/optim";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { tf, useBackend } from "./backends.testutil.js";
import { DescentOptimizer } from "./index.js";

type Plain = Param & { data: Float32Array; grad: { data: Float32Array } | null };

const X = [0.5, -1.2, 0.3, 2.0, -0.7, 0.9, 1.5, 0.1, -0.4, -2.2, 0.8, 1.1];
const Y = [1, 0, 0, 1, 1, 0, 0, 1];

let serial = 0;
/** A two-layer net's variables (uniquely named), with fixed initial values. */
function makeVariables(): { w1: tf.Variable; b1: tf.Variable; w2: tf.Variable; b2: tf.Variable } {
  const id = ++serial;
  const v = (values: number[], shape: number[], name: string) =>
    tf.variable(tf.tensor(values, shape), true, `net${id}/${name}`);
  return {
    w1: v([0.2, -0.5, 0.1, 0.7, -0.3, 0.4, 0.05, -0.6, 0.3, -0.2, 0.45, 0.15], [3, 4], "w1"),
    b1: v([0.01, -0.02, 0.03, 0], [4], "b1"),
    w2: v([0.3, -0.1, 0.2, 0.5, -0.4, 0.25, 0.1, -0.35], [4, 2], "w2"),
    b2: v([0, 0.05], [2], "b2"),
  };
}

function loss(v: ReturnType<typeof makeVariables>): tf.Scalar {
  return tf.tidy(() => {
    const h = tf.tanh(tf.add(tf.matMul(tf.tensor2d(X, [4, 3]), v.w1), v.b1));
    const logits = tf.add(tf.matMul(h, v.w2), v.b2);
    return tf.losses.softmaxCrossEntropy(tf.tensor2d(Y, [4, 2]), logits) as tf.Scalar;
  });
}

const plainOf = (v: tf.Variable): Plain => ({ data: Float32Array.from(v.dataSync()), grad: null });

const alive: tf.Variable[] = [];
afterEach(() => {
  for (const v of alive.splice(0)) v.dispose();
});
function track<T extends Record<string, tf.Variable>>(vars: T): T {
  alive.push(...Object.values(vars));
  return vars;
}

for (const backend of ["cpu", "wasm"] as const) {
  describe(`on the ${backend} backend`, () => {
    beforeAll(() => useBackend(backend));

    it.each([
      ["adam", { lr: 0.05, amsgrad: true }, (p: Param[]) => new Adam(p, { lr: 0.05, amsgrad: true })],
      ["adamw", { lr: 0.05, weightDecay: 0.1 }, (p: Param[]) => new AdamW(p, { lr: 0.05, weightDecay: 0.1 })],
      [
        "momentum",
        { lr: 0.1, nesterov: true },
        (p: Param[]) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true }),
      ],
    ] as const)(
      "%s through minimize follows @descent/optim on Float32Arrays bit for bit (TF.js's own gradients)",
      (rule, options, make) => {
        const v = track(makeVariables());
        const list = [v.w1, v.b1, v.w2, v.b2];
        const plain = list.map(plainOf);
        const reference = make(plain);
        const optimizer = new DescentOptimizer(rule, options, { variables: list });
        let first = 0;
        let last = 0;
        for (let t = 0; t < 60; t++) {
          // The gradients TF.js computes at the current values, fed to both.
          const { value, grads } = tf.variableGrads(() => loss(v), list);
          list.forEach((variable, i) => {
            plain[i].grad = { data: Float32Array.from(grads[variable.name].dataSync()) };
          });
          if (t === 0) first = value.dataSync()[0];
          last = value.dataSync()[0];
          optimizer.applyGradients(grads);
          reference.step();
          tf.dispose([value, ...Object.values(grads)]);
          list.forEach((variable, i) => {
            expect(variable.dataSync()).toEqual(plain[i].data);
          });
        }
        expect(last).toBeLessThan(first / 4);
        expect(optimizer.transfers).toEqual({
          path: backend,
          paramCopies: 4,
          gradCopies: 0,
          downloads: 0,
          uploads: 0,
        });
      },
    );

    it("the kernel reads the gradient where TF.js keeps it, and updates a buffer TF.js then adopts", () => {
      const v = track(makeVariables());
      const seen: { grad: Float32Array; data: Float32Array }[] = [];
      const optimizer = new DescentOptimizer(
        (groups) => {
          const sgd = new SGD(groups, { lr: 0.5 });
          const step = sgd.step.bind(sgd);
          sgd.step = () => {
            const p = sgd.paramGroups[0].params[0];
            seen.push({ grad: p.grad?.data as Float32Array, data: p.data as Float32Array });
            return step();
          };
          return sgd;
        },
        { variables: [v.w1] },
      );
      const grad = tf.onesLike(v.w1);
      optimizer.applyGradients({ [v.w1.name]: grad });
      const b = tf.backend() as unknown as {
        data?: { get(id: object): { values: Float32Array } };
        wasm?: { HEAPU8: Uint8Array };
      };
      const id = (t: tf.Tensor) => (t as unknown as { dataId: object }).dataId;
      if (backend === "cpu") {
        // The very arrays of TF.js's cpu backend: the gradient's, and the variable's new value.
        expect(seen[0].grad).toBe(b.data?.get(id(grad)).values);
        expect(seen[0].data).toBe(b.data?.get(id(v.w1)).values);
      } else {
        // Views of TF.js's WebAssembly heap.
        expect(seen[0].grad.buffer).toBe(b.wasm?.HEAPU8.buffer);
        expect(seen[0].data.buffer).toBe(b.wasm?.HEAPU8.buffer);
      }
      expect(v.w1.dataSync()[0]).toBe(Math.fround(0.2 - 0.5));
      grad.dispose();
    });

    it("no tensor leaks: tf.memory().numTensors is flat over 1000 minimize steps (with clipping)", () => {
      const v = track(makeVariables());
      const list = [v.w1, v.b1, v.w2, v.b2];
      const optimizer = new DescentOptimizer(
        "adamw",
        { lr: 0.01 },
        { variables: list, clipGradNorm: 1, clipGradValue: 5 },
      );
      const counts: number[] = [];
      for (let t = 0; t < 1000; t++) {
        optimizer.minimize(() => loss(v), false, list);
        if (t === 0 || t === 999) counts.push(tf.memory().numTensors);
      }
      expect(counts[1]).toBe(counts[0]);
      const cost = optimizer.minimize(() => loss(v), true, list) as tf.Scalar;
      expect(tf.memory().numTensors).toBe(counts[0] + 1);
      cost.dispose();
      optimizer.dispose();
      expect(tf.memory().numTensors).toBe(counts[0]);
    });

    it("never writes into a tensor it did not make: clones, and arrays from dataSync(), keep their values", () => {
      const v = track(makeVariables());
      const clone = v.w1.clone();
      const before = Float32Array.from(v.w1.dataSync());
      const read = v.w1.dataSync();
      const readCopy = Float32Array.from(read);
      const optimizer = new DescentOptimizer("sgd", { lr: 0.5 }, { variables: [v.w1] });
      const grad = tf.onesLike(v.w1);
      const gradValues = Float32Array.from(grad.dataSync());
      optimizer.applyGradients({ [v.w1.name]: grad });
      expect(clone.dataSync()).toEqual(before);
      expect(read).toEqual(readCopy);
      expect(grad.dataSync()).toEqual(gradValues);
      expect(v.w1.dataSync()[0]).toBe(Math.fround(before[0] - 0.5));
      tf.dispose([clone, grad]);
    });

    it("a failed step changes no variable and leaks nothing", () => {
      const v = track(makeVariables());
      const optimizer = new DescentOptimizer("adam", {}, { variables: [v.w1, v.b1] });
      const before = tf.memory().numTensors;
      const values = Float32Array.from(v.w1.dataSync());
      const g1 = tf.fill([3, 4], 0.5);
      const g2 = tf.tensor1d([0, Number.NaN, 0, 0]);
      expect(() => optimizer.applyGradients({ [v.w1.name]: g1, [v.b1.name]: g2 })).toThrow(
        `Adam.step: non-finite gradient (NaN at element 1) for variable "${v.b1.name}" (param 1 in param group 0); nothing was updated`,
      );
      expect(v.w1.dataSync()).toEqual(values);
      tf.dispose([g1, g2]);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}

describe("DescentOptimizer", () => {
  beforeAll(() => useBackend("cpu"));

  it("param groups by variable name: biases without weight decay, as plain AdamW with the same groups", () => {
    const v = track(makeVariables());
    const list = [v.w1, v.b1, v.w2, v.b2];
    const optimizer = new DescentOptimizer(
      "adamw",
      { lr: 0.02, weightDecay: 0.3 },
      { variables: list, groups: [{ match: /\/b\d$/, weightDecay: 0, lr: 0.01 }] },
    );
    expect(optimizer.variableNames).toEqual([v.w1.name, v.w2.name, v.b1.name, v.b2.name]);
    expect(optimizer.paramGroups.map((g) => [g.weightDecay, g.lr, g.params.length])).toEqual([
      [0.3, 0.02, 2],
      [0, 0.01, 2],
    ]);
    const plain = [v.w1, v.w2, v.b1, v.b2].map(plainOf);
    const reference = new AdamW(
      [{ params: plain.slice(0, 2) }, { params: plain.slice(2), weightDecay: 0, lr: 0.01 }],
      {
        lr: 0.02,
        weightDecay: 0.3,
      },
    );
    for (let t = 0; t < 20; t++) {
      const { value, grads } = tf.variableGrads(() => loss(v), list);
      [v.w1, v.w2, v.b1, v.b2].forEach((variable, i) => {
        plain[i].grad = { data: Float32Array.from(grads[variable.name].dataSync()) };
      });
      optimizer.applyGradients(grads);
      reference.step();
      tf.dispose([value, ...Object.values(grads)]);
    }
    [v.w1, v.w2, v.b1, v.b2].forEach((variable, i) => {
      expect(variable.dataSync()).toEqual(plain[i].data);
    });
  });

  it("clipGradValue then clipGradNorm, as @descent/optim's functions on the same gradients", () => {
    const v = track(makeVariables());
    const list = [v.w1, v.b1];
    const optimizer = new DescentOptimizer(
      "sgd",
      { lr: 0.1 },
      { variables: list, clipGradNorm: 0.05, clipGradValue: 0.04 },
    );
    const plain = list.map(plainOf);
    const reference = new SGD(plain, { lr: 0.1 });
    const g1 = tf.tensor2d([0.3, -0.02, 0.01, 0.5, -0.6, 0.02, 0.03, 0.04, -0.01, 0, 0.2, -0.03], [3, 4]);
    const g2 = tf.tensor1d([0.1, -0.2, 0.001, 0]);
    plain[0].grad = { data: Float32Array.from(g1.dataSync()) };
    plain[1].grad = { data: Float32Array.from(g2.dataSync()) };
    clipGradValue(plain, 0.04);
    const norm = clipGradNorm(plain, 0.05);
    reference.step();
    optimizer.applyGradients([
      { name: v.w1.name, tensor: g1 },
      { name: v.b1.name, tensor: g2 },
    ]);
    expect(optimizer.lastGradNorm).toBe(norm);
    expect(norm).toBeGreaterThan(0.05); // the norm clipping did scale
    expect(v.w1.dataSync()).toEqual(plain[0].data);
    expect(v.b1.dataSync()).toEqual(plain[1].data);
    expect(g1.dataSync()[0]).toBeCloseTo(0.3, 7); // TF.js's gradient is not clipped in place
    expect(optimizer.transfers.gradCopies).toBe(2);
    tf.dispose([g1, g2]);
  });

  it("binds at the first step when no variables are given, and skips variables without a gradient", () => {
    const v = track(makeVariables());
    const optimizer = new DescentOptimizer("adam", { lr: 0.1 });
    expect(optimizer.isBound).toBe(false);
    expect(() => optimizer.paramGroups).toThrow(
      "DescentOptimizer.paramGroups: the optimizer has no variables yet; give them (settings.variables, or bind(model)) or take one step first",
    );
    const g = tf.onesLike(v.w1);
    const b1 = Float32Array.from(v.b1.dataSync());
    optimizer.applyGradients([
      { name: v.w1.name, tensor: g },
      { name: v.b1.name, tensor: null as unknown as tf.Tensor },
    ]);
    expect(optimizer.variableNames).toEqual([v.w1.name, v.b1.name]);
    expect(optimizer.stateDict().state).toHaveProperty("0");
    expect(optimizer.stateDict().state).not.toHaveProperty("1");
    expect(v.b1.dataSync()).toEqual(b1);
    expect(optimizer.iterations).toBe(1);
    g.dispose();
  });

  it("a state saved by plain @descent/optim resumes in the wrapper, and back", () => {
    const v = track(makeVariables());
    const plain = [plainOf(v.w1)];
    const reference = new Adam(plain, { lr: 0.1, betas: [0.8, 0.9] });
    const grads = [0.3, -0.1, 0.2].map((s) => Float32Array.from({ length: 12 }, (_, i) => s * (i - 5.5)));
    plain[0].grad = { data: grads[0] };
    reference.step();
    const optimizer = new DescentOptimizer("adam", { lr: 0.1, betas: [0.8, 0.9] }, { variables: [v.w1] });
    v.w1.assign(tf.tensor(plain[0].data.slice(), [3, 4])); // a copy: on cpu, tf.tensor keeps the array
    optimizer.loadStateDict(JSON.parse(JSON.stringify(reference.stateDict())));
    for (const g of grads.slice(1)) {
      plain[0].grad = { data: g };
      reference.step();
      const t = tf.tensor(g, [3, 4]);
      optimizer.applyGradients({ [v.w1.name]: t });
      t.dispose();
    }
    expect(v.w1.dataSync()).toEqual(plain[0].data);
    expect(optimizer.stateDict()).toEqual(reference.stateDict());
  });

  it("hands its state to PyTorch's layout with the variables' shapes, and takes one back", () => {
    const v = track(makeVariables());
    const list = [v.w1, v.b1];
    const optimizer = new DescentOptimizer("adam", { lr: 0.1 }, { variables: list });
    optimizer.minimize(() => loss(v), false, list);
    const files = toPyTorchState(optimizer.descent);
    const header = new TextDecoder().decode(files.safetensors.subarray(8, 400));
    expect(header).toContain('"state.0.exp_avg":{"dtype":"F32","shape":[3,4]');
    expect(header).toContain('"state.1.exp_avg":{"dtype":"F32","shape":[4]');
    const other = new DescentOptimizer("adam", { lr: 0.1 }, { variables: list });
    loadPyTorchState(other.descent, files);
    expect(other.stateDict()).toEqual(optimizer.stateDict());
  });

  describe("errors name the variable", () => {
    it("a gradient of the wrong shape or dtype", () => {
      const v = track(makeVariables());
      const optimizer = new DescentOptimizer("adam", {}, { variables: [v.w1] });
      const wrong = tf.zeros([4, 3]);
      const ints = tf.zeros([3, 4], "int32");
      expect(() => optimizer.applyGradients({ [v.w1.name]: wrong })).toThrow(
        `DescentOptimizer.applyGradients: variable "${v.w1.name}" has shape [3,4], but its gradient has shape [4,3]`,
      );
      expect(() => optimizer.applyGradients({ [v.w1.name]: ints })).toThrow(
        `DescentOptimizer.applyGradients: variable "${v.w1.name}": its gradient has dtype int32, expected float32`,
      );
      tf.dispose([wrong, ints]);
    });

    it("a variable the optimizer does not train, a disposed one, an int32 one", () => {
      const v = track(makeVariables());
      const optimizer = new DescentOptimizer("adam", {}, { variables: [v.w1] });
      const g = tf.zeros([4]);
      expect(() => optimizer.applyGradients({ [v.b1.name]: g })).toThrow(
        `DescentOptimizer.applyGradients: variable "${v.b1.name}" is not one of this optimizer's (${v.w1.name})`,
      );
      const lonely = tf.variable(tf.zeros([4]), true, `lonely${serial}`);
      const other = new DescentOptimizer("adam", {}, { variables: [lonely] });
      lonely.dispose();
      expect(() => other.applyGradients({ [`lonely${serial}`]: g })).toThrow(
        `DescentOptimizer: no variable named "lonely${serial}" is registered with TensorFlow.js (was it disposed?)`,
      );
      const counter = tf.variable(tf.zeros([2], "int32"), true, `counter${serial}`);
      expect(() => new DescentOptimizer("sgd", {}, { variables: [counter] })).toThrow(
        `DescentOptimizer: variable "counter${serial}" has dtype int32; Descent optimizers update float32 variables`,
      );
      counter.dispose();
      g.dispose();
    });

    it("a state dict for other shapes names the variable of the parameter index", () => {
      const v = track(makeVariables());
      const a = new DescentOptimizer("adam", {}, { variables: [v.w1, v.b1] });
      const b = new DescentOptimizer("adam", {}, { variables: [v.w1, v.w2] });
      const g1 = tf.onesLike(v.w1);
      const g2 = tf.onesLike(v.b1);
      a.applyGradients({ [v.w1.name]: g1, [v.b1.name]: g2 });
      expect(() => b.loadStateDict(a.stateDict())).toThrow(
        `Adam.loadStateDict: state of parameter 1 (variable "${v.w2.name}") (param group 0): expAvg has 4 values, but the parameter has 8 elements`,
      );
      tf.dispose([g1, g2]);
    });
  });

  describe("construction checks everything at once", () => {
    it("rules, options and settings", () => {
      expect(() => new DescentOptimizer("adamm")).toThrow(
        /unknown optimizer "adamm" \(did you mean adam\?\)/,
      );
      expect(() => new DescentOptimizer("lbfgs")).toThrow(
        "DescentOptimizer: L-BFGS needs a closure that re-evaluates the loss several times per step",
      );
      expect(() => new DescentOptimizer("adam", { lr: -1 })).toThrow("Invalid learning rate: -1");
      expect(() => new DescentOptimizer("adam", { weight_decay: 0.1 })).toThrow(
        'Adam: unknown option "weight_decay" (did you mean weightDecay?)',
      );
      expect(() => new DescentOptimizer("adam", {}, { clipNorm: 1 } as never)).toThrow(
        'DescentOptimizer: unknown setting "clipNorm" (settings: variables, groups, clipGradNorm, clipGradValue, portable; the rule\'s options go in the second argument)',
      );
      expect(() => new DescentOptimizer("adam", {}, { clipGradNorm: -1 })).toThrow(
        "DescentOptimizer: clipGradNorm must be a non-negative number, got -1",
      );
      expect(() => new DescentOptimizer("adam", {}, { groups: [{ match: /x/, betas: [2, 0.9] }] })).toThrow(
        "Invalid beta parameter at index 0: 2",
      );
    });

    it("a group that matches no variable", () => {
      const v = track(makeVariables());
      expect(
        () =>
          new DescentOptimizer(
            "adam",
            {},
            { variables: [v.w1, v.b1], groups: [{ match: /bias$/, weightDecay: 0 }] },
          ),
      ).toThrow(`groups[0].match /bias$/ matches none of the variables (${v.w1.name}, ${v.b1.name})`);
    });
  });
});
