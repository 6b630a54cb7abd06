// The lab's stack config moved to sim/lab-config.ts (the `anyvpc sim` command ships it); this
// re-export keeps the quick start's and the e2e tests' imports working.
export { labStackConfig, type LabConfig } from "../../sim/lab-config";
