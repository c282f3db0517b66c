/**
 * Figure 3: simulated kernel calls per second, and lifecycle IRP sequences per second against
 * the reference provider.
 *
 * Kernel calls: the reference is loaded and one engine started on a fresh `Machine`; then, as
 * system code at PASSIVE_LEVEL, a loop makes five checked calls through `createKernelServices`:
 * KeAcquireSpinLock, KeReleaseSpinLock, ExAllocatePoolWithTag, ExFreePoolWithTag and
 * READ_REGISTER_ULONG of CHANSTS on the mapped BAR0. Baseline: the same five effects without
 * the simulated kernel (a lock-owner Map, a pool-block Map, `IoatEngine.mmioRead`).
 *
 * Lifecycles: `runLifecycle` over fixed inputs of about 20 IRPs each (see
 * {@link LIFECYCLE_INPUTS}), on NetDMA 2.0. Baseline: the empty lifecycle (DriverEntry, Unload: the fixed cost of a run).
 *
 * @module
 */
import { IRP_MN_START_DEVICE, NonPagedPool, PASSIVE_LEVEL, type KSPIN_LOCK } from '../src/kernel/api';
import { createKernelServices, type Machine } from '../src/kernel';
import { machineWithClient } from '../src/client';
import { CHANNEL_REGISTERS, channelBlockOffset } from '../src/hardware';
import reference from '../src/reference';
import type { LifecycleCommand, LifecycleInput, Scenario } from '../properties/lifecycle/commands';
import { runLifecycle } from '../properties/lifecycle/run-lifecycle';
import { calibrate, measurePair, rate, warmUp } from './stats';
import type { PairSamples } from './stats';

/** Kernel calls made by one iteration of the loop. */
export const CALLS_PER_ITERATION = 5;

/** A started reference device on a fresh machine, ready for the loop. */
function startedMachine(): { m: Machine; services: ReturnType<typeof createKernelServices>; bar0: bigint; length: number; engine: Machine['devices'][number]['pci'] } {
  const m = machineWithClient({ interfaceVersion: '2.0' });
  const services = createKernelServices(m, { failPoolAttempts: new Set(), failNextCreateDevice: false });
  if (m.pnp.loadDriver(reference, services) !== 0) throw new Error('reference DriverEntry failed');
  const { device, status } = m.pnp.addDevice();
  if (status !== 0) throw new Error('reference AddDevice failed');
  const out = m.pnp.sendPnp(device, IRP_MN_START_DEVICE);
  if (out.finalStatus !== 0 || device.resources === null) throw new Error('reference START failed');
  if (m.verifier.firstViolation) throw new Error(`reference violated ${m.verifier.firstViolation.ruleId}`);
  return { m, services, bar0: device.resources.bar0, length: device.pci.bar0Length, engine: device.pci };
}

const CHANSTS = channelBlockOffset(0) + CHANNEL_REGISTERS.CHANSTS.offset;
const TAG = 0x6b6e6542; // 'Benk'

/** The checked loop: a fresh machine per sample (the trace grows with every call). */
function kernelSample(iterations: number): number {
  const { m, services: k } = startedMachine();
  const lock: KSPIN_LOCK = {};
  let t = 0;
  m.runAsSystem(0, PASSIVE_LEVEL, 'bench', () => {
    k.KeInitializeSpinLock(lock);
    const bar = startedBar(m, k);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      const old = k.KeAcquireSpinLock(lock);
      k.KeReleaseSpinLock(lock, old);
      const p = k.ExAllocatePoolWithTag(NonPagedPool, 64, TAG);
      if (p === null) throw new Error('pool allocation failed');
      k.ExFreePoolWithTag(p, TAG);
      k.READ_REGISTER_ULONG(bar);
    }
    t = Number(process.hrtime.bigint() - t0) / 1e6;
  });
  if (m.verifier.firstViolation) throw new Error(`bench loop violated ${m.verifier.firstViolation.ruleId}: ${m.verifier.firstViolation.message}`);
  return t;
}

function startedBar(m: Machine, k: ReturnType<typeof createKernelServices>): bigint {
  const dev = m.devices[0]!;
  const va = k.MmMapIoSpace(dev.resources!.bar0, dev.pci.bar0Length, 0);
  if (va === null) throw new Error('MmMapIoSpace failed');
  return va + BigInt(CHANSTS);
}

/** The unchecked equivalents of the five calls. */
function baselineSample(iterations: number): number {
  const { engine } = startedMachine();
  const owners = new Map<object, number>();
  const blocks = new Map<object, number>();
  const lock = {};
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    owners.set(lock, 0);
    owners.delete(lock);
    const p = { bytes: new Uint8Array(64) };
    blocks.set(p, TAG);
    blocks.delete(p);
    sink += Number(engine.mmioRead(CHANSTS, 4));
  }
  const t = Number(process.hrtime.bigint() - t0) / 1e6;
  if (sink < 0) throw new Error('unreachable');
  return t;
}

export interface KernelFigure {
  readonly callsPerIteration: number;
  /** Calls per second, checked kernel vs unchecked equivalents. */
  readonly samples: PairSamples;
}

