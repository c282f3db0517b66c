/**
 * Per-engine (FDO extension) and per-channel state of the policy-owner provider. The channel and
 * hardware fields are those of the shared blind engine (candidates/correct/blind-engine, reused),
 * plus the power and usage state this provider's design adds.
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
  NET_DMA_PNP_EVENT_NOTIFY,
  NET_DMA_PROVIDER_HANDLE,
} from '../../../src/candidate-api';

/** Pool tag 'PoDm'. */
export const POOL_TAG = 0x6d44_6f50;

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
  readonly notify: NET_DMA_PNP_EVENT_NOTIFY | null;
  readonly slotLock: KSPIN_LOCK;
  /** Finishes a D0 IRP at PASSIVE_LEVEL (restore, PoSetPowerState, PowerUp, complete). */
  readonly upItem: IO_WORKITEM;
  /** Announces PowerDown at PASSIVE_LEVEL when a Dx IRP arrives above PASSIVE_LEVEL. */
  readonly downItem: IO_WORKITEM;
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
  /** NetDmaNotificationProviderPowerDown was sent and PowerUp not yet. */
  announcedDown: boolean;
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
