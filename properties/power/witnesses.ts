/**
 * Witnesses for the declared `minimalSteps` of the faulty catalog: for each bug, a hand-written
 * lifecycle input of exactly that many steps that shows it. A witness proves the minimum is
 * reachable; the catalog comment argues why nothing shorter can show the bug (DriverEntry and
 * AddDevice always run, and the PnP manager only sends an IRP in a state where it is legal).
 *
 * @module
 */
import type { Mutation } from '../../src/reference/mutations';
import type { LifecycleEvent } from '../../src/model/lifecycle';
import { runLifecycle } from '../lifecycle/run-lifecycle';
import type { LifecycleCommand, LifecycleInput } from '../lifecycle/commands';
import type { DriverImageLoader, InterfaceVersion, LowResourceFault } from '../../src/kernel';
import type { RuleId } from '../../spec';

/** A witness: the commands after DriverEntry, and an optional DriverEntry pool fault. */
export interface Witness {
  readonly commands: readonly LifecycleCommand[];
  readonly entryPoolFault?: number;
  /** The run's low-resources fault, if any. */
  readonly lowResources?: LowResourceFault;
}

const add = (fault: 'none' | 'create-device' | 'register' | 'pool' = 'none'): LifecycleCommand => ({ kind: 'AddDevice', fault });
const irp = (event: LifecycleEvent): LifecycleCommand => ({ kind: 'Irp', device: 0, event });
const START: LifecycleCommand = irp({ type: 'START', bus: 'succeed' });
const only = (...cs: LifecycleCommand[]): Witness => ({ commands: [add(), ...cs] });

