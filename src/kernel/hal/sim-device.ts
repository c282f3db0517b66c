import type { CM_RESOURCE_LIST, DEVICE_OBJECT, IO_STACK_LOCATION, IRP, IO_RESOURCE_REQUIREMENTS_LIST } from '../api/wdm';

/** How the bus driver answers the next IRP of a kind: succeed, fail, or pend and complete later. */
export type BusOutcome = 'succeed' | 'fail' | 'pend';

/**
 * The key of {@link PdoBusDriver.next} for a power IRP: `minor` (IRP_MN_SET_POWER or
 * IRP_MN_QUERY_POWER) of a system (`system` true) or device power IRP. PnP IRPs use their minor code.
 */
export function busPowerKey(minor: number, system: boolean): number {
  return 0x1600 + (system ? 0x10 : 0) + minor;
}

/** An IRP as it reaches the bus driver (the I/O manager's IrpRecord is one). */
export interface BusIrp {
  readonly irp: IRP;
  readonly label: string;
}

/** The bus driver under a PDO, as the I/O manager, the PnP manager and the tests reach it (`src/kernel/pnp/bus-driver.ts`). */
export interface PdoBusDriver {
  /** Outcome for the next IRP of each minor code (consumed when used). */
  readonly next: Map<number, BusOutcome>;
  /** Every IRP this bus driver received, for the model. */
  readonly received: number;
  /** Handles an IRP that reached the PDO; returns its status. */
  dispatch(rec: BusIrp, loc: IO_STACK_LOCATION): number;
}

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
  readonly bus: PdoBusDriver;
  readonly pci: PciFunction;
  /** The hardware's channel count (CHANCNT). */
  readonly channelCount: number;
  /** Largest transfer the engine accepts. */
  readonly maxTransferSize: number;
  /** Resources of the current START, or null when none are assigned. */
  resources: AssignedResources | null;
  /**
   * The new resources of a START sent to the started device, until the bus driver handles that START
   * (it moves the device to them then: until it does, the device still decodes the old BAR).
   */
  pendingResources?: AssignedResources | null;
  /** The requirements list after the last FILTER_RESOURCE_REQUIREMENTS. */
  requirements: IO_RESOURCE_REQUIREMENTS_LIST | null;
  /** Affinities NetDMA gave the provider through ProviderSetDmaChannelCpuAffinity (channel -> CPU). */
  affinities: ReadonlyMap<number, number> | null;
  /** Live register mappings and interrupt connections (leak accounting). */
  mappings: number;
  interruptConnections: number;
  /** References the driver holds on the PDO's BUS_INTERFACE_STANDARD (IoGetBusInterfaceStandard, InterfaceReference/Dereference). */
  busInterfaceReferences: number;
  powerState: 'D0' | 'D1' | 'D2' | 'D3';
  /**
   * Whether the PCI function implements D1 and D2 (its PCI power management capability): the bus
   * driver reports them in DEVICE_CAPABILITIES then. Set by whoever enumerates the device (a
   * lifecycle run, from its input); unset means no.
   */
  supportsD1D2?: boolean;
  /**
   * The device power states the whole stack reported in its last successful IRP_MN_QUERY_CAPABILITIES
   * (DeviceD1, DeviceD2, and DeviceState[PowerSystemSleeping1]): what the power-policy owner may
   * send. Unset until the stack has answered one.
   */
  reportedPower?: { readonly DeviceD1: boolean; readonly DeviceD2: boolean; readonly S1: number };
  /**
   * False from the moment a D3 IRP reaches the bus driver until the bus driver has completed the
   * next D0 IRP (the device is back in the working state only then, F50); unset means true.
   */
  backInD0?: boolean;
  /** Set after REMOVE: the device object stack is gone. */
  removed: boolean;
  /**
   * Between a QUERY_STOP the whole stack granted and the CANCEL_STOP or STOP that follows (or a
   * surprise removal): the provider may hold new requests then (F108; NDMA-CHAN-01's exception).
   */
  stopPending: boolean;
}
