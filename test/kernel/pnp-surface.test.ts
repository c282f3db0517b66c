/**
 * The PnP and I/O surface beyond the state IRPs (issue 12): what the simulated PCI PDO answers, what
 * the I/O manager does with an empty MajorFunction slot, IRP_MN_DEVICE_USAGE_NOTIFICATION and the
 * paging path, IRP-04 with a completion routine that marks a pended IRP (finding 10), and
 * FILTER_RESOURCE_REQUIREMENTS' IoStatus left as it is by the bus (finding 6).
 */
import { describe, expect, it } from 'vitest';
import {
  GUID_BUS_TYPE_PCI,
  NT_SUCCESS,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_NOT_SUPPORTED,
  STATUS_SUCCESS,
  type DEVICE_CAPABILITIES,
  type DEVICE_RELATIONS,
  type DriverImageLoader,
  type IO_RESOURCE_REQUIREMENTS_LIST,
  type PNP_BUS_INFORMATION,
} from '../../src/candidate-api';
import { createKernelServices, type InterfaceVersion, type SimDevice } from '../../src/kernel';
import { machineWithClient } from '../../src/client';
import reference from '../../src/reference';
import { createReferenceDriver } from '../../src/reference/driver';
import capsEditPending from '../../candidates/correct/caps-edit-pending';
import { sendIrps } from '../../properties/lifecycle/send-event';
import type { LifecycleEvent } from '../../src/model/lifecycle';
import { runLifecycle } from '../../properties/lifecycle/run-lifecycle';
import type { LifecycleCommand } from '../../properties/lifecycle/commands';

/** A machine with `loader`'s driver loaded and one engine added (and started when `start`). */
function machine(loader: DriverImageLoader, interfaceVersion: InterfaceVersion = '2.0', start = true) {
  const m = machineWithClient({ interfaceVersion, msix: true, cpus: 4, channelParametersRevision: 1, recordTrace: true });
  const services = createKernelServices(m, { failPoolAttempts: new Set(), failNextCreateDevice: false });
  expect(NT_SUCCESS(m.pnp.loadDriver(loader, services))).toBe(true);
  const { device, status } = m.pnp.addDevice();
  expect(NT_SUCCESS(status)).toBe(true);
  if (start) sendIrps(m, device, { type: 'START', bus: 'succeed' });
  const send = (e: LifecycleEvent) => sendIrps(m, device, e);
  return { m, device: device as SimDevice, send };
}

describe('the PCI PDO answers the queries a function driver passes down', () => {
  it('fills IDs, relations, bus information and capabilities, and leaves what it does not handle', () => {
    const { m, device, send } = machine(reference);
    const id = send({ type: 'PNP_QUERY', query: 'QueryId' });
    expect(id.finalStatus).toBe(STATUS_SUCCESS);
    expect(String(id.finalInformation)).toMatch(/^PCI\\VEN_8086/);
    const target = send({ type: 'PNP_QUERY', query: 'TargetDeviceRelation' });
    expect((target.finalInformation as DEVICE_RELATIONS).Objects).toEqual([device.pdo]);
    const bus = send({ type: 'PNP_QUERY', query: 'QueryBusInformation' });
    expect((bus.finalInformation as PNP_BUS_INFORMATION).BusTypeGuid).toBe(GUID_BUS_TYPE_PCI);
    for (const query of ['BusRelations', 'RemovalRelations', 'EjectionRelations', 'QueryInterface', 'UndefinedMinor'] as const) {
      const o = send({ type: 'PNP_QUERY', query });
      expect(o.finalStatus, query).toBe(STATUS_NOT_SUPPORTED);
      expect(o.lowerReceptions, query).toBe(1);
    }
    const resources = send({ type: 'PNP_QUERY', query: 'QueryResources' });
    expect(resources.finalStatus).toBe(STATUS_SUCCESS);
    expect(resources.finalInformation).toBe(device.resources!.raw);
    expect(m.verifier.firstViolation).toBeUndefined();
  });

  it('lets a function driver edit the capabilities on the way up, also when the bus pends the IRP (findings 4 and 10)', () => {
    const { m, send } = machine(capsEditPending);
    let seen: DEVICE_CAPABILITIES | undefined;
    const spy = m.pnp.initialCapabilities.bind(m.pnp);
    m.pnp.initialCapabilities = () => (seen = spy());
    const o = send({ type: 'QUERY_CAPABILITIES', bus: 'pend' });
    expect(o.dispatchReturned).toBe(0x103); // STATUS_PENDING, returned before the routine marked the IRP
    expect(o.finalStatus).toBe(STATUS_SUCCESS);
    expect(seen!.UINumber).toBe(0); // filled by the bus driver
    expect(seen!.SurpriseRemovalOK).toBe(true); // edited by the FDO on the way up
    expect(m.verifier.firstViolation).toBeUndefined();
  });

  it('rejects a completion routine that never marks the pended IRP (IRP-04)', () => {
    const load: DriverImageLoader = (k) => createReferenceDriver(k, new Set(['completion-no-mark']));
    const { m, send } = machine(load);
    try {
      send({ type: 'QUERY_CAPABILITIES', bus: 'pend' });
    } catch {
      // the violation stops the machine, as a bug check would
    }
    expect(m.verifier.firstViolation?.ruleId).toBe('IRP-04');
  });
});

