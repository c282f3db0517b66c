import { match } from 'ts-pattern';
import type { RuleId } from '../../spec';
import {
  NT_SUCCESS,
  ntStatusName,
} from '../../src/kernel/api';
import { BugCheck, HarnessError, createKernelServices, lowResourceFaultLabel, type Machine, listChooser, type DriverImageLoader, type InterfaceVersion, type Violation } from '../../src/kernel';
import { machineWithClient, type ClientDataPath, type DpChannel } from '../../src/client';
import { ADDED, isLegal, nextRemovalEvent, type DeviceModel, type LifecycleEvent, type ModelContext } from '../../src/model/lifecycle';
import type { TraceEvent } from '../../src/trace/trace-event';
import { commandLabel, commandsWithSleeps, type DatapathCommand, type DatapathInput, type PnpWithCopies } from './commands';
import { sendEvent } from '../lifecycle/send-event';
import { isDefaultShape, machineConfigurationOf, machineShapeLabel, type MachineConfiguration } from '../machine-shape';

/** The machine a data-path run uses. */
export interface DatapathRunOptions {
  readonly interfaceVersion: InterfaceVersion;
  readonly msix?: boolean;
  readonly cpus?: number;
  readonly channelParametersRevision?: 1 | 2;
}

/** What one run observed. */
export interface DatapathRunResult {
  readonly violation: Violation | null;
  readonly harnessError: string | null;
  readonly steps: readonly string[];
  readonly trace: readonly TraceEvent[];
  readonly exercised: ReadonlyMap<RuleId, number>;
  readonly transitions: ReadonlyMap<string, number>;
  readonly stats: ClientDataPath['stats'] & { readonly engineSteps: number };
  /** The machine the run used. */
  readonly machine: MachineConfiguration;
}


function pnpEvents(e: PnpWithCopies): LifecycleEvent[] {
  return match(e)
    .with('rebalance', (): LifecycleEvent[] => [{ type: 'QUERY_STOP', bus: 'succeed' }, { type: 'FILTER_RESOURCE_REQUIREMENTS' }, { type: 'STOP' }, { type: 'START', bus: 'succeed' }])
    .with('cancelled-stop', (): LifecycleEvent[] => [{ type: 'QUERY_STOP', bus: 'fail' }])
    .with('surprise-remove', (): LifecycleEvent[] => [{ type: 'SURPRISE_REMOVAL' }, { type: 'REMOVE' }])
    .with('power-cycle', (): LifecycleEvent[] => [{ type: 'SET_POWER', to: 'D3' }, { type: 'SET_POWER', to: 'D0' }])
    .with('sleep-resume', (): LifecycleEvent[] => [{ type: 'SYSTEM_POWER', to: 'S3', bus: 'succeed' }])
    .exhaustive();
}

/**
 * Runs one generated data-path workload: load the driver, enumerate and start one engine with the
 * NetDMA client's data path on, play the commands (copies through the provider's handlers, PnP and
 * power events in flight), then wait for everything, remove the device and unload. Every kernel call
 * is checked by the verifier and every copy by the data-path checks. Deterministic.
 */
