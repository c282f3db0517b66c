/**
 * Per-engine (FDO extension) and per-channel state shared by policy-owner and paging-usage-10 (one
 * blind author's copy of the blind engine, with the D0 guard): the channel and hardware fields of
 * the blind engine plus the power and usage state both designs keep. Each provider's device.ts adds
 * its pool tag and what its own design needs.
 */
import type {
  DEVICE_OBJECT,
  IO_INTERRUPT_MESSAGE_INFO,
  IO_REMOVE_LOCK,
  IO_WORKITEM,
  KDPC,
  KINTERRUPT,
  KSPIN_LOCK,
  NET_DMA_CHANNEL_HANDLE,
  NET_DMA_PROVIDER_HANDLE,
} from '../../../src/candidate-api';

/** MaxDmaChannelCount this provider type declares (every channel count CHANCNT can describe). */
export const MAX_CHANNELS = 16;

/** Where the FDO is in the WDM PnP state machine. */
export const enum PnpState {
  NotStarted,
  Started,
  StopPending,
  Stopped,
  RemovePending,
  SurpriseRemoved,
  Deleted,
}

export interface Channel {
  readonly dev: Engine;
  readonly index: number;
  readonly handle: NET_DMA_CHANNEL_HANDLE;
  readonly completionPa: bigint;
  /** CPU reported in CpuNumber; first target of the DPC. */
  readonly cpu: number;
  readonly dpc: KDPC;
  readonly pool: Uint8Array;
  /** Running descriptor count written to DMACOUNT (2.0 counted chains). */
  count: number;
  /** Set by the ISR when the channel halted with CHANERR != 0. */
  faulted: boolean;
  /** Last completed descriptor seen by the ISR. */
  done: bigint;
}

export interface Engine {
  readonly fdo: DEVICE_OBJECT;
  readonly pdo: DEVICE_OBJECT;
  readonly lower: DEVICE_OBJECT;
  /** NetDMA version registered with: major << 8 | minor. */
  readonly version: number;
  readonly slotLock: KSPIN_LOCK;
  /** Finishes a D0 IRP at PASSIVE_LEVEL. */
  readonly upItem: IO_WORKITEM;
  readonly contextPool: Uint8Array;
  readonly removeLock: IO_REMOVE_LOCK;
  /** DO_POWER_PAGABLE as AddDevice set it (copied from the lower device). */
  readonly pagableAtAdd: boolean;
  handle: NET_DMA_PROVIDER_HANDLE | null;
  /** True between NetDmaProviderStart and NetDmaProviderStop. */
  providerRunning: boolean;
  pnp: PnpState;
  /** State to go back to on CANCEL_STOP / CANCEL_REMOVE. */
  prevPnp: PnpState;
  /** The engine left D0 and must be re-programmed when it returns. */
  needsRestore: boolean;
  /** The device is in D0: registers may be touched. */
  d0: boolean;
  /** DEVICE_POWER_STATE last given to PoSetPowerState. */
  dState: number;
  /** Special files on the device (IRP_MN_DEVICE_USAGE_NOTIFICATION), by usage type. */
  pagingCount: number;
  hibernationCount: number;
  dumpCount: number;
  /** MSI-X affinities by channel index, from ProviderSetDmaChannelCpuAffinity. */
  wantedCpu: Map<number, number> | null;
  // hardware (START .. STOP / SURPRISE_REMOVAL / REMOVE)
  bar: bigint | null;
  barLength: number;
  msgTable: IO_INTERRUPT_MESSAGE_INFO | null;
  lineObject: KINTERRUPT | null;
  messageMode: boolean;
  nChannels: number;
  msgCpu: number[];
  slots: (Channel | null)[];
}

/** In the paging, hibernation or crash-dump path (F108, F111). */
export const inSpecialPath = (dev: Engine): boolean => dev.pagingCount + dev.hibernationCount + dev.dumpCount > 0;
