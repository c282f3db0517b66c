import type { CM_RESOURCE_LIST, DEVICE_OBJECT, IO_RESOURCE_REQUIREMENTS_LIST } from '../api/wdm';
import type { BusDriver } from './bus-driver';

/** The part of the simulated PCI function the kernel talks to (the copy engine implements it). */
export interface PciFunction {
  readonly configSpace: Uint8Array;
  readonly bar0Length: number;
  mmioRead(offset: number, width: 1 | 2 | 4 | 8): bigint;
  mmioWrite(offset: number, width: 1 | 2 | 4 | 8, value: bigint): void;
}

/** Resources assigned at a START. */
export interface AssignedResources {
  readonly raw: CM_RESOURCE_LIST;
  readonly translated: CM_RESOURCE_LIST;
  /** Translated BAR0 base. */
  readonly bar0: bigint;
  /** Target processor of each MSI-X message (message i serves channel i), or the line interrupt's. */
  readonly messageCpus: readonly number[];
  readonly messageBased: boolean;
}

/** One enumerated engine: its PDO, bus-driver behaviour, PCI function and resources. */
export interface SimDevice {
  readonly index: number;
  readonly pdo: DEVICE_OBJECT;
  readonly bus: BusDriver;
  readonly pci: PciFunction;
  /** The hardware's channel count (CHANCNT). */
  readonly channelCount: number;
  /** Largest transfer the engine accepts. */
  readonly maxTransferSize: number;
  /** Resources of the current START, or null when none are assigned. */
  resources: AssignedResources | null;
  /** The requirements list after the last FILTER_RESOURCE_REQUIREMENTS. */
  requirements: IO_RESOURCE_REQUIREMENTS_LIST | null;
  /** Affinities NetDMA gave the provider through ProviderSetDmaChannelCpuAffinity (channel -> CPU). */
  affinities: ReadonlyMap<number, number> | null;
  /** Live register mappings and interrupt connections (leak accounting). */
  mappings: number;
  interruptConnections: number;
  powerState: 'D0' | 'D3';
  /** Set after REMOVE: the device object stack is gone. */
  removed: boolean;
}