export function runDatapathWorkload(loader: DriverImageLoader, input: DatapathInput, opts: DatapathRunOptions): DatapathRunResult {
  const shape = input.machine;
  const m = machineWithClient({
    interfaceVersion: opts.interfaceVersion,
    msix: opts.msix ?? true,
    cpus: opts.cpus ?? 4,
    ...(shape ? { cpus: shape.cpus, interrupts: shape.interrupts, memoryBase: BigInt(shape.memoryBase) } : {}),
    channelParametersRevision: opts.channelParametersRevision ?? 2,
    engine: {
      dca: input.engineDca ?? true,
      xfercapLog2: input.xfercapLog2 ?? 20,
      prefetchDepth: input.engineTiming?.prefetch ?? 0,
      resetDelayUs: input.engineTiming?.resetDelayUs ?? 0,
      ...(shape ? { channelCount: shape.channelCount } : {}),
    },
    chooser: listChooser(input.choices),
  });
  const services = createKernelServices(m, { failPoolAttempts: new Set(), failNextCreateDevice: false });
  const dp = m.client.enableDataPath();
  const steps: string[] = [];
  const transitions = new Map<string, number>();
  const ifaceVersion = opts.interfaceVersion === '1.0' ? 0x100 : opts.interfaceVersion === '1.1' ? 0x101 : 0x200;
  let harnessError: string | null = null;
  let slot: { sim: ReturnType<Machine['pnp']['addDevice']>['device']; model: DeviceModel; ctx: ModelContext } | null = null;

  const send = (event: LifecycleEvent): void =>
    sendEvent(m, slot!, event, steps, transitions, { beforePowerDown: (dev) => m.client.beforeDevicePowerDown(dev), afterPowerUp: (dev) => m.client.afterDevicePowerUp(dev) });

  const provider = () => (slot ? m.netdma.liveProvidersOf(slot.sim)[0] : undefined);
  const channels = (): DpChannel[] => dp.live().filter((c) => c.prov === provider());
  const started = () => provider()?.state === 'started' && slot?.model.power === 'D0';
  const pick = (i: number): DpChannel | undefined => {
    const l = channels();
    return l.length === 0 ? undefined : l[i % l.length];
  };
  const allocate = (): DpChannel | undefined => {
    const prov = provider();
    if (!prov || !started()) return undefined;
    const ch = m.client.allocate(prov);
    return ch ? dp.channels.find((c) => c.rec === ch) : undefined;
  };

  let injectedShown = 0;
  const noteInjected = (): void => {
    for (const inj = m.lowResources.injected; injectedShown < inj.length; injectedShown++) if (steps.length > 0) steps[steps.length - 1] += ` [${inj[injectedShown]!}]`;
  };
  const run = (c: DatapathCommand): void => {
    noteInjected();
    steps.push(commandLabel(c));
    match(c)
      .with({ kind: 'Allocate' }, () => {
        if (!allocate()) steps[steps.length - 1] += ' (none)';
      })
      .with({ kind: 'Copy' }, (x) => {
        if (!started()) return;
        const ch = pick(x.channel) ?? allocate();
        if (ch) dp.copy(ch, x.copies);
      })
      .with({ kind: 'SuspendEditResume' }, (x) => {
        const ch = started() ? pick(x.channel) : undefined;
        if (ch) dp.suspendEditResume(ch, x.edit);
      })
      .with({ kind: 'Abort' }, (x) => {
        const ch = started() ? pick(x.channel) : undefined;
        if (ch) dp.abort(ch);
      })
      .with({ kind: 'Reset' }, (x) => {
        const ch = started() ? pick(x.channel) : undefined;
        if (ch) dp.reset(ch);
      })
      .with({ kind: 'Free' }, (x) => {
        const ch = started() ? pick(x.channel) : undefined;
        if (ch) m.client.free(ch.prov, ch.rec);
      })
      .with({ kind: 'Run' }, (x) => {
        m.engines.drain(x.steps);
      })
      .with({ kind: 'Check' }, () => {
        dp.quiesce();
        dp.checkWriteLog();
      })
      .with({ kind: 'Fault' }, (x) => {
        const ch = started() ? pick(x.channel) : undefined;
        if (ch) dp.inject(ch, x.fault);
      })
      .with({ kind: 'Pnp' }, (x) => {
        if (!slot || slot.model.pnp === 'Removed') return;
        for (const e of pnpEvents(x.event)) {
          if (!isLegal(slot.model, e)) break;
          send(e);
        }
      })
      .exhaustive();
  };

  try {
    if (shape && !isDefaultShape(shape)) steps.push(machineShapeLabel(shape));
    if (input.engineDca === false) steps.push('(the engine has no DCA: its PCI capability lacks ENGINE_FEATURE_DCA)');
    if (input.xfercapLog2 !== undefined && input.xfercapLog2 !== 20) steps.push(`(the engine's XFERCAP is ${input.xfercapLog2}: ${2 ** input.xfercapLog2} bytes per descriptor at most)`);
    const timing = input.engineTiming;
    if (timing !== undefined && timing.prefetch > 0) steps.push(`(the engine fetches ${timing.prefetch} descriptor(s) ahead: CDAR runs ahead of CHANSTS, and a tail it read as the end of the chain stays so until APPEND or DMACOUNT)`);
    if (timing !== undefined && timing.resetDelayUs > 0) steps.push(`(a CHANCMD RESET takes ${timing.resetDelayUs} µs to self-clear; writes to the channel meanwhile are lost)`);
    steps.push('DriverEntry');
    const st = m.pnp.loadDriver(loader, services);
    if (!NT_SUCCESS(st)) {
      m.verifier.check('DRV-ENTRY-01', false, () => `DriverEntry failed with ${ntStatusName(st)} although nothing was made to fail`);
    }
    steps.push('AddDevice');
    const { device, status } = m.pnp.addDevice();
    if (!NT_SUCCESS(status)) m.verifier.check('DRV-ADD-03', false, () => `AddDevice failed with ${ntStatusName(status)} although nothing was made to fail`);
    const prov = m.netdma.liveProvidersOf(device)[0]!;
    slot = { sim: device, model: ADDED, ctx: { interfaceVersion: ifaceVersion, providerVersion: prov.version } };
    send({ type: 'FILTER_RESOURCE_REQUIREMENTS' });
    send({ type: 'START', bus: 'succeed' });
    // Low resources in the channel handlers from here on (the data path's own setup is not failed).
    m.lowResources.plan(input.lowResources ?? null);
    m.lowResources.arm();
    if (input.lowResources) steps[steps.length - 1] += ` (${lowResourceFaultLabel(input.lowResources)})`;
    if ((input.allocateAtStart ?? 0) > 0) {
      steps.push(`NetDMA allocates up to ${input.allocateAtStart} channels`);
      for (let i = 0; i < input.allocateAtStart! && allocate(); i++);
    }
    for (const c of commandsWithSleeps(input)) run(c);
    noteInjected();
    steps.push('wait for everything outstanding and check');
    dp.quiesce();
    dp.checkWriteLog();
    // A refused QUERY_REMOVE leaves the device in place: it goes by surprise removal, then REMOVE (as in the lifecycle teardown).
    let refused = false;
    for (let i = 0, next = nextRemovalEvent(slot.model); i < 6 && next; i++, next = nextRemovalEvent(slot.model, refused)) {
      send(next);
      if (next.type === 'QUERY_REMOVE' && slot.model.pnp !== 'RemovePending') refused = true;
    }
    dp.checkWriteLog();
    steps.push('Unload');
    m.pnp.unload();
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
    transitions,
    stats: { ...dp.stats, engineSteps: m.engines.steps },
    machine: machineConfigurationOf(m.options),
  };
}
