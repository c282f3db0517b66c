/**
 * The simulated Windows environment a provider runs in, one folder per component as a driver
 * author knows them from the WDK's routine prefixes: `api/` (what a provider sees), `ke/`, `ex/`,
 * `ob/`, `io/`, `pnp/`, `po/`, `hal/`, `netdma/`, `verifier/`, and `machine/`, which wires them together.
 * The NetDMA client is not here: it is the test's side of the contract (`src/client/`).
 *
 * @module
 */
export { Machine, type MachineOptions, type Phase } from './machine/machine';
export { createKernelServices, type ServiceFaults } from './machine/services';
export { listChooser, firstChoice, type Chooser } from './ke/scheduler';
export { BugCheck, HarnessError, type Violation } from './verifier/verifier';
export type { InterfaceVersion, ProviderRecord, ChannelRecord } from './netdma/netdma-interface';
export { versionNumber } from './netdma/netdma-interface';
export type { SimDevice } from './hal/sim-device';
export type { DriverImageLoader } from './pnp/pnp-manager';
export { irpName } from './io/irp-names';
export { PowerManager, deviceStateName, type RequestedPowerIrp } from './po/power-manager';
export { busPowerKey } from './hal/sim-device';
export {
  LowResources,
  LOW_RESOURCE_SERVICES,
  LOW_RESOURCE_WHERE,
  lowResourceFaultLabel,
  type LowResourceFault,
  type LowResourceService,
  type LowResourceWhere,
  type LowResourceSituation,
} from './verifier/low-resources';
export type { InterruptMode } from './ke/context';