/** One witness per faulty lifecycle provider (data-path mutations have none here). */
export const WITNESSES: Readonly<Partial<Record<Mutation, Witness>>> = {
  'entry-no-unload-routine': only(),
  'entry-keeps-registry-path': { commands: [add('create-device')] },
  'entry-leaks-on-failure': { commands: [add()], entryPoolFault: 2 },
  'entry-registers-provider': only(),
  'add-leaves-initializing': only(),
  'add-no-undo-on-register-failure': { commands: [add('register')] },
  'add-registers-twice': only(),
  'add-maps-registers': only(),
  'register-suspend-without-resume': only(),
  'register-zero-max-channels': only(),
  'register-wrong-size': only(),
  'register-version-too-high': only(),
  'register-no-friendly-name': only(),
  'register-no-affinity-handler': only(),
  'register-affinity-not-supported': only(),
  'register-context-freed-early': only(irp({ type: 'REMOVE' })),
  'filter-ignores-affinities': only(irp({ type: 'FILTER_RESOURCE_REQUIREMENTS' })),
  'filter-edits-on-way-down': only(irp({ type: 'FILTER_RESOURCE_REQUIREMENTS' })),
  'start-before-lower': only(START),
  'start-continues-failed-start': only(irp({ type: 'START', bus: 'fail' })),
  'start-small-max-transfer': only(START),
  'start-channel-count-above-max': only(START),
  'start-wrong-vendor': only(START),
  'start-before-interrupts': only(START),
  'start-raw-resources': only(START),
  'start-provider-twice': only(START),
  'start-address-space-size': only(START),
  'stop-no-provider-stop': only(START, irp({ type: 'SURPRISE_REMOVAL' })),
  'stop-completes-irp': only(START, irp({ type: 'QUERY_STOP', bus: 'succeed' }), irp({ type: 'STOP' })),
  'stop-disconnect-before-provider-stop': only(START, irp({ type: 'SURPRISE_REMOVAL' })),
  'stop-keeps-hardware': only(START, irp({ type: 'SURPRISE_REMOVAL' })),
  'query-stop-stops-provider': only(START, irp({ type: 'QUERY_STOP', bus: 'succeed' })),
  'cancel-stop-fails': only(START, irp({ type: 'CANCEL_STOP' })),
  'remove-no-provider-stop': only(START, irp({ type: 'QUERY_REMOVE', bus: 'succeed' }), irp({ type: 'REMOVE' })),
  'remove-no-detach': only(irp({ type: 'REMOVE' })),
  'remove-returns-success': only(irp({ type: 'REMOVE' })), // the lower drivers pend it in some choice vector
  'add-without-secure-open': only(),
  'remove-no-deregister': only(irp({ type: 'REMOVE' })),
  'remove-stop-after-deregister': only(irp({ type: 'REMOVE' })),
  'remove-delete-before-deregister': only(irp({ type: 'REMOVE' })),
  'cancel-remove-fails': only(irp({ type: 'QUERY_REMOVE', bus: 'succeed' }), irp({ type: 'CANCEL_REMOVE' })),
  'query-remove-not-supported': only(irp({ type: 'QUERY_REMOVE', bus: 'succeed' })),
  'surprise-no-stop': only(START, irp({ type: 'SURPRISE_REMOVAL' })),
  'surprise-deletes-device': only(irp({ type: 'SURPRISE_REMOVAL' })),
  'surprise-deregisters-twice': only(irp({ type: 'SURPRISE_REMOVAL' }), irp({ type: 'REMOVE' })),
  'surprise-forgets-deregister': only(irp({ type: 'SURPRISE_REMOVAL' }), irp({ type: 'REMOVE' })),
  'unload-leaks-registry-copy': { commands: [add('create-device')] },
  'power-no-notify': only(START, irp({ type: 'SET_POWER', to: 'D3' })),
  'power-notify-after-pass-down': only(START, irp({ type: 'SET_POWER', to: 'D3' })),
  'power-notify-on-1-0': only(START, irp({ type: 'SET_POWER', to: 'D3' })),
  'power-owner-completes-early': only(START, irp({ type: 'SYSTEM_POWER', to: 'S3', bus: 'succeed' })),
  'power-owner-powerdown-late': only(START, irp({ type: 'SYSTEM_POWER', to: 'S3', bus: 'succeed' })),
  'power-owner-never-completes': only(START, irp({ type: 'SYSTEM_POWER', to: 'S3', bus: 'succeed' })),
  'power-query-completes-success': only(START, irp({ type: 'SYSTEM_POWER', to: 'S3', bus: 'succeed' })),
  'power-clears-pagable': only(START, irp({ type: 'SET_POWER', to: 'D3' })),
  'irql-lock-held-on-return': only(START),
  'irql-wait-at-dispatch': only(START),
  'irql-handler-paged-pool': only(START),
  'irp-touches-unhandled-status': only(irp({ type: 'PNP_QUERY', query: 'UndefinedMinor' })),
  'irp-double-complete': only(irp({ type: 'QUERY_REMOVE', bus: 'succeed' }), irp({ type: 'CANCEL_REMOVE' })),
  'irp-completion-continues': only(START),
  'irp-pending-without-mark': only(START),
  'kapi-double-free': only(irp({ type: 'REMOVE' })),
  'kapi-throws-on-query-capabilities': only(irp({ type: 'QUERY_CAPABILITIES' })),
  'kapi-returns-undefined': only(irp({ type: 'QUERY_REMOVE', bus: 'succeed' })),
  'channel-cpu-outside-mask': only(START),
  'channel-not-ready-at-start': only(START),
  'channel-ignores-interrupt-cpu': only(START),
  'channel-cpu-lowest-in-mask': only(irp({ type: 'FILTER_RESOURCE_REQUIREMENTS' }), START),
  'svc-rlock-release-twice': only(irp({ type: 'QUERY_CAPABILITIES' })),
  'svc-rlock-leak-on-query-remove': only(irp({ type: 'QUERY_REMOVE', bus: 'succeed' }), irp({ type: 'REMOVE' })),
  'svc-timer-not-cancelled-at-remove': only(START, irp({ type: 'QUERY_REMOVE', bus: 'succeed' }), irp({ type: 'REMOVE' })),
  'svc-pool2-zero-tag': only(),
  // START with NetDMA allocating inside NetDmaProviderStart, the channel handler's first pool allocation failing; the device unplugged (SURPRISE_REMOVAL, REMOVE), Unload finds the ring.
  'lowres-alloc-leaks-ring': { commands: [add(), START, irp({ type: 'SURPRISE_REMOVAL' })], lowResources: { service: 'pool', where: 'channel', nth: 1 } },
  // START with MmMapIoSpace failing.
  'lowres-start-ignores-hardware': { commands: [add(), START], lowResources: { service: 'map-io-space', where: 'any', nth: 1 } },
  // START (sent right after AddDevice) with IoConnectInterruptEx failing after the registers were mapped.
  'lowres-start-fail-keeps-mapping': { commands: [add()], lowResources: { service: 'connect-interrupt', where: 'start', nth: 1 } },
  // START (sent right after AddDevice) with configuration space unreadable, then the REMOVE that follows a failed START.
  'lowres-start-keeps-bus-interface': { commands: [add()], lowResources: { service: 'config-read', where: 'start', nth: 1 } },
  'svc-interface-link-freed-first': only(irp({ type: 'REMOVE' })),
  'svc-wmi-no-deregister': only(irp({ type: 'REMOVE' })),
  'query-id-completes-itself': only(irp({ type: 'PNP_QUERY', query: 'QueryId' })),
  'caps-completes-without-bus': only(irp({ type: 'QUERY_CAPABILITIES' })),
  'usage-completed-here': only(START, irp({ type: 'DEVICE_USAGE_NOTIFICATION', usage: 'Paging', inPath: true })),
  'paging-no-veto': only(START, irp({ type: 'DEVICE_USAGE_NOTIFICATION', usage: 'Paging', inPath: true }), irp({ type: 'QUERY_STOP', bus: 'succeed' })),
  'paging-keeps-pagable': only(START, irp({ type: 'DEVICE_USAGE_NOTIFICATION', usage: 'Paging', inPath: true })),
  'create-after-query-remove': only(irp({ type: 'QUERY_REMOVE', bus: 'succeed' }), irp({ type: 'OPEN_HANDLE', ioctl: false })),
  'hold-never-released': only(START, irp({ type: 'QUERY_STOP', bus: 'fail' }), { kind: 'Allocate', device: 0 }),
  'filter-reorders-descriptors': only(irp({ type: 'FILTER_RESOURCE_REQUIREMENTS' })),
  'filter-edits-not-success': only(irp({ type: 'FILTER_RESOURCE_REQUIREMENTS' })),
  'completion-no-mark': only(irp({ type: 'QUERY_CAPABILITIES', bus: 'pend' })),
  // START asks for new resources (IoInvalidateDeviceState); the PnP manager's QUERY_PNP_DEVICE_STATE, FILTER and START follow from that one command.
  'restart-keeps-old-resources': only(START),
  // The third START of the device: two rebalances.
  'rebalance-start-count-drift': only(START, irp({ type: 'QUERY_STOP', bus: 'succeed' }), irp({ type: 'STOP' }), START, irp({ type: 'QUERY_STOP', bus: 'succeed' }), irp({ type: 'STOP' }), START),
};

