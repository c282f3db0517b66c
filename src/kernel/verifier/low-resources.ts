/**
 * Driver Verifier's low-resources simulation: a fallible kernel service fails the way Windows fails
 * it when resources run out, in any routine of the provider (not only DriverEntry and AddDevice).
 *
 * A run draws at most one {@link LowResourceFault}: "the n-th call of service S made while the
 * system is in situation W fails". It is part of the generated input, so fast-check shrinks it (to
 * no failure, to a smaller n, to another situation) and a counterexample names the one call that
 * failed. Counting starts when the driver is loaded and {@link LowResources.arm}ed (after
 * DriverEntry, whose own pool faults are drawn separately).
 *
 * @module
 */
import { assertNever } from '../../util/assert-never';

/**
 * A fallible kernel service, as the simulated kernel fails it:
 * `pool` ExAllocatePoolWithTag / ExAllocatePool2 return NULL; `map-io-space` MmMapIoSpace returns
 * NULL; `connect-interrupt` IoConnectInterruptEx returns STATUS_INSUFFICIENT_RESOURCES;
 * `contiguous` MmAllocateContiguousMemory returns NULL; `work-item` IoAllocateWorkItem returns
 * NULL; `irp` IoAllocateIrp returns NULL; `bus-interface` the bus driver fails
 * IRP_MN_QUERY_INTERFACE for BUS_INTERFACE_STANDARD (IoGetBusInterfaceStandard returns NULL);
 * `config-read` GetBusData reads nothing (returns 0: configuration space unreadable);
 * `reset-hang` a channel RESET written to CHANCMD never self-clears (the engine's `reset-hang` fault).
 */
export type LowResourceService = 'pool' | 'map-io-space' | 'connect-interrupt' | 'contiguous' | 'work-item' | 'irp' | 'bus-interface' | 'config-read' | 'reset-hang';

/** Every {@link LowResourceService}, for generators and tests. */
export const LOW_RESOURCE_SERVICES: readonly LowResourceService[] = ['pool', 'map-io-space', 'connect-interrupt', 'contiguous', 'work-item', 'irp', 'bus-interface', 'config-read', 'reset-hang'];

/**
 * Where the counted calls are made: `start` while IRP_MN_START_DEVICE is in flight; `channel` in a
 * NetDMA channel handler (ProviderAllocateDmaChannel and the others); `power` while a power IRP is
 * in flight; `any` anywhere after DriverEntry (DPCs and work items included).
 */
export type LowResourceWhere = 'any' | 'start' | 'channel' | 'power';

/** Every {@link LowResourceWhere}. */
export const LOW_RESOURCE_WHERE: readonly LowResourceWhere[] = ['any', 'start', 'channel', 'power'];

/** One injected failure: the `nth` (from 1) call of `service` made in situation `where` fails. */
export interface LowResourceFault {
  readonly service: LowResourceService;
  readonly where: LowResourceWhere;
  readonly nth: number;
}

/** The call names a counterexample shows for each service. */
const SERVICE_NAME: Readonly<Record<LowResourceService, string>> = {
  pool: 'pool allocation',
  'map-io-space': 'MmMapIoSpace',
  'connect-interrupt': 'IoConnectInterruptEx',
  contiguous: 'MmAllocateContiguousMemory',
  'work-item': 'IoAllocateWorkItem',
  irp: 'IoAllocateIrp',
  'bus-interface': 'IRP_MN_QUERY_INTERFACE(BUS_INTERFACE_STANDARD)',
  'config-read': 'GetBusData',
  'reset-hang': 'channel RESET',
};

/** A one-line description of a drawn fault, for counterexamples. */
export function lowResourceFaultLabel(f: LowResourceFault): string {
  const where = f.where === 'any' ? 'anywhere' : f.where === 'start' ? 'in IRP_MN_START_DEVICE' : f.where === 'channel' ? 'in a channel handler' : 'in a power IRP';
  return `low resources: ${SERVICE_NAME[f.service]} #${f.nth} ${where} fails`;
}

/** What the machine tells the simulation about the call being made. */
export interface LowResourceSituation {
  /** Whether a NetDMA channel handler is running. */
  inChannelHandler(): boolean;
  /** The IRP in flight from the PnP or power manager (its name, e.g. IRP_MN_START_DEVICE), or null. */
  readonly irpInFlight: string | null;
  /** The routine running now, for the report. */
  readonly routine: string;
}

/**
 * The low-resources simulation of one run. Each fallible service asks {@link LowResources.fails}
 * once per call; at most one call fails. Allocates nothing per call.
 */
export class LowResources {
  #fault: LowResourceFault | null = null;
  #armed = false;
  #count = 0;
  /** The failures injected so far, each described with the routine it hit (for counterexamples). */
  readonly injected: string[] = [];

  /** Installs the run's fault (null: none). Counting starts at {@link LowResources.arm}. */
  plan(fault: LowResourceFault | null): void {
    this.#fault = fault;
    this.#count = 0;
    this.injected.length = 0;
  }

  /** Starts counting (the driver is loaded). */
  arm(): void {
    this.#armed = true;
  }

  /** The installed fault. */
  get fault(): LowResourceFault | null {
    return this.#fault;
  }

  /**
   * Whether this call of `service` (the routine `api`) fails. Counts the call when it matches the
   * planned fault's situation; the `nth` such call fails and is recorded in {@link LowResources.injected}.
   */
  fails(service: LowResourceService, api: string, s: LowResourceSituation): boolean {
    const f = this.#fault;
    if (f === null || !this.#armed || f.service !== service || this.#count >= f.nth) return false;
    if (!matches(f.where, s)) return false;
    if (++this.#count !== f.nth) return false;
    this.injected.push(`${api} failed (low resources) in ${s.routine}${s.irpInFlight !== null && !s.routine.includes(s.irpInFlight) ? ` (${s.irpInFlight})` : ''}`);
    return true;
  }
}

function matches(where: LowResourceWhere, s: LowResourceSituation): boolean {
  switch (where) {
    case 'any':
      return true;
    case 'channel':
      return s.inChannelHandler();
    case 'start':
      return s.irpInFlight === 'IRP_MN_START_DEVICE' && !s.inChannelHandler();
    case 'power':
      return s.irpInFlight !== null && s.irpInFlight.includes('POWER') && !s.inChannelHandler();
    default:
      return assertNever(where);
  }
}
