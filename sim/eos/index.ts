// Public surface of the Arista EOS eAPI simulator.
export {
  startEosSimulator,
  type EosFaultRule,
  type EosRequestLogEntry,
  type EosSimKnobs,
  type EosSimulator,
  type StartEosSimulatorOptions,
} from "./server";
export {
  baselineConfig,
  type AclEntry,
  type BgpVlanConfig,
  type BgpVrfConfig,
  type EosSwitchSpec,
  type EthernetConfig,
  type RouterBgpConfig,
  type RunningConfig,
  type StaticRoute,
  type SviConfig,
  type VxlanConfig,
} from "./model";
export { renderRunningConfig } from "./render";
export { IMPLICIT_DENY_RULE, NO_EXPORTS, NO_IMPORTS, nvueViewOf } from "./fabric-view";