/** Calls per second over `rounds` interleaved rounds of about `sampleMs` each. */
export function benchKernel(rounds: number, sampleMs: number, warmupMs = 0): KernelFigure {
  const perMs = (sample: (n: number) => number, n: number): number => (n * CALLS_PER_ITERATION * 1000) / sample(n);
  warmUp((n) => void kernelSample(n), warmupMs);
  warmUp((n) => void baselineSample(n), warmupMs);
  const nK = calibrate((n) => void kernelSample(n), sampleMs, 1 << 18);
  const nB = calibrate((n) => void baselineSample(n), sampleMs, 1 << 22);
  const samples = measurePair(rounds, () => perMs(kernelSample, nK), () => perMs(baselineSample, nB));
  return { callsPerIteration: CALLS_PER_ITERATION, samples };
}

/** IRPs a run sent (steps naming a device and an IRP or power event, not NetDMA's own calls). */
export function irpCount(steps: readonly string[]): number {
  return steps.filter((s) => /^PDO#\d+: /.test(s) && !s.includes('NetDMA')).length;
}

const sc = (device: number, scenario: Scenario): LifecycleCommand => ({ kind: 'Scenario', device, scenario });
const add: LifecycleCommand = { kind: 'AddDevice', fault: 'none' };

/**
 * Fixed lifecycle inputs of about 20 IRPs each (the generator's own samples are mostly short:
 * most send fewer than 5), built from the HLK scenarios the generator weights: rebalance,
 * failed query-stop / query-remove with their cancels, power cycles, surprise removal, a
 * restart the bus fails, NetDMA allocating and freeing channels, one and two engines.
 */
export const LIFECYCLE_INPUTS: readonly LifecycleInput[] = [
  {
    commands: [add, sc(0, 'start'), { kind: 'Allocate', device: 0 }, sc(0, 'rebalance'), sc(0, 'power-cycle'), { kind: 'Allocate', device: 0 }, { kind: 'Free', device: 0, channel: 1 }, sc(0, 'failed-query-stop'), sc(0, 'rebalance-filter-after-stop'), sc(0, 'query-remove-cancelled'), sc(0, 'power-cycle'), sc(0, 'query-remove-remove')],
    choices: [0, 1, 2, 3],
    entryPoolFault: 0,
  },
  {
    commands: [add, add, sc(0, 'start'), sc(1, 'start'), sc(0, 'rebalance'), sc(1, 'power-cycle'), sc(0, 'failed-query-remove'), { kind: 'Allocate', device: 1 }, sc(1, 'surprise-remove'), sc(0, 'rebalance-restart-fails')],
    choices: [1, 0, 3, 2],
    entryPoolFault: 0,
  },
  {
    commands: [add, sc(0, 'start'), sc(0, 'power-cycle'), { kind: 'Allocate', device: 0 }, sc(0, 'power-cycle'), sc(0, 'rebalance'), sc(0, 'failed-query-stop'), { kind: 'Free', device: 0, channel: 0 }, sc(0, 'stopped-then-surprise'), add, sc(0, 'start')],
    choices: [2, 2, 1],
    entryPoolFault: 0,
  },
  {
    commands: [add, add, add, sc(0, 'start'), sc(1, 'start'), sc(2, 'start-fails-then-remove'), sc(0, 'power-cycle'), sc(1, 'failed-query-stop'), { kind: 'Allocate', device: 0 }, { kind: 'Allocate', device: 1 }, sc(0, 'query-remove-cancelled'), sc(1, 'rebalance'), sc(0, 'surprise-remove')],
    choices: [3, 1, 4, 1, 5],
    entryPoolFault: 0,
  },
];

/** The IRP count of each fixed input's run (they must all conform). */
export function lifecycleIrps(): number[] {
  return LIFECYCLE_INPUTS.map((input) => {
    const r = runLifecycle(reference, input, { interfaceVersion: '2.0' });
    if (r.violation || r.harnessError) throw new Error(`reference rejected a bench lifecycle: ${r.violation?.message ?? r.harnessError}`);
    return irpCount(r.steps);
  });
}

export interface LifecycleFigure {
  readonly inputs: number;
  readonly meanIrps: number;
  /** Lifecycles per second: ~20-IRP sequences vs the empty lifecycle. */
  readonly samples: PairSamples;
}

const EMPTY: LifecycleInput = { commands: [], choices: [], entryPoolFault: 0 };

export function benchLifecycles(rounds: number, sampleMs: number, warmupMs = 0): LifecycleFigure {
  const inputs = LIFECYCLE_INPUTS;
  const irps = lifecycleIrps();
  const meanIrps = irps.reduce((a, b) => a + b, 0) / irps.length;
  let k = 0;
  // As the property's search runs them: numbered events, no timeline objects (a failure is re-run with them).
  const opts = { interfaceVersion: '2.0', recordTrace: false } as const;
  const runSome = (n: number): void => {
    for (let i = 0; i < n; i++) runLifecycle(reference, inputs[k++ % inputs.length]!, opts);
  };
  const runEmpty = (n: number): void => {
    for (let i = 0; i < n; i++) runLifecycle(reference, EMPTY, opts);
  };
  warmUp(runSome, warmupMs);
  warmUp(runEmpty, warmupMs);
  const nL = calibrate(runSome, sampleMs);
  const nE = calibrate(runEmpty, sampleMs);
  const samples = measurePair(rounds, () => rate(runSome, nL, 1), () => rate(runEmpty, nE, 1));
  return { inputs: inputs.length, meanIrps, samples };
}
