import fc from 'fast-check';
import { match } from 'ts-pattern';
import type { LifecycleEvent, SpecialFile } from '../../src/model/lifecycle';
import { PNP_QUERIES, eventLabel } from '../../src/model/lifecycle';
import type { LowResourceFault, LowResourceService, LowResourceWhere } from '../../src/kernel';
import { machineShapeWithXfercapArb, type MachineShape } from '../machine-shape';

/** HLK Device Fundamentals scenarios (TESTING-ANCHORS.md), each a short IRP sequence. */
export type Scenario =
  | 'start'
  | 'rebalance'
  | 'failed-query-stop'
  | 'query-remove-remove'
  | 'failed-query-remove'
  | 'surprise-remove'
  | 'start-fails-then-remove'
  | 'remove-before-start'
  | 'power-cycle'
  | 'rebalance-restart-fails'
  | 'rebalance-filter-after-stop'
  | 'stopped-then-surprise'
  | 'query-remove-cancelled'
  | 'query-remove-relations'
  | 'paging-file'
  | 'open-while-remove-pending'
  | 'rebalance-requery'
  | 'surprise-while-stop-pending';

/** One generated step of a lifecycle run. A tagged union, dispatched exhaustively. */
export type LifecycleCommand =
  | { readonly kind: 'AddDevice'; readonly fault: 'none' | 'create-device' | 'register' | 'pool' }
  | { readonly kind: 'Irp'; readonly device: number; readonly event: LifecycleEvent }
  | { readonly kind: 'Scenario'; readonly device: number; readonly scenario: Scenario }
  | { readonly kind: 'Allocate'; readonly device: number }
  | { readonly kind: 'Free'; readonly device: number; readonly channel: number };

/** The IRP sequence a scenario sends (the PnP manager sends CANCEL_* itself after a failed query). */
export function scenarioEvents(s: Scenario): readonly LifecycleEvent[] {
  return SCENARIOS[s];
}

/** The IRPs of each scenario. A Record over Scenario: a new scenario does not compile until listed. */
const SCENARIOS: Readonly<Record<Scenario, readonly LifecycleEvent[]>> = {
  start: [{ type: 'FILTER_RESOURCE_REQUIREMENTS' }, { type: 'START', bus: 'succeed' }],
  rebalance: [{ type: 'QUERY_STOP', bus: 'succeed' }, { type: 'FILTER_RESOURCE_REQUIREMENTS' }, { type: 'STOP' }, { type: 'START', bus: 'succeed' }],
  'rebalance-filter-after-stop': [{ type: 'QUERY_STOP', bus: 'succeed' }, { type: 'STOP' }, { type: 'FILTER_RESOURCE_REQUIREMENTS' }, { type: 'START', bus: 'succeed' }],
  'stopped-then-surprise': [{ type: 'QUERY_STOP', bus: 'succeed' }, { type: 'STOP' }, { type: 'SURPRISE_REMOVAL' }, { type: 'REMOVE' }],
  'query-remove-cancelled': [{ type: 'QUERY_REMOVE', bus: 'succeed' }, { type: 'CANCEL_REMOVE' }],
  'rebalance-restart-fails': [{ type: 'QUERY_STOP', bus: 'succeed' }, { type: 'STOP' }, { type: 'START', bus: 'fail' }, { type: 'SURPRISE_REMOVAL' }, { type: 'REMOVE' }],
  'failed-query-stop': [{ type: 'QUERY_STOP', bus: 'fail' }],
  'query-remove-remove': [{ type: 'QUERY_REMOVE', bus: 'succeed' }, { type: 'REMOVE' }],
  'failed-query-remove': [{ type: 'QUERY_REMOVE', bus: 'fail' }],
  'surprise-remove': [{ type: 'SURPRISE_REMOVAL' }, { type: 'REMOVE' }],
  'start-fails-then-remove': [{ type: 'START', bus: 'fail' }, { type: 'REMOVE' }],
  'remove-before-start': [{ type: 'REMOVE' }],
  'power-cycle': [{ type: 'SET_POWER', to: 'D3' }, { type: 'SET_POWER', to: 'D0' }],
  // The PnP manager asks for removal relations before it sends QUERY_REMOVE.
  'query-remove-relations': [{ type: 'PNP_QUERY', query: 'RemovalRelations' }, { type: 'QUERY_REMOVE', bus: 'succeed' }, { type: 'REMOVE' }],
  // A paging file placed on the device's path, the queries it must then refuse (F51, F108, F111), the file taken off again.
  'paging-file': [
    { type: 'DEVICE_USAGE_NOTIFICATION', usage: 'Paging', inPath: true },
    { type: 'QUERY_STOP', bus: 'succeed' },
    { type: 'QUERY_REMOVE', bus: 'succeed' },
    { type: 'DEVICE_USAGE_NOTIFICATION', usage: 'Paging', inPath: false },
  ],
  // An application opens the device after a granted QUERY_REMOVE (F111: the create must fail), then after CANCEL_REMOVE.
  // A rebalance in which the PnP manager asks again for the requirements of the stopped device (and WMI asks meanwhile).
  'rebalance-requery': [
    { type: 'QUERY_STOP', bus: 'succeed' },
    { type: 'SYSTEM_CONTROL' },
    { type: 'PNP_QUERY', query: 'RemovalRelations' },
    { type: 'STOP' },
    { type: 'PNP_QUERY', query: 'QueryResourceRequirements' },
    { type: 'SYSTEM_CONTROL' },
    { type: 'FILTER_RESOURCE_REQUIREMENTS' },
    { type: 'START', bus: 'succeed' },
  ],
  // The device is unplugged during a rebalance, before STOP (F114: in any state after AddDevice).
  'surprise-while-stop-pending': [{ type: 'QUERY_STOP', bus: 'succeed' }, { type: 'SURPRISE_REMOVAL' }, { type: 'REMOVE' }],
  // An application opens the device after a granted QUERY_REMOVE (F111: the create must fail); then the device is unplugged (F114).
  'open-while-remove-pending': [{ type: 'QUERY_REMOVE', bus: 'succeed' }, { type: 'OPEN_HANDLE', ioctl: true }, { type: 'SURPRISE_REMOVAL' }, { type: 'REMOVE' }],
};

