/**
 * What a candidate provider may import: the simulated kernel's API with the WDK's names, and the
 * copy engine's register map and descriptor layout (what a driver's registers.h / hw.h would hold).
 *
 * A candidate module's default export is a {@link DriverImageLoader}: given the kernel services,
 * it builds a fresh driver image and returns its DriverEntry. Nothing may be shared between loads.
 *
 * @module
 */
import type { KernelServices } from './kernel/api/services';
import type { DRIVER_INITIALIZE } from './kernel/api/wdm';

export * from './kernel/api';
export {
  CHANCMD,
  CHANCTRL,
  CHANERR,
  CHANNEL_REGISTERS,
  DCACTRL,
  GENERAL_REGISTERS,
  INTRCTRL,
  REGISTER_BLOCK_SIZE,
  CHANSTS_ADDRESS_MASK,
  CHANSTS_STATE_MASK,
} from './hardware/registers';
export * from './hardware/hw';

/** A candidate driver image: given the kernel services, returns its DriverEntry. */
export type DriverImageLoader = (services: KernelServices) => DRIVER_INITIALIZE;
