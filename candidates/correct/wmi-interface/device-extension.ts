import type {
  DEVICE_OBJECT,
  IO_INTERRUPT_MESSAGE_INFO,
  IO_WORKITEM,
  KDPC,
  KINTERRUPT,
  KSPIN_LOCK,
  NET_DMA_CHANNEL_HANDLE,
  NET_DMA_PNP_EVENT_NOTIFY,
  NET_DMA_PROVIDER_HANDLE,
  UNICODE_STRING,
} from '../../../src/candidate-api';
import type { SoftState } from './soft-state';

/** Pool tag 'WmiI' (little-endian, as `!poolused` shows it). */
export const REFERENCE_TAG = 0x4969_6d57;
/** The most channels this provider type supports (NET_DMA_PROVIDER_CHARACTERISTICS.MaxDmaChannelCount). */
export const REFERENCE_MAX_CHANNELS = 16;

/** One hardware channel as the provider tracks it. */
export interface ChannelContext {
  readonly fdo: FdoExtension;
  readonly index: number;
  /** Base of this channel's register block. */
  readonly regs: bigint;
  readonly handle: NET_DMA_CHANNEL_HANDLE;
  readonly cpu: number;
  /** CompletionPhysicalAddress from the channel parameters (CHANCMP, re-programmed after power loss). */
  readonly completionPa: bigint;
  /** CPU the completion writes' DCA hints are bound to (DCACTRL; the channel's CpuNumber, F40). */
  readonly dcaCpu: number;
  readonly dpc: KDPC;
  /** Pool block that backs the context, freed by ProviderFreeDmaChannel. */
  readonly block: Uint8Array;
  /** DMACOUNT as last written (2.0 counted chains). */
  dmaCount: number;
  /** Set by the ISR when the channel halted on an error; the DPC reports NULL and clears it. */
  error: boolean;
  /** Last completed descriptor the ISR reported. */
  lastCompleted: bigint;
  /** Software state the ISR, the DPC and the handlers share (interrupts.ts). */
  readonly soft: SoftState;
}

/** The FDO's device extension: everything the provider keeps per engine. */
export interface FdoExtension {
  readonly self: DEVICE_OBJECT;
  readonly pdo: DEVICE_OBJECT;
  readonly lower: DEVICE_OBJECT;
  /** Provider version registered, major*256+minor. */
  readonly version: number;
  /** Registered with NET_DMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED (2.0 providers on an engine with the DCA capability). */
  readonly dca: boolean;
  readonly notify: NET_DMA_PNP_EVENT_NOTIFY | null;
  /** Pool block standing for the provider context NetDMA gets back. */
  readonly contextBlock: Uint8Array;
  readonly lock: KSPIN_LOCK;
  /** Finishes a D0 SET_POWER at PASSIVE_LEVEL (allocated in AddDevice so the power path cannot fail). */
  readonly powerWorkItem: IO_WORKITEM;
  provider: NET_DMA_PROVIDER_HANDLE | null;
  /** Channel -> CPU, from ProviderSetDmaChannelCpuAffinity (MSI-X machines). */
  affinities: Map<number, number> | null;
  providerStarted: boolean;
  poweredDown: boolean;
  /** A SET_POWER left D0: the engine lost its register context and is re-initialized back in D0. */
  lostContext: boolean;
  // Hardware, valid between START and STOP/SURPRISE_REMOVAL/REMOVE.
  regs: bigint | null;
  regsLength: number;
  messageTable: IO_INTERRUPT_MESSAGE_INFO | null;
  lineInterrupt: KINTERRUPT | null;
  connectedMessageBased: boolean;
  channelCount: number;
  /** CPU each channel's interrupt targets (from the message table). */
  messageCpus: number[];
  /** MaximumTransferSize as reported at NetDmaProviderStart (read only by the 'dp-max-transfer-exclusive' bug). */
  maxTransferSize: number;
  /** Allocated channels by index. */
  channels: (ChannelContext | null)[];
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