/** A one-line description of a command, for counterexamples. */
export function commandLabel(c: LifecycleCommand): string {
  return match(c)
    .with({ kind: 'AddDevice' }, (x) => `AddDevice${x.fault === 'none' ? '' : ` (fault: ${x.fault} fails)`}`)
    .with({ kind: 'Irp' }, (x) => `device ${x.device}: ${eventLabel(x.event)}`)
    .with({ kind: 'Scenario' }, (x) => `device ${x.device}: scenario ${x.scenario}`)
    .with({ kind: 'Allocate' }, (x) => `device ${x.device}: NetDMA allocates a channel`)
    .with({ kind: 'Free' }, (x) => `device ${x.device}: NetDMA frees channel ${x.channel}`)
    .exhaustive();
}

const device = fc.nat({ max: 3 });

/** Most commands a long run draws after its START. */
export const LONG_RUN_MAX_COMMANDS = 140;
/** Weights of runs without and with a long tail (one in their sum has one: the added cost stays bounded). */
export const LONG_RUN_WEIGHT: readonly [number, number] = [10, 1];
const busAnswer = fc.constantFrom<'succeed' | 'fail'>('succeed', 'succeed', 'succeed', 'fail');

/** Single IRPs, any kind; the runner skips the ones illegal in the device's state. */
const eventArb: fc.Arbitrary<LifecycleEvent> = fc.oneof(
  fc.record({ type: fc.constant('START' as const), bus: fc.constantFrom<'succeed' | 'fail' | 'pend'>('succeed', 'succeed', 'pend', 'fail') }),
  fc.record({ type: fc.constant('QUERY_STOP' as const), bus: busAnswer }),
  fc.constant({ type: 'STOP' } as const),
  fc.constant({ type: 'CANCEL_STOP' } as const),
  fc.record({ type: fc.constant('QUERY_REMOVE' as const), bus: busAnswer }),
  fc.constant({ type: 'CANCEL_REMOVE' } as const),
  fc.constant({ type: 'REMOVE' } as const),
  fc.constant({ type: 'SURPRISE_REMOVAL' } as const),
  fc.constant({ type: 'FILTER_RESOURCE_REQUIREMENTS' } as const),
  fc.record({ type: fc.constant('SET_POWER' as const), to: fc.constantFrom<'D0' | 'D3'>('D0', 'D3') }),
  fc.constantFrom<LifecycleEvent>({ type: 'QUERY_CAPABILITIES' }, { type: 'QUERY_CAPABILITIES', bus: 'pend' }),
);

/**
 * The rest of the surface (issue 12), drawn as IRPs of their own so that the state IRPs above keep
 * their frequency: PnP queries (the bus pends a third of them), usage notifications, opens, WMI.
 */
