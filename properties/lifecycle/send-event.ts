import {
  BusQueryDeviceID,
  BusRelations,
  DeviceTextDescription,
  DeviceUsageTypeDumpFile,
  DeviceUsageTypeHibernation,
  DeviceUsageTypePaging,
  EjectionRelations,
  IRP_MJ_PNP,
  IRP_MJ_SYSTEM_CONTROL,
  IRP_MN_DEVICE_USAGE_NOTIFICATION,
  IRP_MN_QUERY_ALL_DATA,
  IRP_MN_QUERY_BUS_INFORMATION,
  IRP_MN_QUERY_DEVICE_RELATIONS,
  IRP_MN_QUERY_DEVICE_TEXT,
  IRP_MN_QUERY_ID,
  IRP_MN_QUERY_INTERFACE,
  IRP_MN_QUERY_PNP_DEVICE_STATE,
  IRP_MN_QUERY_RESOURCE_REQUIREMENTS,
  IRP_MN_QUERY_RESOURCES,
  RemovalRelations,
  STATUS_NOT_SUPPORTED,
  TargetDeviceRelation,
  type IO_STACK_LOCATION,
  type IRP,
  IRP_MN_CANCEL_REMOVE_DEVICE,
  IRP_MN_CANCEL_STOP_DEVICE,
  IRP_MN_FILTER_RESOURCE_REQUIREMENTS,
  IRP_MN_QUERY_CAPABILITIES,
  IRP_MN_QUERY_REMOVE_DEVICE,
  IRP_MN_QUERY_STOP_DEVICE,
  IRP_MN_REMOVE_DEVICE,
  IRP_MN_START_DEVICE,
  IRP_MN_STOP_DEVICE,
  IRP_MN_SURPRISE_REMOVAL,
  IRP_MN_QUERY_POWER,
  IRP_MN_SET_POWER,
  NT_SUCCESS,
  PowerActionHibernate,
  PowerActionNone,
  PowerActionShutdownOff,
  PowerActionSleep,
  PowerDeviceD1,
  PowerDeviceD2,
  PowerSystemHibernate,
  PowerSystemShutdown,
  PowerSystemSleeping1,
  PowerSystemSleeping3,
  PowerSystemWorking,
  ntStatusName,
} from '../../src/kernel/api';
import { busPowerKey, type Machine, type SimDevice } from '../../src/kernel';
import { assertNever } from '../../src/util/assert-never';
import {
  eventLabel,
  judge,
  judgeSystemPower,
  nextState,
  queryLabel,
  succeeded,
  transitionKey,
  type DeviceModel,
  type IrpOutcome,
  type LifecycleEvent,
  type ModelContext,
  type PnpQuery,
  type SystemSleepState,
  type DevicePowerName,
  powerDepth,
} from '../../src/model/lifecycle';

/** One enumerated device as a run tracks it: the simulated engine and the model's view of it. */
export interface DeviceSlot {
  readonly sim: SimDevice;
  model: DeviceModel;
  readonly ctx: ModelContext;
}

/** Things a run does around a power IRP (the data path drains and restarts its channels). */
export interface PowerHooks {
  beforePowerDown?(dev: SimDevice): void;
  afterPowerUp?(dev: SimDevice): void;
}

/** The state IRPs, sent with the PnP manager's own parameters. */
type StateEvent = Exclude<LifecycleEvent['type'], 'SET_POWER' | 'SYSTEM_POWER' | 'QUERY_CAPABILITIES' | 'PNP_QUERY' | 'DEVICE_USAGE_NOTIFICATION' | 'OPEN_HANDLE' | 'SYSTEM_CONTROL'>;

const MINOR: Readonly<Record<StateEvent, number>> = {
  START: IRP_MN_START_DEVICE,
  QUERY_STOP: IRP_MN_QUERY_STOP_DEVICE,
  STOP: IRP_MN_STOP_DEVICE,
  CANCEL_STOP: IRP_MN_CANCEL_STOP_DEVICE,
  QUERY_REMOVE: IRP_MN_QUERY_REMOVE_DEVICE,
  CANCEL_REMOVE: IRP_MN_CANCEL_REMOVE_DEVICE,
  REMOVE: IRP_MN_REMOVE_DEVICE,
  SURPRISE_REMOVAL: IRP_MN_SURPRISE_REMOVAL,
  FILTER_RESOURCE_REQUIREMENTS: IRP_MN_FILTER_RESOURCE_REQUIREMENTS,
};

