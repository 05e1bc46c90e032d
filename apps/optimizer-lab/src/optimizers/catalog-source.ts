/**
 * Where the lab's rules come from: `@descent/optim`'s catalog. The lab reads it through this one
 * module so the browser tests can build the page with a wider catalog (`LAB_CATALOG=wide`, see
 * `vite.config.ts`) and check that every view copes with twenty rules it has never heard of.
 */
export { OPTIMIZER_CATALOG as SOURCE_CATALOG } from "@descent/optim";
