/**
 * dp-any-cpu: per-engine and per-channel state.
 *
 * Each channel has its own executive spin lock (serialising the channel handlers with each other
 * and with the DPC); the channel table is changed only inside KeSynchronizeExecution so the ISR,
 * which cannot take an executive lock, always sees a consistent slot.
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

/** Pool tag 'DpAC'. */
export const TAG = 0x4341_7044;
/** MaxDmaChannelCount registered (the engine's CHANCNT field holds at most 16 here). */
export const MAX_CHANNELS = 16;

export interface Channel {
  readonly dev: Engine;
  readonly index: number;
  readonly handle: NET_DMA_CHANNEL_HANDLE;
  /** CpuNumber reported at allocation (DPC target until NetDmaIsr names another). */
  readonly cpu: number;
  readonly completionPa: bigint;
  readonly lock: KSPIN_LOCK;
  readonly dpc: KDPC;
  readonly pool: Uint8Array;
  /** DMACOUNT as last written (counted chains, 2.0). */
  count: number;
  /** False once ProviderFreeDmaChannel has begun: a late DPC does nothing. */
  live: boolean;
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
  /** DmaChannel -> CPU from ProviderSetDmaChannelCpuAffinity (any CPU number, any group). */
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
}

export const engineOf = (d: DEVICE_OBJECT): Engine => d.DeviceExtension['dpEngine'] as Engine;

/** The interrupt object that serialises with channel `i`'s ISR. */
export function interruptFor(e: Engine, i: number): KINTERRUPT | null {
  if (e.messages) return e.messages.MessageInfo[Math.min(i, e.messages.MessageInfo.length - 1)]?.InterruptObject ?? null;
  return e.line;
}