const surfaceEventArb: fc.Arbitrary<LifecycleEvent> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...PNP_QUERIES), fc.constantFrom(false, false, true))
      .map(([query, pend]): LifecycleEvent => (pend ? { type: 'PNP_QUERY', query, bus: 'pend' } : { type: 'PNP_QUERY', query })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom<SpecialFile>('Paging', 'Paging', 'Hibernation', 'DumpFile'), fc.constantFrom(true, true, false), fc.constantFrom(false, false, true))
      .map(([usage, inPath, pend]): LifecycleEvent => (pend ? { type: 'DEVICE_USAGE_NOTIFICATION', usage, inPath, bus: 'pend' } : { type: 'DEVICE_USAGE_NOTIFICATION', usage, inPath })),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('OPEN_HANDLE' as const), ioctl: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ type: 'SYSTEM_CONTROL' } as const) },
);

const scenarioArb = fc.constantFrom<Scenario>(
  'start', 'start', 'start', 'start', 'rebalance', 'rebalance', 'rebalance', 'rebalance-restart-fails', 'failed-query-stop', 'failed-query-stop',
  'rebalance-filter-after-stop', 'stopped-then-surprise', 'query-remove-cancelled', 'query-remove-remove', 'failed-query-remove', 'failed-query-remove', 'surprise-remove', 'start-fails-then-remove', 'remove-before-start',
  'power-cycle', 'power-cycle', 'power-cycle', 'query-remove-relations', 'paging-file', 'open-while-remove-pending',
  'rebalance-requery', 'power-cycle', 'surprise-while-stop-pending',
);

/** A command, weighted so the HLK scenarios occur often. */
export const commandArb: fc.Arbitrary<LifecycleCommand> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('AddDevice' as const), fault: fc.constantFrom<'none' | 'create-device' | 'register' | 'pool'>('none', 'none', 'none', 'none', 'none', 'create-device', 'register', 'pool') }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('Scenario' as const), device, scenario: scenarioArb }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('Irp' as const), device, event: eventArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('Irp' as const), device, event: surfaceEventArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('Allocate' as const), device }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('Free' as const), device, channel: fc.nat({ max: 7 }) }) },
);

/**
 * The steps of a long run (HLK-style: 20–60 IRPs through rebalance, device and system power, query
 * and cancel, data-path activity). Single IRPs, not scenarios: the runner skips those illegal in the
 * device's state, so the chain goes on whatever comes, and a failure met in it shrinks IRP by IRP
 * to its shortest sequence (a scenario only shrinks to another scenario). Weighted so the device
 * goes round the rebalance (QUERY_STOP, STOP, START) and the power states (D2/D1 when the stack
 * reported them, D3, D0, system sleeps) many times, and comes to its end (removal) rarely.
 */
const longEventArb: fc.Arbitrary<LifecycleEvent> = fc.oneof(
  { weight: 8, arbitrary: fc.constant<LifecycleEvent>({ type: 'QUERY_STOP', bus: 'succeed' }) },
  { weight: 2, arbitrary: fc.constant<LifecycleEvent>({ type: 'QUERY_STOP', bus: 'fail' }) },
  { weight: 8, arbitrary: fc.constant<LifecycleEvent>({ type: 'STOP' }) },
  { weight: 2, arbitrary: fc.constant<LifecycleEvent>({ type: 'CANCEL_STOP' }) },
  { weight: 10, arbitrary: fc.constant<LifecycleEvent>({ type: 'START', bus: 'succeed' }) },
  { weight: 2, arbitrary: fc.constant<LifecycleEvent>({ type: 'START', bus: 'pend' }) },
  { weight: 6, arbitrary: fc.constant<LifecycleEvent>({ type: 'FILTER_RESOURCE_REQUIREMENTS' }) },
  { weight: 4, arbitrary: fc.constantFrom<LifecycleEvent>({ type: 'QUERY_REMOVE', bus: 'succeed' }, { type: 'QUERY_REMOVE', bus: 'fail' }) },
  { weight: 4, arbitrary: fc.constant<LifecycleEvent>({ type: 'CANCEL_REMOVE' }) },
  // The end of the device: unplugged, removed, or a restart the bus fails.
  { weight: 1, arbitrary: fc.constantFrom<LifecycleEvent>({ type: 'SURPRISE_REMOVAL' }, { type: 'REMOVE' }, { type: 'START', bus: 'fail' }) },
  { weight: 6, arbitrary: fc.constant<LifecycleEvent>({ type: 'QUERY_CAPABILITIES' }) },
  { weight: 8, arbitrary: fc.constant<LifecycleEvent>({ type: 'SET_POWER', to: 'D2' }) },
  { weight: 2, arbitrary: fc.constant<LifecycleEvent>({ type: 'SET_POWER', to: 'D1' }) },
  { weight: 6, arbitrary: fc.constant<LifecycleEvent>({ type: 'SET_POWER', to: 'D3' }) },
  { weight: 8, arbitrary: fc.constant<LifecycleEvent>({ type: 'SET_POWER', to: 'D0' }) },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('SYSTEM_POWER' as const),
      to: fc.constantFrom<'S1' | 'S3' | 'S4'>('S3', 'S3', 'S4', 'S1'),
      bus: fc.constantFrom<'succeed' | 'fail' | 'pend'>('succeed', 'succeed', 'succeed', 'pend', 'fail'),
    }),
  },
  { weight: 4, arbitrary: surfaceEventArb },
);
const longCommandArb: fc.Arbitrary<LifecycleCommand> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('Irp' as const), device, event: longEventArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('Allocate' as const), device }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('Free' as const), device, channel: fc.nat({ max: 7 }) }) },
);

