import { assertNever } from '../../src/util/assert-never';
import type { RuleId } from '../../spec';
import { NT_SUCCESS, PNP_DEVICE_FAILED, PNP_DEVICE_RESOURCE_REQUIREMENTS_CHANGED, ntStatusName } from '../../src/kernel/api';
import {
  BugCheck,
  HarnessError,
  createKernelServices,
  listChooser,
  type DriverImageLoader,
  type InterfaceVersion,
  type ServiceFaults,
  type Violation,
} from '../../src/kernel';
import { machineWithClient, type NetDmaClient } from '../../src/client';
import type { Machine } from '../../src/kernel';
import { ADDED, endsRun, isLegal, nextRemovalEvent, type LifecycleEvent } from '../../src/model/lifecycle';
import type { TraceEvent } from '../../src/trace/trace-event';
import { commandLabel, commandsWithSystemPower, scenarioEvents, type LifecycleCommand, type LifecycleInput } from './commands';
import { sendEvent, type DeviceSlot } from './send-event';
import { lowResourceFaultLabel } from '../../src/kernel';
import { isDefaultShape, machineConfigurationOf, machineShapeLabel, type MachineConfiguration } from '../machine-shape';

/** The machine a lifecycle run uses. */
export interface LifecycleRunOptions {
  readonly interfaceVersion: InterfaceVersion;
  readonly msix?: boolean;
  readonly cpus?: number;
  readonly channelParametersRevision?: 1 | 2;
  /** Keep the timeline (default true; the property's search turns it off and re-runs a failure with it on). */
  readonly recordTrace?: boolean;
}

/** What one run observed. */
export interface RunResult {
  /** The first rule violation, or null when the run conformed. */
  readonly violation: Violation | null;
  /** A harness failure (never the candidate's verdict). */
  readonly harnessError: string | null;
  /** The steps that ran, in order (IRPs with their devices, client calls), for counterexamples. */
  readonly steps: readonly string[];
  readonly trace: readonly TraceEvent[];
  /** How many times each rule was checked. */
  readonly exercised: ReadonlyMap<RuleId, number>;
  /** (state|event) pairs of the PnP graph taken, with counts. */
  readonly transitions: ReadonlyMap<string, number>;
  /** The machine the run used. */
  readonly machine: MachineConfiguration;
}

type Slot = DeviceSlot;

/**
 * True when the PnP or power manager may send `e` to the device: legal in its model state, and a
 * D1 or D2 IRP only to a device whose stack reported that state in its last DEVICE_CAPABILITIES
 * (the power-policy owner sends no state the device lacks).
 */
function mayBeSent(s: Slot, e: LifecycleEvent): boolean {
  if (!isLegal(s.model, e)) return false;
  if (e.type !== 'SET_POWER' || e.to === 'D0' || e.to === 'D3') return true;
  const r = s.sim.reportedPower;
  return r !== undefined && (e.to === 'D1' ? r.DeviceD1 : r.DeviceD2);
}

const MAX_DEVICES = 3;

/** One run in progress: the machine, the devices it enumerated, and what the run has recorded so far. */
class LifecycleRun {
  readonly steps: string[] = [];
  readonly transitions = new Map<string, number>();
  readonly slots: Slot[] = [];
  readonly ifaceVersion: number;
  /** The system shut down (S5): nothing more happens, not even removal or unload. */
  off = false;

  constructor(
    readonly m: Machine<NetDmaClient>,
    readonly faults: ServiceFaults,
    interfaceVersion: InterfaceVersion,
    /** Whether the engines this run enumerates implement D1 and D2 (the long tail draws it). */
    readonly deviceD1D2: boolean = false,
  ) {
    this.ifaceVersion = interfaceVersion === '1.0' ? 0x100 : interfaceVersion === '1.1' ? 0x101 : 0x200;
  }

  /** The `i`-th device not yet removed (modulo their number), if any. */
  pick(i: number): Slot | undefined {
    const l = this.slots.filter((s) => s.model.pnp !== 'Removed');
    return l.length === 0 ? undefined : l[i % l.length];
  }

  /** Names the low-resources failures injected since the last call in the step that hit them (the last one). */
  noteInjected(): void {
    const injected = this.m.lowResources.injected;
    for (; this.injectedShown < injected.length; this.injectedShown++) {
      if (this.steps.length > 0) this.steps[this.steps.length - 1] += ` [${injected[this.injectedShown]!}]`;
    }
  }

