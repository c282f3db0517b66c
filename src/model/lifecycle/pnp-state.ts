import type { DevicePowerName } from './events';

/**
 * The PnP states of F100 as the model tracks them for one device, joined to what the model
 * expects of the provider in each.
 */
export type PnpState =
  | 'Added' // AddDevice done, not started (or removed-and-re-added never happens: a new device is a new state)
  | 'Started'
  | 'StopPending'
  | 'Stopped'
  | 'RemovePending'
  | 'SurpriseRemoved'
  | 'StartFailed'
  | 'Removed';

/** Every PnP state, for coverage tables and diagrams. */
export const PNP_STATES: readonly PnpState[] = ['Added', 'Started', 'StopPending', 'Stopped', 'RemovePending', 'SurpriseRemoved', 'StartFailed', 'Removed'];

/** The model's view of one device and its provider. */
export interface DeviceModel {
  readonly pnp: PnpState;
  /** The device power state the model last sent (D1 and D2: idled by the power-policy owner). */
  readonly power: DevicePowerName;
  /** The state QUERY_REMOVE came from, restored by CANCEL_REMOVE. */
  readonly beforeRemovePending: PnpState | null;
  /** NetDmaProviderStart called and not yet NetDmaProviderStop. */
  readonly providerStarted: boolean;
  /** The provider is registered (not yet deregistered). */
  readonly providerRegistered: boolean;
  /** PowerDown notified and PowerUp not yet (1.1+ providers). */
  readonly poweredDownNotified: boolean;
  /**
   * Paging, hibernation and dump files on the device's path (counts, in `DEVICE_USAGE_NOTIFICATION_TYPE`
   * order Paging, Hibernation, DumpFile): DEVICE_USAGE_NOTIFICATION(InPath TRUE) IRPs that succeeded,
   * less those with InPath FALSE. While any is non-zero the FDO fails QUERY_STOP and QUERY_REMOVE (PNP-SURF-04).
   */
  readonly specialFiles: readonly [number, number, number];
}

/** True when a paging, hibernation or dump file is on the device's path. */
export function inSpecialPath(d: DeviceModel): boolean {
  return d.specialFiles[0] + d.specialFiles[1] + d.specialFiles[2] > 0;
}

/** The state right after a successful AddDevice. */
export const ADDED: DeviceModel = {
  pnp: 'Added',
  power: 'D0',
  beforeRemovePending: null,
  providerStarted: false,
  providerRegistered: true,
  poweredDownNotified: false,
  specialFiles: [0, 0, 0],
};

/** Context that does not change during a run. */
export interface ModelContext {
  /** The NetDMA interface version, as major*256+minor. */
  readonly interfaceVersion: number;
  /** The provider's registered version, as major*256+minor. */
  readonly providerVersion: number;
}

/** True when the provider must notify power changes (1.1+ provider on a 1.1+ interface, F50). */
export function notifiesPower(ctx: ModelContext): boolean {
  return ctx.providerVersion >= 0x101 && ctx.interfaceVersion >= 0x101;
}