/** The minor code, parameters and initial IoStatus of each query, as the PnP manager sends it. */
function queryIrp(q: PnpQuery): { minor: number; setup: (loc: IO_STACK_LOCATION, irp: IRP) => void } {
  switch (q) {
    case 'BusRelations':
    case 'RemovalRelations':
    case 'EjectionRelations':
    case 'TargetDeviceRelation': {
      const Type = q === 'BusRelations' ? BusRelations : q === 'RemovalRelations' ? RemovalRelations : q === 'EjectionRelations' ? EjectionRelations : TargetDeviceRelation;
      return { minor: IRP_MN_QUERY_DEVICE_RELATIONS, setup: (loc) => void (loc.Parameters.QueryDeviceRelations = { Type }) };
    }
    case 'QueryInterface':
      // An interface nobody in this stack exports (a driver of another stack asking): passed down, completed untouched.
      return { minor: IRP_MN_QUERY_INTERFACE, setup: (loc) => void (loc.Parameters.QueryInterface = { InterfaceType: '{6c154a92-aacf-11d0-8d2a-00a0c906b244}', Size: 40, Version: 1, Interface: {}, InterfaceSpecificData: null }) };
    case 'QueryPnpDeviceState':
      return { minor: IRP_MN_QUERY_PNP_DEVICE_STATE, setup: (_loc, irp) => void (irp.IoStatus.Information = 0) };
    case 'QueryResources':
      return { minor: IRP_MN_QUERY_RESOURCES, setup: () => undefined };
    case 'QueryResourceRequirements':
      return { minor: IRP_MN_QUERY_RESOURCE_REQUIREMENTS, setup: () => undefined };
    case 'QueryId':
      return { minor: IRP_MN_QUERY_ID, setup: (loc) => void (loc.Parameters.QueryId = { IdType: BusQueryDeviceID }) };
    case 'QueryDeviceText':
      return { minor: IRP_MN_QUERY_DEVICE_TEXT, setup: (loc) => void (loc.Parameters.QueryDeviceText = { DeviceTextType: DeviceTextDescription, LocaleId: 0x409 }) };
    case 'QueryBusInformation':
      return { minor: IRP_MN_QUERY_BUS_INFORMATION, setup: () => undefined };
    case 'UndefinedMinor':
      return { minor: UNDEFINED_PNP_MINOR, setup: () => undefined };
    default:
      return assertNever(q);
  }
}

/** A PnP minor code no IRP has (between FILTER_RESOURCE_REQUIREMENTS and READ_CONFIG). */
const UNDEFINED_PNP_MINOR = 0x0e;

/** Sends the IRP(s) of one event as the PnP, I/O or WMI manager would, and returns the outcome the model judges (not judged here). */
export function sendIrps(m: Machine, dev: SimDevice, event: LifecycleEvent): IrpOutcome {
  switch (event.type) {
    case 'SET_POWER':
      return m.pnp.sendPower(dev, event.to);
    case 'QUERY_CAPABILITIES': {
      if (event.bus === 'pend') dev.bus.next.set(IRP_MN_QUERY_CAPABILITIES, 'pend');
      const caps = m.pnp.initialCapabilities();
      const out = m.pnp.sendIrp(dev, IRP_MJ_PNP, IRP_MN_QUERY_CAPABILITIES, STATUS_NOT_SUPPORTED, (loc) => void (loc.Parameters.DeviceCapabilities = { Capabilities: caps }));
      // What the power-policy owner then knows of the device: the D-states the whole stack reported.
      if (out.completed && NT_SUCCESS(out.finalStatus)) dev.reportedPower = { DeviceD1: caps.DeviceD1 === true, DeviceD2: caps.DeviceD2 === true, S1: caps.DeviceState?.[PowerSystemSleeping1] ?? 0 };
      return out;
    }
    case 'PNP_QUERY': {
      const q = queryIrp(event.query);
      if (event.bus === 'pend') dev.bus.next.set(q.minor, 'pend');
      return m.pnp.sendIrp(dev, IRP_MJ_PNP, q.minor, STATUS_NOT_SUPPORTED, q.setup, queryLabel(event.query));
    }
    case 'DEVICE_USAGE_NOTIFICATION': {
      if (event.bus === 'pend') dev.bus.next.set(IRP_MN_DEVICE_USAGE_NOTIFICATION, 'pend');
      const Type = event.usage === 'Paging' ? DeviceUsageTypePaging : event.usage === 'Hibernation' ? DeviceUsageTypeHibernation : DeviceUsageTypeDumpFile;
      return m.pnp.sendIrp(dev, IRP_MJ_PNP, IRP_MN_DEVICE_USAGE_NOTIFICATION, STATUS_NOT_SUPPORTED, (loc) => void (loc.Parameters.UsageNotification = { InPath: event.inPath, Reserved: [false, false, false], Type }));
    }
    case 'OPEN_HANDLE': {
      const { create, rest } = m.pnp.openHandle(dev, event.ioctl);
      // The IRPs after the CREATE are held to IRP-01 (each completed, once) only.
      for (const o of rest) m.verifier.check('IRP-01', o.completed && o.lowerReceptions <= 1 && o.fdoCompletions <= 1, () => `an IRP of the open handle was ${o.completed ? '' : 'never '}completed, reached the bus driver ${o.lowerReceptions} time(s) and was completed by the provider ${o.fdoCompletions} time(s)`);
      return create;
    }
    case 'SYSTEM_CONTROL':
      return m.pnp.sendIrp(dev, IRP_MJ_SYSTEM_CONTROL, IRP_MN_QUERY_ALL_DATA, STATUS_NOT_SUPPORTED, (loc) => void (loc.Parameters.WMI = { ProviderId: dev.pdo, DataPath: null, BufferSize: 0, Buffer: null }));
    case 'SYSTEM_POWER':
      // Several IRPs, sent and judged one by one by sendSystemPower (sendEvent routes them there).
      throw new Error('sendIrps: a system power transition is sent by sendSystemPower, not as one IRP');
    default:
      return m.pnp.sendPnp(dev, MINOR[event.type]);
  }
}

