/**
 * Per-engine and per-channel state shared by the nine providers of one blind author (busy-veto-caps,
 * filter-in-completion, late-powerup, no-rebalance, notify-registered, paging-veto-10, stop-always,
 * surprise-teardown, v11-linked): one engine, nine PnP/power designs. Each provider's device.ts adds
 * its pool tag and whatever state its design needs.
 */
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
} from '../../../src/candidate-api';

/** MaxDmaChannelCount this provider type declares. */
export const MAX_CHANNELS = 8;

/** Where the FDO is in the WDM PnP state machine. */
export const enum PnpState {
  NotStarted,
  Started,
  StopPending,
  Stopped,
  RemovePending,
  SurpriseRemoved,
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
  readonly notify: NET_DMA_PNP_EVENT_NOTIFY | null;
  readonly slotLock: KSPIN_LOCK;
  readonly workItem: IO_WORKITEM;
  readonly contextPool: Uint8Array;
  handle: NET_DMA_PROVIDER_HANDLE | null;
  /** True between NetDmaProviderStart and NetDmaProviderStop. */
  providerRunning: boolean;
  /** NetDmaProviderStop was called since the last NetDmaProviderStart (or ever, if never started). */
  stopSinceStart: boolean;
  pnp: PnpState;
  /** NetDmaNotificationProviderPowerDown was sent and PowerUp not yet. */
  announcedDown: boolean;
  /** The engine left D0 and must be re-programmed when it returns. */
  needsRestore: boolean;
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
