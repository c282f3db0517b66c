/**
 * All rule data of the catalog, in family order, as one `as const` array so that rule ids
 * stay literal types. Validate it through `spec/index.ts` (`RULES`), not here.
 * @packageDocumentation
 */
import { DRIVER_ENTRY_RULES } from './driver-entry';
import { ADD_DEVICE_RULES } from './add-device';
import { REGISTER_RULES } from './register';
import { FILTER_RESOURCES_RULES } from './filter-resources';
import { START_RULES } from './start';
import { STOP_RULES } from './stop';
import { REMOVE_RULES } from './remove';
import { SURPRISE_REMOVAL_RULES } from './surprise-removal';
import { UNLOAD_RULES } from './unload';
import { POWER_RULES } from './power';
import { SYSTEM_POWER_RULES } from './system-power';
import { IRQL_RULES } from './irql';
import { IRP_RULES } from './irp';
import { PNP_SURFACE_RULES } from './pnp-surface';
import { KERNEL_API_RULES } from './kernel-api';
import { KERNEL_SERVICES_RULES } from './kernel-services';
import { CHANNEL_RULES } from './channel';
import { DATA_PATH_RULES } from './data-path';
import { INTERRUPT_RULES } from './interrupt';
import { DCA_RULES } from './dca';
import { ENGINE_TIMING_RULES } from './engine-timing';
import { HISTORY_ADD_DEVICE_RULES, HISTORY_REMOVE_RULES, HISTORY_DATA_PATH_RULES, HISTORY_INTERRUPT_RULES } from './history';
import { LOW_RESOURCES_RULES } from './low-resources';
import { MACHINE_RULES } from './machine';

/** Unvalidated rule data of every family, concatenated in `RULE_FAMILIES` order. */
export const RULE_DATA = [
  ...DRIVER_ENTRY_RULES,
  ...ADD_DEVICE_RULES,
  ...HISTORY_ADD_DEVICE_RULES,
  ...REGISTER_RULES,
  ...FILTER_RESOURCES_RULES,
  ...START_RULES,
  ...STOP_RULES,
  ...REMOVE_RULES,
  ...HISTORY_REMOVE_RULES,
  ...SURPRISE_REMOVAL_RULES,
  ...UNLOAD_RULES,
  ...POWER_RULES,
  ...SYSTEM_POWER_RULES,
  ...IRQL_RULES,
  ...IRP_RULES,
  ...PNP_SURFACE_RULES,
  ...KERNEL_API_RULES,
  ...KERNEL_SERVICES_RULES,
  ...CHANNEL_RULES,
  ...ENGINE_TIMING_RULES,
  ...DATA_PATH_RULES,
  ...HISTORY_DATA_PATH_RULES,
  ...MACHINE_RULES,
  ...INTERRUPT_RULES,
  ...HISTORY_INTERRUPT_RULES,
  ...DCA_RULES,
  ...LOW_RESOURCES_RULES,
] as const;

export {
  DRIVER_ENTRY_RULES,
  ADD_DEVICE_RULES,
  REGISTER_RULES,
  FILTER_RESOURCES_RULES,
  START_RULES,
  STOP_RULES,
  REMOVE_RULES,
  SURPRISE_REMOVAL_RULES,
  UNLOAD_RULES,
  POWER_RULES,
  SYSTEM_POWER_RULES,
  IRQL_RULES,
  IRP_RULES,
  PNP_SURFACE_RULES,
  KERNEL_API_RULES,
  KERNEL_SERVICES_RULES,
  CHANNEL_RULES,
  DATA_PATH_RULES,
  INTERRUPT_RULES,
  DCA_RULES,
  ENGINE_TIMING_RULES,
  LOW_RESOURCES_RULES,
};
