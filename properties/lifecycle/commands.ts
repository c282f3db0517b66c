import fc from 'fast-check';
import { match } from 'ts-pattern';
import type { LifecycleEvent, SpecialFile } from '../../src/model/lifecycle';
import { PNP_QUERIES, eventLabel } from '../../src/model/lifecycle';
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

/** The input arbitrary: an AddDevice first, then weighted commands, so most runs reach started states. */
export const lifecycleInputArb: fc.Arbitrary<LifecycleInput> = fc.record({
  // Every run enumerates one engine first; the rest may add more (up to three).
  commands: fc
    .tuple(fc.constantFrom<'none' | 'create-device' | 'register' | 'pool'>('none', 'none', 'none', 'none', 'none', 'none', 'none', 'create-device', 'register', 'pool'), fc.array(commandArb, { maxLength: 30 }))
    .map(([fault, rest]): LifecycleCommand[] => [{ kind: 'AddDevice', fault }, ...rest]),
  choices: fc.array(fc.nat({ max: 15 }), { maxLength: 32 }),
  entryPoolFault: fc.oneof({ weight: 19, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) }),
  systemPower: fc.array(fc.record({ at: fc.nat({ max: 31 }), event: systemPowerEventArb, device: fc.nat({ max: 3 }) }), { maxLength: 2 }),
  machine: machineShapeWithXfercapArb,
});