/**
 * Sends one PnP or power IRP as the PnP manager would (telling the bus driver how to answer),
 * judges what the provider did against the model, records the transition, advances the model, and
 * — after a failed query — sends the cancel the PnP manager sends (F108, F111).
 */
export function sendEvent(m: Machine, slot: DeviceSlot, event: LifecycleEvent, steps: string[], transitions: Map<string, number>, hooks: PowerHooks = {}): void {
  if (event.type === 'SYSTEM_POWER') return sendSystemPower(m, slot, event, steps, transitions, hooks);
  const before = slot.model;
  const dev = slot.sim;
  if (event.type === 'START') dev.bus.next.set(IRP_MN_START_DEVICE, event.bus);
  if (event.type === 'QUERY_STOP') dev.bus.next.set(IRP_MN_QUERY_STOP_DEVICE, event.bus);
  if (event.type === 'QUERY_REMOVE') dev.bus.next.set(IRP_MN_QUERY_REMOVE_DEVICE, event.bus);
  steps.push(`${dev.pdo.Name}: ${eventLabel(event)}`);
  if (event.type === 'SET_POWER' && event.to !== 'D0' && before.power === 'D0') hooks.beforePowerDown?.(dev);
  const out = sendIrps(m, dev, event);
  if (event.type === 'SET_POWER' && event.to === 'D0' && NT_SUCCESS(out.finalStatus)) hooks.afterPowerUp?.(dev);
  for (const f of judge(slot.ctx, before, event, out)) m.verifier.check(f.ruleId, f.ok, () => f.message);
  slot.model = nextState(before, event, succeeded(event, out), out.observations.some((o) => o.op === 'NetDmaDeregisterProvider'));
  const key = transitionKey(before.pnp, event, slot.model.pnp);
  transitions.set(key, (transitions.get(key) ?? 0) + 1);
  if ((event.type === 'QUERY_STOP' || event.type === 'QUERY_REMOVE') && !NT_SUCCESS(out.finalStatus)) {
    steps[steps.length - 1] += ` -> ${ntStatusName(out.finalStatus)}`;
    sendEvent(m, slot, { type: event.type === 'QUERY_STOP' ? 'CANCEL_STOP' : 'CANCEL_REMOVE' }, steps, transitions, hooks);
  }
}

/**
 * The device power state the stack's power-policy owner sends for a system sleep state: D3, but for
 * S1 the state DEVICE_CAPABILITIES.DeviceState[PowerSystemSleeping1] names when the stack reported
 * D1 or D2 for it (and the device state it names as supported).
 */
function sleepDeviceState(dev: SimDevice, to: SystemSleepState): DevicePowerName {
  const r = dev.reportedPower;
  if (to !== 'S1' || r === undefined) return 'D3';
  if (r.S1 === PowerDeviceD1 && r.DeviceD1) return 'D1';
  if (r.S1 === PowerDeviceD2 && r.DeviceD2) return 'D2';
  return 'D3';
}

/** SYSTEM_POWER_STATE and POWER_ACTION of each target state. */
const SYSTEM: Readonly<Record<SystemSleepState, { readonly state: number; readonly action: number }>> = {
  S1: { state: PowerSystemSleeping1, action: PowerActionSleep },
  S3: { state: PowerSystemSleeping3, action: PowerActionSleep },
  S4: { state: PowerSystemHibernate, action: PowerActionHibernate },
  S5: { state: PowerSystemShutdown, action: PowerActionShutdownOff },
};

