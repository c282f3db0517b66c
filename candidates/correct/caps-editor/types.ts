/**
 * Device and channel extensions of the caps-editor provider.
 *
 * @module
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
  VOLATILE_LONG,
  VOLATILE_LONG64,
} from '../../../src/candidate-api';

/** Pool tag 'Caps'. */
export const TAG = 0x7370_6143;
/** MaxDmaChannelCount: the most channels this provider type drives (CHANCNT holds 5 bits). */
export const MAX_CHANNELS = 31;

/** ChannelContext.flags bits (changed only with Interlocked*: the ISR, the DPC, the handlers and the watchdog share them). */
export const F_ERROR = 0x1; // latched by the ISR: the channel halted with CHANERR set; the DPC reports NULL
export const F_PENDING = 0x2; // latched by the ISR: a completion to report; the DPC takes it

export interface ChannelContext {
  readonly fdo: FdoExtension;
  readonly index: number;
  readonly handle: NET_DMA_CHANNEL_HANDLE;
  readonly cpu: number;
  readonly completionPa: bigint;
  readonly dpc: KDPC;
  /** Serializes the command-register sequences of the handlers on this channel (NetDMA may call them on several CPUs). */
  readonly cmdLock: KSPIN_LOCK;
  readonly block: Uint8Array;
  /** DMACOUNT as last written (2.0 counted chains); under cmdLock. */
  dmaCount: number;
  readonly flags: VOLATILE_LONG;
  /** CHANSTS as the ISR latched it (InterlockedExchange64 at DIRQL, taken by the DPC). */
  readonly latched: VOLATILE_LONG64;
}

export interface FdoExtension {
  readonly self: DEVICE_OBJECT;
  readonly pdo: DEVICE_OBJECT;
  readonly lower: DEVICE_OBJECT;
  /** Provider version registered, major*256+minor. */
  readonly version: number;
  readonly dca: boolean;
  readonly notify: NET_DMA_PNP_EVENT_NOTIFY | null;
  readonly contextBlock: Uint8Array;
  /** Guards the channel table. */
  readonly lock: KSPIN_LOCK;
  readonly powerWorkItem: IO_WORKITEM;
  /** Channels NetDMA holds (InterlockedIncrement/Decrement; read by QUERY_PNP_DEVICE_STATE's completion routine). */
  readonly allocated: VOLATILE_LONG;
  provider: NET_DMA_PROVIDER_HANDLE | null;
  affinities: Map<number, number> | null;
  providerStarted: boolean;
  poweredDown: boolean;
  lostContext: boolean;
  /** SURPRISE_REMOVAL has been handled: REMOVE does only what is left. */
  surpriseRemoved: boolean;
  regs: bigint | null;
  regsLength: number;
  messageTable: IO_INTERRUPT_MESSAGE_INFO | null;
  lineInterrupt: KINTERRUPT | null;
  connectedMessageBased: boolean;
  channelCount: number;
  messageCpus: number[];
  channels: (ChannelContext | null)[];
}
