/**
 * The device extension of the wmi-interface provider: the reference's (src/reference/device-extension.ts,
 * which it copied unchanged), its own pool tag, and the fields its design adds.
 */
import type { UNICODE_STRING } from '../../../src/candidate-api';
import type { FdoExtension as ReferenceFdoExtension } from '../../../src/reference/device-extension';
export { REFERENCE_MAX_CHANNELS, type ChannelContext } from '../../../src/reference/device-extension';

/** Pool tag 'WmiI' (little-endian, as `!poolused` shows it). */
export const REFERENCE_TAG = 0x4969_6d57;

/** The FDO's device extension: the reference's, and what this provider's design adds. */
export interface FdoExtension extends ReferenceFdoExtension {
  // ---- device interface, WMI and the PnP state (this provider's design) ----
  /** The symbolic link IoRegisterDeviceInterface returned in AddDevice (freed at REMOVE). */
  symbolicLink: UNICODE_STRING | null;
  /** The interface is enabled (between a successful START and STOP/SURPRISE_REMOVAL/REMOVE). */
  interfaceEnabled: boolean;
  /** Registered with WMI (AddDevice to REMOVE). */
  wmiRegistered: boolean;
  /** Where the device is in its PnP life, for CREATE and the CANCEL_* IRPs. */
  pnpState: PnpState;
  /** The state before QUERY_STOP / QUERY_REMOVE, restored by CANCEL_STOP / CANCEL_REMOVE. */
  previousPnpState: PnpState;
}

/** The device's PnP state as the dispatch routines track it. */
export type PnpState = 'NotStarted' | 'Started' | 'StopPending' | 'Stopped' | 'RemovePending' | 'SurpriseRemoved' | 'Removed';