/**
 * One system power transition as Windows' power manager runs it (decision A12): IRP_MN_QUERY_POWER
 * for the target state (not for S5); a refusal cancels it with IRP_MN_SET_POWER(S0). Otherwise
 * IRP_MN_SET_POWER for the target state: an FDO that requests the device's D3 IRP with
 * PoRequestPowerIrp while it holds it is the power-policy owner for the transition; if the device
 * is still in D0 once the system IRP completed, the stack's owner sends the D3 IRP itself, as for a
 * device power step. Sleep and hibernate then resume: IRP_MN_SET_POWER(S0), and the D0 IRP from the
 * stack's owner if the FDO did not request one. The bus answers the system IRPs as `event.bus`
 * says; whether it pends the device IRPs is drawn from the run's choices.
 */
function sendSystemPower(m: Machine, slot: DeviceSlot, event: Extract<LifecycleEvent, { type: 'SYSTEM_POWER' }>, steps: string[], transitions: Map<string, number>, hooks: PowerHooks): void {
  const before = slot.model;
  const dev = slot.sim;
  const { state, action } = SYSTEM[event.to];
  steps.push(`${dev.pdo.Name}: ${eventLabel(event)}`);
  const systemPend = event.bus === 'pend' ? 'pend' : 'succeed';
  const devicePend = (): void => {
    if (m.chooser.choose(2, 'the bus pends the device power IRP') === 1) dev.bus.next.set(busPowerKey(IRP_MN_SET_POWER, false), 'pend');
  };
  const provider = () => m.netdma.liveProvidersOf(dev)[0];
  let query: IrpOutcome | null = null;
  let cancel: IrpOutcome | null = null;
  let set: IrpOutcome | null = null;
  let deviceDown: IrpOutcome | null = null;
  let resume: IrpOutcome | null = null;
  let deviceUp: IrpOutcome | null = null;
  let granted = true;
  if (event.to !== 'S5') {
    dev.bus.next.set(busPowerKey(IRP_MN_QUERY_POWER, true), event.bus);
    query = m.pnp.sendSystemPower(dev, IRP_MN_QUERY_POWER, state, action);
    granted = NT_SUCCESS(query.finalStatus);
    if (!granted) {
      // Windows cancels the transition: every stack is told the system stays in S0.
      steps[steps.length - 1] += ` -> query refused (${ntStatusName(query.finalStatus)}), IRP_MN_SET_POWER(S0)`;
      cancel = m.pnp.sendSystemPower(dev, IRP_MN_SET_POWER, PowerSystemWorking, PowerActionNone);
    }
  }
  if (granted) {
    if (before.power === 'D0') hooks.beforePowerDown?.(dev);
    dev.bus.next.set(busPowerKey(IRP_MN_SET_POWER, true), systemPend);
    devicePend();
    set = m.pnp.sendSystemPower(dev, IRP_MN_SET_POWER, state, action);
    // The D-state for the target state (DEVICE_CAPABILITIES.DeviceState as the stack reported it: S1 may
    // map to D1 or D2), sent unless the device is already there or deeper — an idle D2 device goes on to D3.
    const target = sleepDeviceState(dev, event.to);
    if (powerDepth(dev.powerState) < powerDepth(target)) deviceDown = m.pnp.sendPower(dev, target);
    if (event.to !== 'S5') {
      dev.bus.next.set(busPowerKey(IRP_MN_SET_POWER, true), systemPend);
      devicePend();
      resume = m.pnp.sendSystemPower(dev, IRP_MN_SET_POWER, PowerSystemWorking, PowerActionNone);
      if (dev.powerState !== 'D0') deviceUp = m.pnp.sendPower(dev, 'D0');
      hooks.afterPowerUp?.(dev);
    }
  }
  dev.bus.next.delete(busPowerKey(IRP_MN_SET_POWER, false));
  dev.bus.next.delete(busPowerKey(IRP_MN_SET_POWER, true));
  dev.bus.next.delete(busPowerKey(IRP_MN_QUERY_POWER, true));
  // A PowerUp may be announced from a work item the D0 IRP's completion queued: let the system settle.
  if (provider()?.poweredDown === true) m.work.runUntil(() => provider()?.poweredDown !== true || m.verifier.firstViolation !== undefined, 10_000);
  m.assertAlive();
  const poweredDownAtEnd = provider()?.poweredDown === true;
  const deviceInD0AtEnd = dev.powerState === 'D0';
  for (const f of judgeSystemPower(slot.ctx, before, event, { query, cancel, set, deviceDown, resume, deviceUp, poweredDownAtEnd, deviceInD0AtEnd })) m.verifier.check(f.ruleId, f.ok, () => f.message);
  slot.model = nextState(before, event, granted);
  // A refused sleep leaves an idle device idle, unless its power-policy owner brought it back to D0
  // on the IRP_MN_SET_POWER(S0) that cancelled the transition.
  if (!granted && slot.model.power !== 'D0' && deviceInD0AtEnd) slot.model = { ...slot.model, power: 'D0', poweredDownNotified: false };
  const key = transitionKey(before.pnp, event, slot.model.pnp);
  transitions.set(key, (transitions.get(key) ?? 0) + 1);
}
