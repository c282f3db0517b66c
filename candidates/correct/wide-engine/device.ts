/**
 * Per-engine (FDO extension) and per-channel state.
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

/**
 * MaxDmaChannelCount declared at registration: the most channels the data sheet's CHANCNT can
 * describe on this engine family (src/hardware/registers.ts: 16). The table sizes at START are
 * min(CHANCNT, this, what BAR0's length holds).
 */
export const MAX_CHANNELS = 16;

export interface Channel {
  readonly dev: Engine;
  readonly index: number;
  readonly handle: NET_DMA_CHANNEL_HANDLE;
  readonly completionPa: bigint;
  /** CPU reported in CpuNumber (the DPC's first target). */
  readonly cpu: number;
  readonly dpc: KDPC;
  readonly pool: Uint8Array;
  /** DMACOUNT as last written (NetDMA 2.0 counted chains; 16-bit running count). */
  count: number;
  /** Set by the ISR when the channel halted with CHANERR != 0; the DPC reports NULL and clears it. */
  faulted: boolean;
  /** Last completed descriptor the ISR read from CHANSTS. */
  done: bigint;
}

export interface Engine {
  readonly fdo: DEVICE_OBJECT;
  readonly pdo: DEVICE_OBJECT;
  readonly lower: DEVICE_OBJECT;
  /** NetDMA provider version registered: major << 8 | minor. */
  readonly version: number;
  readonly notify: NET_DMA_PNP_EVENT_NOTIFY | null;
  /** Guards `reserved` (channel allocation and free, at <= DISPATCH_LEVEL). */
  readonly lock: KSPIN_LOCK;
  /** Finishes a D0 SET_POWER at PASSIVE_LEVEL (allocated in AddDevice so the power path cannot fail). */
  readonly workItem: IO_WORKITEM;
  handle: NET_DMA_PROVIDER_HANDLE | null;
  /** Between NetDmaProviderStart and NetDmaProviderStop. */
  providerStarted: boolean;
  /** PowerDown announced and PowerUp not yet. */
  announcedDown: boolean;
  /** A SET_POWER left D0: the engine lost its registers and is re-initialized back in D0. */
  lostContext: boolean;
  /** MSI-X interrupt CPU by channel, from ProviderSetDmaChannelCpuAffinity. */
  affinities: Map<number, number> | null;
  /** Paging, hibernation, dump files on this device's path (a 1.0 provider takes part, F51), by DEVICE_USAGE_NOTIFICATION_TYPE. */
  readonly specialFiles: number[];

  // ---- hardware: valid from a successful START to STOP / SURPRISE_REMOVAL / REMOVE ----
  bar: bigint | null;
  barLength: number;
  msgTable: IO_INTERRUPT_MESSAGE_INFO | null;
  lineObject: KINTERRUPT | null;
  messageMode: boolean;
  /** One message per channel (message i = channel i); otherwise every interrupt scans ATTNSTATUS. */
  perChannelMessages: boolean;
  nChannels: number;
  /** CPU channel i's message targets, -1 when its interrupt is shared or line-based. */
  msgCpu: number[];
  /** Channels handed out (under `lock`). */
  reserved: boolean[];
  /** Channels the ISR and DPC may service (published once programmed). */
  slots: (Channel | null)[];
  maxTransferSize: number;
  /** Provider-owned contiguous memory (dma32 provider): self-test descriptors, parking completion words. */
  scratchVa: bigint | null;
  scratchPa: bigint;
}
