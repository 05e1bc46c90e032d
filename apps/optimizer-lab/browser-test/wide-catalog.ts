/**
 * The catalog of the browser tests' second build (`LAB_CATALOG=wide`): twenty rules, the package's
 * and two made up for tests, copied under new ids. It stands in for `src/optimizers/catalog-source.ts`
 * to show that every view reads its rules from the catalog and stays readable with many of them.
 */
import { wideCatalog } from "../src/optimizers/test-catalog.testutil.js";

export const SOURCE_CATALOG = wideCatalog(20);
