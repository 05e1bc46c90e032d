/**
 * The TF.js wrapper passes `@descent/optim`'s engine conformance kit on the cpu and wasm backends
 * and on the portable data path: TF.js variables trained through `DescentOptimizer.applyGradients`
 * follow the float32 trajectories of plain `Float32Array`s bit for bit, for every closure-free rule
 * of the catalog.
 */
import { describeConformance, type EngineAdapter } from "@descent/optim/testing";
import { beforeAll, describe, it } from "vitest";
import { tf, useBackend } from "./backends.testutil.js";
import { DescentOptimizer } from "./index.js";

function tfjsEngine(backend: "cpu" | "wasm", portable: boolean): EngineAdapter<tf.Variable> {
  return {
    name: `TF.js ${backend}${portable ? " (portable path)" : ""}`,
    dtypes: ["float32"],
    createParam: (values, { name, shape }) =>
      tf.variable(tf.tensor(values, [...shape], "float32"), true, name),
    readParam: (v) => v.dataSync() as Float32Array,
    disposeParams: (vs) => {
      for (const v of vs) v.dispose();
    },
    createOptimizer(groups, build) {
      if (Object.keys(groups[0].options).length > 0) throw new Error("group 0 takes the rule's options here");
      const variables = groups.flatMap((g) => g.params);
      const optimizer = new DescentOptimizer(build, {
        variables,
        groups: groups.slice(1).map((g) => ({ ...g.options, match: g.params.map((v) => v.name) })),
        portable,
      });
      return {
        optimizer: optimizer.descent,
        step(grads) {
          const named = variables.map((v, i) => {
            const g = grads[i];
            return { name: v.name, tensor: g === null ? null : tf.tensor(g, v.shape, "float32") };
          });
          const before = tf.memory().numTensors;
          optimizer.applyGradients(named as { name: string; tensor: tf.Tensor }[]);
          tf.dispose(named.flatMap((n) => (n.tensor === null ? [] : [n.tensor])));
          const made = tf.memory().numTensors - before + named.filter((n) => n.tensor !== null).length;
          if (made !== 0) throw new Error(`a step left ${made} tensors`);
          const { path, gradCopies, paramCopies } = optimizer.transfers;
          const updated = grads.filter((g) => g !== null).length;
          if (path !== (portable ? "portable" : backend) || paramCopies !== updated) {
            throw new Error(`unexpected transfers ${JSON.stringify(optimizer.transfers)}`);
          }
          if (!portable && gradCopies !== 0) throw new Error(`gradients were copied on ${backend}`);
        },
        stateDict: () => optimizer.stateDict(),
        loadStateDict: (state) => optimizer.loadStateDict(state),
        dispose: () => optimizer.dispose(),
      };
    },
  };
}

for (const [backend, portable] of [
  ["cpu", false],
  ["wasm", false],
  ["cpu", true],
] as const) {
  describe(`on ${backend}${portable ? ", portable path" : ""}`, () => {
    beforeAll(() => useBackend(backend));
    describeConformance(tfjsEngine(backend, portable), { describe, it });
  });
}