  injectedShown = 0;

  /**
   * A run whose low-resources fault targets the channel handlers: NetDMA allocates a channel as soon
   * as the provider is started (as the network stack does once a provider appears), so the handler's
   * error path is reached without waiting for a drawn allocation.
   */
  allocateAfterStart(slot: Slot): void {
    const prov = this.m.netdma.liveProvidersOf(slot.sim)[0];
    if (!prov || prov.state !== 'started' || slot.model.power !== 'D0') return;
    this.steps[this.steps.length - 1] += ' (then NetDMA allocates a channel)';
    this.m.client.allocate(prov);
    this.noteInjected();
  }

  send(slot: Slot, event: LifecycleEvent): void {
    if (this.off) return;
    const before = slot.model.pnp;
    // The system shuts down: the I/O manager sends IRP_MJ_SHUTDOWN to every registered device object first (once).
    if (event.type === 'SYSTEM_POWER' && event.to === 'S5' && this.m.pnp.shutdownRegistered.size > 0) {
      this.steps.push('IRP_MJ_SHUTDOWN to the registered device objects');
      this.m.pnp.sendShutdownNotifications();
    }
    if (event.type === 'PNP_QUERY' && event.query === 'QueryPnpDeviceState') this.m.pnp.pnpDeviceState.delete(slot.sim);
    sendEvent(this.m, slot, event, this.steps, this.transitions);
    this.noteInjected();
    if (event.type === 'START' && slot.model.pnp === 'Started' && this.m.lowResources.fault?.where === 'channel') this.allocateAfterStart(slot);
    if (endsRun(event)) this.off = true;
    if (event.type === 'START' && slot.model.pnp === 'StartFailed') {
      // The PnP manager removes a device whose START failed (F106): REMOVE after a first start; after a
      // failed restart, SURPRISE_REMOVAL and then REMOVE (F110).
      const removal: readonly LifecycleEvent[] = before === 'Added' ? [{ type: 'REMOVE' }] : [{ type: 'SURPRISE_REMOVAL' }, { type: 'REMOVE' }];
      for (const e of removal) if (!this.off && isLegal(slot.model, e)) this.send(slot, e);
    }
    if (event.type === 'PNP_QUERY' && event.query === 'QueryPnpDeviceState') this.actOnDeviceState(slot);
  }

  /**
   * The PnP manager's turn: for each device whose driver called IoInvalidateDeviceState, sends
   * IRP_MN_QUERY_PNP_DEVICE_STATE (from its own thread, between the run's steps) and acts on the
   * answer. Nothing is drawn: a driver that never invalidates its state costs nothing here.
   */
  pnpTurn(): void {
    const { m } = this;
    for (let round = 0; round < 4 && !this.off && m.pnp.invalidatedStates.size > 0; round++) {
      for (const s of this.slots) {
        if (!m.pnp.invalidatedStates.has(s.sim)) continue;
        const query: LifecycleEvent = { type: 'PNP_QUERY', query: 'QueryPnpDeviceState' };
        if (s.model.pnp === 'Removed' || s.sim.removed) {
          m.pnp.invalidatedStates.delete(s.sim);
          continue;
        }
        if (!isLegal(s.model, query)) continue; // queried when the device reaches a state that allows it
        m.pnp.invalidatedStates.delete(s.sim);
        this.send(s, query);
      }
    }
  }