/** Scheduler decisions tried for a witness: none, then NetDMA allocating inside NetDmaProviderStart. */
const CHOICE_VECTORS: readonly (readonly number[])[] = [[], [1], [1, 1], [1, 1, 1], [0, 1], [1, 0, 1], new Array<number>(8).fill(1)];

/** What replaying a witness gave. */
export interface WitnessRun {
  readonly ruleId: RuleId | null;
  readonly steps: readonly string[];
}

/**
 * Replays a witness against `loader`, trying a few scheduler decision vectors, and returns the
 * first run whose violation is one of `expects` (or the last run when none is).
 */
export function runWitness(loader: DriverImageLoader, w: Witness, version: InterfaceVersion, expects: readonly RuleId[]): WitnessRun {
  let last: WitnessRun = { ruleId: null, steps: [] };
  for (const choices of CHOICE_VECTORS) {
    const input: LifecycleInput = { commands: w.commands, choices, entryPoolFault: w.entryPoolFault ?? 0, lowResources: w.lowResources ?? null };
    const r = runLifecycle(loader, input, { interfaceVersion: version });
    last = { ruleId: r.violation?.ruleId ?? null, steps: r.steps };
    if (last.ruleId !== null && expects.includes(last.ruleId)) return last;
  }
  return last;
}
