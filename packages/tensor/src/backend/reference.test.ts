import { describeBackendConformance } from "./conformance.testutil.js";
import { referenceBackend } from "./reference.js";

describeBackendConformance(referenceBackend);