  /**
   * What Windows does with a PNP_DEVICE_STATE answer (handling-an-irp-mn-surprise-removal-request.md,
   * irp-mn-start-device.md): PNP_DEVICE_FAILED alone — the device failed: IRP_MN_SURPRISE_REMOVAL
   * then IRP_MN_REMOVE_DEVICE; PNP_DEVICE_RESOURCE_REQUIREMENTS_CHANGED with PNP_DEVICE_FAILED — no
   * restart in place: QUERY_STOP, STOP, FILTER_RESOURCE_REQUIREMENTS, START; PNP_DEVICE_RESOURCE_REQUIREMENTS_CHANGED
   * alone — FILTER_RESOURCE_REQUIREMENTS then START to the started device with new resources.
   * PNP_DEVICE_NOT_DISABLEABLE and the other bits are only recorded (PnpManager.pnpDeviceState).
   */
  actOnDeviceState(slot: Slot): void {
    const bits = this.m.pnp.pnpDeviceState.get(slot.sim);
    if (bits === undefined || this.off) return;
    const failed = (bits & PNP_DEVICE_FAILED) !== 0;
    const changed = (bits & PNP_DEVICE_RESOURCE_REQUIREMENTS_CHANGED) !== 0;
    let events: readonly LifecycleEvent[] = [];
    if (failed && !changed) events = [{ type: 'SURPRISE_REMOVAL' }, { type: 'REMOVE' }];
    else if (changed && slot.model.pnp === 'Started' && slot.model.power === 'D0') {
      events = failed
        ? [{ type: 'QUERY_STOP', bus: 'succeed' }, { type: 'STOP' }, { type: 'FILTER_RESOURCE_REQUIREMENTS' }, { type: 'START', bus: 'succeed' }]
        : [{ type: 'FILTER_RESOURCE_REQUIREMENTS' }, { type: 'START', bus: 'succeed' }];
    }
    for (const e of events) {
      // A START to the started device is the one IRP the generated sequences never send; the rest must be legal.
      const restart = e.type === 'START' && slot.model.pnp === 'Started' && !failed;
      if (!restart && !isLegal(slot.model, e)) break;
      this.send(slot, e);
    }
  }

  addDevice(fault: Extract<LifecycleCommand, { kind: 'AddDevice' }>['fault']): void {
    const { m, faults, steps } = this;
    if (this.slots.length >= MAX_DEVICES) return;
    if (fault === 'create-device') faults.failNextCreateDevice = true;
    if (fault === 'register') m.netdma.faults.failNextRegister = true;
    if (fault === 'pool') faults.failPoolAttempts.add(m.pool.attempts + 1);
    steps.push(`AddDevice${fault === 'none' ? '' : ` with ${fault} failing`}`);
    const injectedBefore = m.lowResources.injected.length;
    const { device, status } = m.pnp.addDevice();
    const injected = m.lowResources.injected.length > injectedBefore;
    faults.failNextCreateDevice = false;
    m.netdma.faults.failNextRegister = false;
    faults.failPoolAttempts.clear();
    if (!NT_SUCCESS(status)) {
      steps[steps.length - 1] += ` -> ${ntStatusName(status)}`;
      this.noteInjected();
      m.verifier.check('DRV-ADD-03', fault !== 'none' || injected, () => `AddDevice failed with ${ntStatusName(status)} although nothing was made to fail`);
      return;
    }
    device.supportsD1D2 = this.deviceD1D2;
    this.noteInjected();
    const prov = m.netdma.liveProvidersOf(device)[0]!;
    this.slots.push({ sim: device, model: ADDED, ctx: { interfaceVersion: this.ifaceVersion, providerVersion: prov.version } });
    // A run whose low-resources fault targets START or the channel handlers: the PnP manager starts
    // the device right after AddDevice, as Windows does once resources are assigned, so the fault's
    // situation is reached whatever the drawn commands.
    const where = m.lowResources.fault?.where;
    if (where === 'start' || where === 'channel') this.send(this.slots[this.slots.length - 1]!, { type: 'START', bus: 'succeed' });
  }

  run(c: LifecycleCommand): void {
    const { m, steps } = this;
    if (this.off) return;
    switch (c.kind) {
      case 'AddDevice':
        return this.addDevice(c.fault);
      case 'Irp': {
        const s = this.pick(c.device);
        if (s && mayBeSent(s, c.event)) this.send(s, c.event);
        return;
      }
      case 'Scenario': {
        const s = this.pick(c.device);
        if (!s) return;
        for (const e of scenarioEvents(c.scenario)) {
          if (!mayBeSent(s, e)) break;
          this.send(s, e);
        }
        return;
      }
      case 'Allocate': {
        const s = this.pick(c.device);
        const prov = s && m.netdma.liveProvidersOf(s.sim)[0];
        if (!s || !prov || prov.state !== 'started' || s.model.power !== 'D0') return;
        steps.push(`${s.sim.pdo.Name}: NetDMA allocates a channel`);
        m.client.allocate(prov);
        this.noteInjected();
        return;
      }
      case 'Free': {
        const s = this.pick(c.device);
        const prov = s && m.netdma.liveProvidersOf(s.sim)[0];
        const chans = prov ? [...prov.channels.values()] : [];
        if (!prov || chans.length === 0) return;
        steps.push(`${s!.sim.pdo.Name}: NetDMA frees a channel`);
        m.client.free(prov, chans[c.channel % chans.length]!);
        this.noteInjected();
        return;
      }
      default:
        return assertNever(c);
    }
  }

