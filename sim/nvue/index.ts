// Public surface of the NVUE switch simulator and the fabric reachability model.
export type { ConfigTree } from "./tree";
export {
  startNvueSimulator,
  type NvueFaultRule,
  type NvueRequestLogEntry,
  type NvueSimKnobs,
  type NvueSimulator,
  type StartNvueSimulatorOptions,
  type SwitchSpec,
} from "./server";
export { canReach, gatewayVrf, type Endpoint, type Reachability, type ServerPort } from "./fabric-model";
export { validateConfig, type ValidationIssue } from "./validate";
export { NVUE_PATHS, checkPatch, rowFor, type NvuePathRow, type NvueValueType } from "./paths";
export { childTree, keysOf } from "./tree";
export { canReachVip, canReachVipFromOutside, type VipReach, type VipTarget } from "./vip";