/**
 * The long tail of a run: more commands played after its own (before the teardown), and whether the
 * machine's engines implement D1 and D2 (the PCI function's power management capability, reported
 * in DEVICE_CAPABILITIES), which only long runs draw: their power-policy owner idles the device.
 */
export interface LongTail {
  readonly commands: readonly LifecycleCommand[];
  readonly deviceD1D2: boolean;
}

/** Most runs have no long tail (and engines without D1 and D2, as before long tails existed). */
export const NO_LONG_TAIL: LongTail = { commands: [], deviceD1D2: false };

/**
 * A long tail: a new engine enumerated (AddDevice, optional so that it shrinks away: the run's own
 * commands may have removed theirs), then up to {@link LONG_RUN_MAX_COMMANDS} commands of
 * {@link longCommandArb} drawn at full size (uniformly many; each applies to an engine chosen as the
 * run's commands do). The array shrinks like any, so a failure first met in a long run still
 * shrinks to its shortest sequence.
 */
const longTailArb: fc.Arbitrary<LongTail> = fc.record({
  commands: fc
    .tuple(fc.option(fc.constant<LifecycleCommand>({ kind: 'AddDevice', fault: 'none' }), { freq: 20 }), fc.array(longCommandArb, { maxLength: LONG_RUN_MAX_COMMANDS, size: 'max' }))
    .map(([add, rest]): LifecycleCommand[] => (add === null ? rest : [add, ...rest])),
  deviceD1D2: fc.boolean(),
});

/** A system power transition drawn for a run, and where among its commands it happens. */
export interface SystemPowerStep {
  /** Index in `commands` before which it is played (past the end: after the last command). */
  readonly at: number;
  readonly event: Extract<LifecycleEvent, { type: 'SYSTEM_POWER' }>;
  /** Which enumerated device's stack it is judged on (each stack gets the system IRPs). */
  readonly device: number;
}

/** System sleep (S1, S3), hibernate (S4) or shutdown (S5), the lower drivers' answer drawn too. */
export const systemPowerEventArb: fc.Arbitrary<Extract<LifecycleEvent, { type: 'SYSTEM_POWER' }>> = fc.record({
  type: fc.constant('SYSTEM_POWER' as const),
  to: fc.constantFrom<'S1' | 'S3' | 'S4' | 'S5'>('S3', 'S3', 'S4', 'S1', 'S5'),
  bus: fc.constantFrom<'succeed' | 'fail' | 'pend'>('succeed', 'succeed', 'pend', 'fail'),
});

/**
 * Everything one run draws: its steps, the scheduler's decisions, an optional DriverEntry fault,
 * and the system power transitions played among the steps.
 */
export interface LifecycleInput {
  readonly commands: readonly LifecycleCommand[];
  readonly choices: readonly number[];
  /** Fail this pool allocation (1-based) during DriverEntry, or 0 for none. */
  readonly entryPoolFault: number;
  /**
   * System power transitions, each inserted before the command at its index. Drawn last, so the
   * other fields are drawn exactly as before they existed, and shrunk on their own (to none).
   */
  readonly systemPower?: readonly SystemPowerStep[];
  /**
   * The long tail (issue 13): commands played after the others, in one run out of
   * {@link LONG_RUN_WEIGHT}'s sum. Drawn after every other field, so that those are drawn exactly as
   * before it existed, and shrunk on its own (towards no commands).
   */
  readonly longTail?: LongTail;
  /**
   * Driver Verifier's low-resources simulation: the one fallible kernel call that fails after
   * DriverEntry (null: none). Drawn after everything else, shrunk toward none.
   */
  readonly lowResources?: LowResourceFault | null;
  /**
   * The machine the run uses (channels, processors, interrupts, memory, XFERCAP). Drawn last, so the
   * fields above are drawn as before; absent: 4 channels, 4 processors, MSI-X, memory below 4 GiB.
   */
  readonly machine?: MachineShape;
}