describe('the I/O manager and the special-file path', () => {
  it('completes a create for an empty MajorFunction slot with STATUS_INVALID_DEVICE_REQUEST, without a violation', () => {
    const { m, send } = machine(reference);
    const o = send({ type: 'OPEN_HANDLE', ioctl: true });
    expect(o.finalStatus).toBe(STATUS_INVALID_DEVICE_REQUEST);
    expect(o.lowerReceptions + o.fdoCompletions).toBe(0);
    expect(m.verifier.firstViolation).toBeUndefined();
  });

  it('puts a 1.0 provider that takes part in DEVICE_USAGE_NOTIFICATION on the paging path; one that passes it down untouched stays off it', () => {
    const v10 = machine(reference, '1.0');
    expect(v10.send({ type: 'DEVICE_USAGE_NOTIFICATION', usage: 'Paging', inPath: true }).finalStatus).toBe(STATUS_SUCCESS);
    const refused = v10.send({ type: 'QUERY_STOP', bus: 'succeed' });
    expect(refused.lowerReceptions).toBe(0);
    expect(NT_SUCCESS(refused.finalStatus)).toBe(false);
    const v20 = machine(reference, '2.0');
    expect(v20.send({ type: 'DEVICE_USAGE_NOTIFICATION', usage: 'Paging', inPath: true }).finalStatus).toBe(STATUS_NOT_SUPPORTED);
    expect(v10.m.verifier.firstViolation).toBeUndefined();
    expect(v20.m.verifier.firstViolation).toBeUndefined();
  });

  it('judges a whole lifecycle of the new IRPs against the reference without a violation', () => {
    const irp = (event: LifecycleEvent): LifecycleCommand => ({ kind: 'Irp', device: 0, event });
    for (const version of ['1.0', '2.0'] as const) {
      const r = runLifecycle(reference, {
        commands: [
          { kind: 'AddDevice', fault: 'none' },
          { kind: 'Scenario', device: 0, scenario: 'start' },
          { kind: 'Scenario', device: 0, scenario: 'paging-file' },
          irp({ type: 'SET_POWER', to: 'D3' }),
          irp({ type: 'PNP_QUERY', query: 'TargetDeviceRelation', bus: 'pend' }),
          irp({ type: 'SYSTEM_CONTROL' }),
          irp({ type: 'SET_POWER', to: 'D0' }),
          { kind: 'Scenario', device: 0, scenario: 'open-while-remove-pending' },
          { kind: 'Scenario', device: 0, scenario: 'query-remove-relations' },
        ],
        choices: [],
        entryPoolFault: 0,
      }, { interfaceVersion: version });
      expect(r.violation, `${version}: ${r.violation?.message}`).toBeNull();
      expect(r.harnessError).toBeNull();
      expect(r.steps.some((s) => s.includes('IRP_MN_DEVICE_USAGE_NOTIFICATION'))).toBe(true);
    }
  });
});

describe('FILTER_RESOURCE_REQUIREMENTS at the PCI bus (finding 6)', () => {
  it('leaves IoStatus.Information as it is: the list the FDO passed down is the one it gets back', () => {
    const { m, device } = machine(reference, '2.0', false);
    let atBus: unknown;
    const dispatch = device.bus.dispatch.bind(device.bus);
    (device.bus as { dispatch: typeof dispatch }).dispatch = (rec, loc) => {
      atBus = rec.irp.IoStatus.Information;
      return dispatch(rec, loc);
    };
    const o = sendIrps(m, device, { type: 'FILTER_RESOURCE_REQUIREMENTS' });
    expect(o.finalInformation).toBe(atBus);
    expect((o.finalInformation as IO_RESOURCE_REQUIREMENTS_LIST).AlternativeLists).toBe(1);
    expect(m.verifier.firstViolation).toBeUndefined();
  });
});
