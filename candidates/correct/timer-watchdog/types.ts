/**
 * Device and channel extensions of the timer-watchdog provider.
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
  KTIMER,
  NET_DMA_CHANNEL_HANDLE,
  NET_DMA_PNP_EVENT_NOTIFY,
  NET_DMA_PROVIDER_HANDLE,
  VOLATILE_LONG,
  VOLATILE_LONG64,
} from '../../../src/candidate-api';

/** Pool tag 'Wdog'. */
export const TAG = 0x676f_6457;
/** MaxDmaChannelCount: the most channels this provider type drives (CHANCNT holds 5 bits). */
export const MAX_CHANNELS = 31;

/** ChannelContext.flags bits (changed only with Interlocked*: the ISR, the DPC, the handlers and the watchdog share them). */
export const F_ERROR = 0x1; // the ISR saw CHANERR (or the watchdog forced an error): the DPC reports NULL
export const F_DPC_QUEUED = 0x2; // the ISR queued the channel DPC, which has not started yet
export const F_ERROR_SEEN = 0x4; // an interrupt has been serviced for the current halt-on-error (until ResetChannel)
export const F_FORCE_ERROR = 0x8; // set by the watchdog before it runs the service routine for an aborted, hung channel

/** What the watchdog remembers of a channel between two ticks (touched only by the watchdog DPC under fdo.lock). */
export interface WatchState {
  sts: bigint;
  cdar: bigint;
  serviced: number;
  commands: number;
  /** Interrupt time of the last change seen. */
  since: bigint;
  /** Ticks since the last change. */
  ticks: number;
  /** The doorbell was rung again once for the present stall. */
  kicked: boolean;
}

export interface ChannelContext {
  readonly fdo: FdoExtension;
  readonly index: number;
  readonly handle: NET_DMA_CHANNEL_HANDLE;
  readonly cpu: number;
  readonly completionPa: bigint;
  readonly dpc: KDPC;
  /** Serializes command-register sequences of the handlers and the watchdog on this channel. */
  readonly cmdLock: KSPIN_LOCK;
  readonly block: Uint8Array;
  /** DMACOUNT as last written (2.0 counted chains); under cmdLock. */
  dmaCount: number;
  /** Work handed to the channel since allocation or the last reset/abort (under cmdLock). */
  busy: boolean;
  /** Suspended by ProviderSuspendDma and not resumed/restarted since (under cmdLock): NetDMA may be editing the list. */
  suspended: boolean;
  /** Head of the last Start/Append (under cmdLock). */
  lastHead: bigint;
  readonly flags: VOLATILE_LONG;
  /** Last completed descriptor the ISR saw (written at DIRQL, read by the DPC). */
  readonly lastCompleted: VOLATILE_LONG64;
  /** Interrupts serviced on this channel (ISR, InterlockedIncrement). */
  readonly serviced: VOLATILE_LONG;
  /** Commands written by the handlers (InterlockedIncrement). */
  readonly commands: VOLATILE_LONG;
  readonly watch: WatchState;
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
  /** Guards the channel table and the watchdog's armed flag. */
  readonly lock: KSPIN_LOCK;
  readonly powerWorkItem: IO_WORKITEM;
  readonly timer: KTIMER;
  readonly timerDpc: KDPC;
  /** Under lock: the watchdog may act. Cleared (then the timer cancelled) before STOP, SURPRISE_REMOVAL, REMOVE and D3. */
  watchdogArmed: boolean;
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
