// Every property test in the repository runs from one fixed seed, so a run is reproducible and a
// failure seen once is seen again. FC_SEED=<integer> explores another part of the input space
// (fast-check prints the seed and path of any counterexample it finds).
import fc from "fast-check";

const fromEnv = process.env.FC_SEED;
const seed = fromEnv === undefined || fromEnv === "" ? 20261202 : Number(fromEnv);
if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED=${fromEnv}: expected an integer`);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
