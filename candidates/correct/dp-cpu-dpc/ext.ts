/**
 * dp-cpu-dpc: per-engine and per-channel state.
 *
 * No executive spin lock anywhere: everything the ISR, the DPC and the handlers share is touched
 * only inside KeSynchronizeExecution on the channel's interrupt object (its MSI-X message, or the
 * line interrupt), i.e. under the interrupt spin lock at DIRQL.
 */
import type {
  DEVICE_OBJECT,
  IO_INTERRUPT_MESSAGE_INFO,
  IO_WORKITEM,
  KDPC,
  KINTERRUPT,
  NET_DMA_CHANNEL_HANDLE,
  NET_DMA_PNP_EVENT_NOTIFY,
  NET_DMA_PROVIDER_HANDLE,
} from '../../../src/candidate-api';

/** Pool tag 'DpCD'. */
export const TAG = 0x4443_7044;
/** MaxDmaChannelCount registered (the engine's CHANCNT field holds at most 16 here). */
export const MAX_CHANNELS = 16;

export interface Channel {
  readonly dev: Engine;
  readonly index: number;
  readonly handle: NET_DMA_CHANNEL_HANDLE;
  /** CpuNumber reported at allocation (DPC target until NetDmaIsr names another). */
  readonly cpu: number;
  readonly completionPa: bigint;
  readonly pool: Uint8Array;
  /** DMACOUNT as last written (counted chains, 2.0). */
  count: number;
  /** False once ProviderFreeDmaChannel has begun: a late DPC does nothing. */
  live: boolean;
  /** Set by the ISR: what the next DPC reports (descriptor PA, or 0n = error). */
  report: bigint | null;
  /** CPU whose drain DPC is to report this channel (the CPU NetDmaIsr returned), -1 when none. */
  pendingCpu: number;
}

export interface Engine {
  readonly fdo: DEVICE_OBJECT;
  readonly pdo: DEVICE_OBJECT;
  readonly lower: DEVICE_OBJECT;
  /** Registered NetDMA version, (major << 8) | minor. */
  readonly version: number;
  readonly notify: NET_DMA_PNP_EVENT_NOTIFY | null;
  readonly workItem: IO_WORKITEM;
  handle: NET_DMA_PROVIDER_HANDLE | null;
  /** DmaChannel -> CPU from ProviderSetDmaChannelCpuAffinity. */
  affinity: number[] | null;
  started: boolean;
  /** PowerDown was sent and PowerUp is still owed. */
  notifiedDown: boolean;
  /** The engine left D0 and lost its register context. */
  contextLost: boolean;
  bar: bigint | null;
  barLength: number;
  messages: IO_INTERRUPT_MESSAGE_INFO | null;
  line: KINTERRUPT | null;
  channelCount: number;
  /** Interrupt target CPU of each channel's MSI-X message (0 with a line interrupt). */
  messageCpu: number[];
  slots: (Channel | null)[];
  /** One drain DPC per processor, each targeted once at its processor (AddDevice). */
  readonly cpuDpcs: KDPC[];
}

export const engineOf = (d: DEVICE_OBJECT): Engine => d.DeviceExtension['dpEngine'] as Engine;

/** The interrupt object that serialises with channel `i`'s ISR. */
export function interruptFor(e: Engine, i: number): KINTERRUPT | null {
  if (e.messages) return e.messages.MessageInfo[Math.min(i, e.messages.MessageInfo.length - 1)]?.InterruptObject ?? null;
  return e.line;
}
