/** mandatory-only: per-device state, and the state of a live channel (which the device's table holds). */
import {
  CHANNEL_REGISTERS,
  REGISTER_BLOCK_SIZE,
  type DEVICE_OBJECT,
  type IO_INTERRUPT_MESSAGE_INFO,
  type IO_WORKITEM,
  type KDPC,
  type KINTERRUPT,
  type KSPIN_LOCK,
  type NET_DMA_CHANNEL_HANDLE,
  type NET_DMA_PNP_EVENT_NOTIFY,
  type NET_DMA_PROVIDER_HANDLE,
} from '../../../src/candidate-api';

/** Pool tag 'MoNd'. */
export const MO_TAG = 0x644e_6f4d;
/** This provider drives at most two channels, whatever the engine has. */
export const MO_MAX_CHANNELS = 2;
/** It reports at most 64 KiB per descriptor (a legal, conservative MaximumTransferSize). */
export const MO_MAX_TRANSFER = 0x1_0000;

/** The engine as mapped and connected between START and its release. */
export interface Mapped {
  readonly va: bigint;
  readonly bytes: number;
  readonly count: number;
  readonly cpuOf: number[];
  readonly free: number[];
  readonly live: (MoChannel | null)[];
  interrupts: { table: IO_INTERRUPT_MESSAGE_INFO } | { line: KINTERRUPT } | null;
  /** Finishes a D0 SET_POWER at PASSIVE_LEVEL (re-binding the channels, then PowerUp on 1.1+); allocated at START. */
  powerItem: IO_WORKITEM | null;
}

export interface MoDevice {
  readonly fdo: DEVICE_OBJECT;
  readonly pdo: DEVICE_OBJECT;
  readonly lower: DEVICE_OBJECT;
  readonly version: number;
  readonly notify: NET_DMA_PNP_EVENT_NOTIFY | null;
  readonly tableLock: KSPIN_LOCK;
  readonly affinity: Map<number, number>;
  provider: NET_DMA_PROVIDER_HANDLE | null;
  map: Mapped | null;
  started: boolean;
  down: boolean;
  /** Set when a SET_POWER below D0 went down with the engine mapped: its registers did not survive. */
  amnesia: boolean;
}

/** A live channel. */
export class MoChannel {
  tail = 0;
  lastPa = 0n;
  error = false;
  open = true;
  readonly dpc: KDPC = {};
  constructor(
    readonly dev: MoDevice,
    readonly map: Mapped,
    readonly slot: number,
    readonly handle: NET_DMA_CHANNEL_HANDLE,
    readonly cpu: number,
    /** CompletionPhysicalAddress from the allocation, kept to bind the channel again after a power loss. */
    readonly completionPa: bigint,
  ) {}
  reg(name: keyof typeof CHANNEL_REGISTERS): bigint {
    return this.map.va + BigInt((this.slot + 1) * REGISTER_BLOCK_SIZE + CHANNEL_REGISTERS[name].offset);
  }
}