/** The commands of `input` with its system power transitions inserted where they were drawn. */
export function commandsWithSystemPower(input: LifecycleInput): readonly LifecycleCommand[] {
  const sys = input.systemPower ?? [];
  if (sys.length === 0) return input.commands;
  const out: LifecycleCommand[] = [];
  const at = (i: number) => sys.filter((s) => Math.min(s.at, input.commands.length) === i);
  for (let i = 0; i <= input.commands.length; i++) {
    for (const s of at(i)) out.push({ kind: 'Irp', device: s.device, event: s.event });
    const c = input.commands[i];
    if (c) out.push(c);
  }
  return out;
}

/**
 * Where each fallible service is drawn to fail, with weights: only where a provider calls it
 * (MmMapIoSpace, IoConnectInterruptEx and the bus interface at START; pool and RESET in START, the
 * channel handlers and the power paths). Pool allocations are most of a provider's fallible calls
 * (and Driver Verifier's first target), then channels whose RESET never self-clears.
 */
const LOW_RESOURCE_DRAWS: readonly (readonly [LowResourceService, LowResourceWhere, number])[] = [
  ['pool', 'any', 1],
  ['pool', 'channel', 4],
  ['pool', 'start', 3],
  ['pool', 'power', 2],
  ['reset-hang', 'start', 3],
  ['reset-hang', 'channel', 2],
  ['map-io-space', 'start', 2],
  ['connect-interrupt', 'start', 2],
  ['bus-interface', 'start', 2],
  ['config-read', 'start', 2],
  ['contiguous', 'start', 1],
  ['contiguous', 'channel', 1],
  ['work-item', 'any', 1],
  ['work-item', 'power', 1],
  ['irp', 'any', 1],
  ['irp', 'power', 1],
];

/**
 * One low-resources fault: which fallible service, where (START, a channel handler, a power IRP,
 * anywhere), and which of those calls (the n-th, mostly the first) fails.
 */
export const lowResourceFaultArb: fc.Arbitrary<LowResourceFault> = fc
  .tuple(
    fc.oneof(...LOW_RESOURCE_DRAWS.map(([service, where, weight]) => ({ weight, arbitrary: fc.constant({ service, where }) }))),
    fc.oneof({ weight: 3, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 4 }) }),
  )
  .map(([{ service, where }, nth]): LowResourceFault => ({ service, where, nth }));

/** A run's low-resources fault: none in about two runs of three; shrinks toward none. */
export const lowResourcesArb: fc.Arbitrary<LowResourceFault | null> = fc.oneof(
  { withCrossShrink: true },
  { weight: 13, arbitrary: fc.constant(null) },
  { weight: 7, arbitrary: lowResourceFaultArb },
);

/** The input arbitrary: an AddDevice first, then weighted commands, so most runs reach started states. */
export const lifecycleInputArb: fc.Arbitrary<LifecycleInput> = fc.record({
  // Every run enumerates one engine first; the rest may add more (up to three).
  commands: fc
    .tuple(fc.constantFrom<'none' | 'create-device' | 'register' | 'pool'>('none', 'none', 'none', 'none', 'none', 'none', 'none', 'create-device', 'register', 'pool'), fc.array(commandArb, { maxLength: 30 }))
    .map(([fault, rest]): LifecycleCommand[] => [{ kind: 'AddDevice', fault }, ...rest]),
  choices: fc.array(fc.nat({ max: 15 }), { maxLength: 32 }),
  entryPoolFault: fc.oneof({ weight: 19, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) }),
  systemPower: fc.array(fc.record({ at: fc.nat({ max: 31 }), event: systemPowerEventArb, device: fc.nat({ max: 3 }) }), { maxLength: 2 }),
  longTail: fc.oneof({ weight: LONG_RUN_WEIGHT[0], arbitrary: fc.constant(NO_LONG_TAIL) }, { weight: LONG_RUN_WEIGHT[1], arbitrary: longTailArb }),
  lowResources: lowResourcesArb,
  machine: machineShapeWithXfercapArb,
});
