/**
 * Per-engine (FDO device extension) and per-channel (pool-backed channel context) state of the
 * shared-isr provider.
 */
import type {
  DEVICE_OBJECT,
  IO_INTERRUPT_MESSAGE_INFO,
  IO_REMOVE_LOCK,
  IO_WORKITEM,
  KDPC,
  KEVENT,
  KINTERRUPT,
  KSPIN_LOCK,
  NET_DMA_CHANNEL_HANDLE,
  NET_DMA_PNP_EVENT_NOTIFY,
  NET_DMA_PROVIDER_HANDLE,
  VOLATILE_LONG,
  VOLATILE_LONG64,
} from '../../../src/candidate-api';

/** Pool tag 'ShIs' as `!poolused` shows it. */
export const POOL_TAG = 0x7349_6853;
/** MaxDmaChannelCount: the I/OAT register map describes at most 16 channels. */
export const MAX_CHANNELS = 16;
/** Size of the pool block that backs one channel's software context. */
export const CHANNEL_CONTEXT_BYTES = 128;
/** Size of the pool block NetDMA gets as the provider context. */
export const PROVIDER_CONTEXT_BYTES = 64;

/** WDM PnP state of the FDO. */
export const PNP_NOT_STARTED = 0;
export const PNP_STARTED = 1;
export const PNP_STOP_PENDING = 2;
export const PNP_STOPPED = 3;
export const PNP_REMOVE_PENDING = 4;
export const PNP_SURPRISE_REMOVED = 5;
export const PNP_REMOVED = 6;

/** Channel flag (Interlocked): the ISR saw the channel halted with CHANERR != 0. */
export const CH_FAULT = 0x1;
/** Channel flag (Interlocked): the ISR reported a completion the DPC has not passed on yet. */
export const CH_PENDING = 0x2;

/** DeferredContext of the DPC of hardware channel `index` (lives in the device extension). */
export interface DpcContext {
  readonly dev: Engine;
  readonly index: number;
}

/** The software context of one allocated channel (backed by `pool`, freed by ProviderFreeDmaChannel). */
export interface Channel {
  readonly dev: Engine;
  readonly index: number;
  readonly handle: NET_DMA_CHANNEL_HANDLE;
  readonly completionPa: bigint;
  /** CpuNumber reported to NetDMA (the DPC's first target). */
  readonly cpu: number;
  readonly pool: Uint8Array;
  /** Running DMACOUNT (2.0 counted chains), 16 bits. */
  count: number;
  /** CH_* bits, set by the ISR at DIRQL, taken by the DPC (Interlocked only). */
  readonly flags: VOLATILE_LONG;
  /** Last completed descriptor the ISR saw (signed 64-bit box; Interlocked only). */
  readonly done: VOLATILE_LONG64;
  /** DPC executions currently using this context (under the engine's slotLock). */
  dpcUsers: number;
  /** ProviderFreeDmaChannel ran: the last DPC user frees the pool block. */
  freed: boolean;
}

/** The FDO device extension. */
export interface Engine {
  readonly self: DEVICE_OBJECT;
  readonly pdo: DEVICE_OBJECT;
  readonly lower: DEVICE_OBJECT;
  /** NetDMA version registered: major << 8 | minor. */
  readonly version: number;
  readonly notify: NET_DMA_PNP_EVENT_NOTIFY | null;
  readonly removeLock: IO_REMOVE_LOCK;
  readonly slotLock: KSPIN_LOCK;
  readonly powerWorkItem: IO_WORKITEM;
  readonly providerContext: Uint8Array;
  /** One DPC per hardware channel, in the extension so a DPC never outlives its storage. */
  readonly dpcs: readonly KDPC[];
  readonly dpcContexts: readonly DpcContext[];
  /** Hardware references: a bias of 1 while open, +1 per handler / DPC / work item touching registers. */
  readonly hwRefs: VOLATILE_LONG;
  /** Signaled when hwRefs drops to 0 after the bias was released. */
  readonly hwDrained: KEVENT;
  hwOpen: boolean;
  provider: NET_DMA_PROVIDER_HANDLE | null;
  providerStarted: boolean;
  pnpState: number;
  previousPnpState: number;
  /** Paging, hibernation and dump files on the device's path (a 1.0 provider takes part, F51). */
  readonly specialFiles: number[];
  /** Channel -> requested MSI-X interrupt CPU (ProviderSetDmaChannelCpuAffinity). */
  affinities: Map<number, number> | null;
  inD0: boolean;
  /** The engine left D0: its registers are lost and must be re-programmed in D0. */
  needsRestore: boolean;
  /** PowerDown was announced, PowerUp not yet. */
  announcedDown: boolean;
  // ---- hardware, between START and STOP / SURPRISE_REMOVAL / REMOVE
  bar: bigint | null;
  barLength: number;
  messageTable: IO_INTERRUPT_MESSAGE_INFO | null;
  lineInterrupt: KINTERRUPT | null;
  messageBased: boolean;
  nChannels: number;
  /** CPU the engine's one interrupt targets (the first message's), -1 when unknown (line-based). */
  interruptCpu: number;
  /** Allocated channels by hardware index (published to the ISR). */
  slots: (Channel | null)[];
  /** Indexes taken by an allocation still in progress. */
  reserved: boolean[];
}
