/**
 * pended-start: per-device state. Everything the driver keeps about one engine lives in one
 * `PsDevice` record hung off the FDO's extension; nothing is shared between driver images.
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

/** Pool tag 'PdSt'. */
export const PS_TAG = 0x7453_6450;
/** MaxDmaChannelCount this provider registers. */
export const PS_MAX_CHANNELS = 8;

/** A job for the device's PASSIVE_LEVEL worker. */
export type Job = () => void;

/** One allocated channel. */
export interface PsChannel {
  readonly dev: PsDevice;
  readonly hw: PsHardware;
  readonly index: number;
  readonly handle: NET_DMA_CHANNEL_HANDLE;
  readonly cpu: number;
  readonly dpc: KDPC;
  readonly completionPa: bigint;
  /** Running DMACOUNT as this driver last wrote it (counted chains, 2.0). */
  issued: number;
  /** Captured by the ISR for the DPC. */
  lastDone: bigint;
  faulted: boolean;
  live: boolean;
}

/** The engine while the device holds its resources (START .. STOP / SURPRISE / REMOVE). */
export interface PsHardware {
  readonly bar: bigint;
  readonly barLength: number;
  readonly channelCount: number;
  messageTable: IO_INTERRUPT_MESSAGE_INFO | null;
  lineObject: KINTERRUPT | null;
  /** CPU each channel's message targets. */
  readonly messageCpu: number[];
  /** Bit i set: channel i is allocated. */
  inUse: number;
  readonly byIndex: Map<number, PsChannel>;
}

/** The device record. */
export interface PsDevice {
  readonly fdo: DEVICE_OBJECT;
  readonly pdo: DEVICE_OBJECT;
  readonly next: DEVICE_OBJECT;
  readonly major: number;
  readonly minor: number;
  readonly notify: NET_DMA_PNP_EVENT_NOTIFY | null;
  readonly block: Uint8Array;
  readonly lock: KSPIN_LOCK;
  readonly worker: IO_WORKITEM;
  readonly jobs: Job[];
  workerQueued: boolean;
  /** DmaChannel -> CPU from ProviderSetDmaChannelCpuAffinity (-1: none). */
  readonly wantedCpu: number[];
  haveAffinities: boolean;
  handle: NET_DMA_PROVIDER_HANDLE | null;
  hw: PsHardware | null;
  netDmaStarted: boolean;
  /** PowerDown sent and PowerUp not yet. */
  sleeping: boolean;
  /**
   * A device SET_POWER below D0 went down while the engine was mapped: the bus cut its power, so
   * INTRCTRL and every channel's registers are gone until the worker restores them on the way back
   * to D0 (any interface version: 1.0 NetDMA restarts the channels as soon as the D0 IRP completes).
   */
  engineDark: boolean;
}

export function psDevice(d: DEVICE_OBJECT): PsDevice {
  return d.DeviceExtension['ps'] as PsDevice;
}
