/**
 * The simulated Windows environment a provider runs in.
 *
 * @module
 */
export { Machine, type MachineOptions, type Phase } from './core/machine';
export { createKernelServices, type ServiceFaults } from './core/services';
export { listChooser, firstChoice, type Chooser } from './core/scheduler';
export { BugCheck, HarnessError, type Violation } from './core/verifier';
export type { InterfaceVersion, ProviderRecord, ChannelRecord } from './core/netdma-interface';
export { versionNumber } from './core/netdma-interface';
export type { SimDevice } from './core/sim-device';
export type { DriverImageLoader } from './core/pnp-manager';
export { irpName } from './core/irp-names';