  /**
   * Brings every device to Removed through legal IRPs, then unloads. A device whose driver refuses
   * QUERY_REMOVE is surprise-removed, then removed, as Windows does: DriverUnload never runs while
   * a device of the driver exists.
   */
  teardown(): void {
    if (this.off) return;
    for (const s of this.slots) {
      let refused = false;
      for (let i = 0, next = nextRemovalEvent(s.model); i < 6 && next; i++, next = nextRemovalEvent(s.model, refused)) {
        this.send(s, next);
        if (next.type === 'QUERY_REMOVE' && s.model.pnp !== 'RemovePending') refused = true;
      }
    }
    this.steps.push('Unload');
    this.m.pnp.unload();
    this.noteInjected();
  }
}

/**
 * Runs one generated lifecycle: load the driver, play the commands against the PnP model (each IRP
 * judged by the model, every kernel call checked by the verifier), remove every device and unload.
 * Deterministic: the same input gives the same result.
 */
export function runLifecycle(loader: DriverImageLoader, input: LifecycleInput, opts: LifecycleRunOptions): RunResult {
  const shape = input.machine;
  const m = machineWithClient({
    interfaceVersion: opts.interfaceVersion,
    msix: opts.msix ?? true,
    cpus: opts.cpus ?? 4,
    ...(shape ? { cpus: shape.cpus, interrupts: shape.interrupts, memoryBase: BigInt(shape.memoryBase), engine: { channelCount: shape.channelCount, xfercapLog2: shape.xfercapLog2 ?? 20 } } : {}),
    channelParametersRevision: opts.channelParametersRevision ?? 1,
    chooser: listChooser(input.choices),
    recordTrace: opts.recordTrace ?? true,
  });
  const faults: ServiceFaults = { failPoolAttempts: new Set(input.entryPoolFault > 0 ? [input.entryPoolFault] : []), failNextCreateDevice: false };
  const services = createKernelServices(m, faults);
  m.lowResources.plan(input.lowResources ?? null);
  const run = new LifecycleRun(m, faults, opts.interfaceVersion, input.longTail?.deviceD1D2 === true);
  const steps = run.steps;
  let harnessError: string | null = null;

  try {
    if (shape && !isDefaultShape(shape)) steps.push(machineShapeLabel(shape));
    steps.push(input.entryPoolFault > 0 ? `DriverEntry with pool allocation #${input.entryPoolFault} failing` : 'DriverEntry');
    const st = m.pnp.loadDriver(loader, services);
    faults.failPoolAttempts.clear();
    m.lowResources.arm();
    if (input.lowResources) steps[steps.length - 1] += ` (${lowResourceFaultLabel(input.lowResources)})`;
    if (!NT_SUCCESS(st)) {
      steps[steps.length - 1] += ` -> ${ntStatusName(st)}`;
      m.verifier.check('DRV-ENTRY-01', input.entryPoolFault > 0, () => `DriverEntry failed with ${ntStatusName(st)} although nothing was made to fail`);
    } else {
      for (const c of commandsWithSystemPower(input)) {
        run.run(c);
        run.pnpTurn();
      }
      for (const c of input.longTail?.commands ?? []) {
        run.run(c);
        run.pnpTurn();
      }
      run.teardown();
    }
  } catch (e) {
    if (e instanceof HarnessError) harnessError = e.message;
    else if (!(e instanceof BugCheck)) harnessError = `harness error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  }
  if (m.harnessError && !harnessError) harnessError = m.harnessError.message;
  return {
    violation: m.verifier.firstViolation ?? null,
    harnessError,
    steps,
    trace: m.trace.events(),
    exercised: m.verifier.exercisedCounts,
    transitions: run.transitions,
    machine: machineConfigurationOf(m.options),
  };
}

export { commandLabel };
