import { describe, expect, it } from 'vitest';
import {
  IRP_MJ_PNP,
  IRP_MJ_POWER,
  IRP_MN_START_DEVICE,
  IRP_MN_STOP_DEVICE,
  CONNECT_LINE_BASED,
  STATUS_PENDING,
  type KINTERRUPT,
  type DRIVER_DISPATCH,
  type DriverImageLoader,
  type KernelServices,
  type NET_DMA_PROVIDER_HANDLE,
} from '../../src/candidate-api';
import { createReferenceDriver } from '../../src/reference/driver';
import type { LifecycleInput } from '../../properties/lifecycle/commands';
import { runLifecycle } from '../../properties/lifecycle/run-lifecycle';

/** AddDevice, then the HLK start scenario: enough to reach every routine the tests break. */
const START: LifecycleInput = { commands: [{ kind: 'AddDevice', fault: 'none' }, { kind: 'Scenario', device: 0, scenario: 'start' }], choices: [], entryPoolFault: 0 };

/** The reference, with its PnP dispatch routine wrapped by `wrap`. */
function wrapPnp(wrap: (k: KernelServices, original: DRIVER_DISPATCH) => DRIVER_DISPATCH): DriverImageLoader {
  return (k) => {
    const entry = createReferenceDriver(k);
    return (driver, path) => {
      const st = entry(driver, path);
      driver.MajorFunction[IRP_MJ_PNP] = wrap(k, driver.MajorFunction[IRP_MJ_PNP]!);
      return st;
    };
  };
}

function run(loader: DriverImageLoader) {
  return runLifecycle(loader, START, { interfaceVersion: '2.0' });
}

describe('a misbehaving provider gets a rule violation with a clear message, never a harness crash', () => {
  it('DriverEntry throws an Error', () => {
    const r = run(() => () => {
      throw new Error('boom');
    });
    expect(r.harnessError).toBeNull();
    expect(r.violation?.ruleId).toBe('KAPI-04');
    expect(r.violation?.message).toMatch(/DriverEntry threw Error: boom/);
  });

  it('a dispatch routine throws a non-Error value', () => {
    const r = run(wrapPnp(() => () => {
      throw { code: 42 };
    }));
    expect(r.violation?.ruleId).toBe('KAPI-04');
    expect(r.violation?.message).toMatch(/threw a non-Error value \(object/);
  });

  it('DriverEntry returns something that is not an NTSTATUS', () => {
    const r = run(() => () => 'STATUS_SUCCESS' as unknown as number);
    expect(r.violation?.ruleId).toBe('KAPI-03');
    expect(r.violation?.message).toMatch(/DriverEntry returned string STATUS_SUCCESS; its prototype returns an NTSTATUS/);
  });

  it('a dispatch routine returns a Promise', () => {
    const r = run(wrapPnp((_k, original) => (d, irp) => Promise.resolve(original(d, irp)) as unknown as number));
    expect(r.violation?.ruleId).toBe('KAPI-03');
    expect(r.violation?.message).toMatch(/returned a Promise/);
  });

  it('passes a handle NetDmaRegisterProvider never wrote', () => {
    const r = run(wrapPnp((k, original) => (d, irp) => {
      if (k.IoGetCurrentIrpStackLocation(irp).MinorFunction === IRP_MN_START_DEVICE) k.NetDmaProviderStop({} as NET_DMA_PROVIDER_HANDLE);
      return original(d, irp);
    }));
    expect(r.violation?.ruleId).toBe('KAPI-01');
    expect(r.violation?.message).toMatch(/handle that NetDmaRegisterProvider never wrote/);
  });

  it('passes something that is not a device object', () => {
    const r = run(wrapPnp((k, original) => (d, irp) => {
      k.IoCallDriver({ Name: 'fake' } as never, irp);
      return original(d, irp);
    }));
    expect(r.violation?.ruleId).toBe('KAPI-01');
    expect(r.violation?.message).toMatch(/not a device object/);
  });

  it('pends START and never completes it', () => {
    const r = run(wrapPnp((k, original) => (d, irp) => {
      if (k.IoGetCurrentIrpStackLocation(irp).MinorFunction !== IRP_MN_START_DEVICE) return original(d, irp);
      k.IoMarkIrpPending(irp);
      return STATUS_PENDING;
    }));
    expect(r.violation?.ruleId).toBe('IRP-05');
    expect(r.violation?.message).toMatch(/pended \(STATUS_PENDING\) and never completed/);
  });

  it('neither completes nor passes down an IRP but returns success', () => {
    const r = run(wrapPnp((k, original) => (d, irp) => (k.IoGetCurrentIrpStackLocation(irp).MinorFunction === IRP_MN_START_DEVICE ? 0 : original(d, irp))));
    expect(r.violation?.ruleId).toBe('IRP-01');
    expect(r.violation?.message).toMatch(/neither completed the IRP nor passed it down/);
  });

  it('catches the bug check and carries on as if nothing happened', () => {
    const r = run(wrapPnp((k, original) => (d, irp) => {
      try {
        k.NetDmaProviderStop({} as NET_DMA_PROVIDER_HANDLE);
      } catch {
        /* a candidate that swallows the bug check */
      }
      return original(d, irp);
    }));
    // The violation stands: swallowing the bug check does not turn the run into a pass.
    expect(r.violation?.ruleId).toBe('KAPI-01');
  });

  it('sends a PnP state IRP itself (only the PnP manager may)', () => {
    const r = run(wrapPnp((k, original) => (d, irp) => {
      if (k.IoGetCurrentIrpStackLocation(irp).MinorFunction === IRP_MN_START_DEVICE) {
        const own = k.IoAllocateIrp(d.StackSize, false)!;
        const next = k.IoGetNextIrpStackLocation(own);
        next.MajorFunction = IRP_MJ_PNP;
        next.MinorFunction = IRP_MN_STOP_DEVICE;
        k.IoCallDriver((d.DeviceExtension['fdo'] as { lower: typeof d }).lower, own);
      }
      return original(d, irp);
    }));
    expect(r.violation?.ruleId).toBe('IRP-08');
    expect(r.violation?.message).toMatch(/sent IRP_MN_STOP_DEVICE itself/);
  });

  it('connects a line-based interrupt on a machine with MSI-X', () => {
    const loader: DriverImageLoader = (k) =>
      createReferenceDriver({
        ...k,
        IoConnectInterruptEx: (p) => {
          if (!('MessageBased' in p)) return k.IoConnectInterruptEx(p);
          const mb = p.MessageBased;
          const out: { value?: KINTERRUPT } = {};
          const st = k.IoConnectInterruptEx({ Version: CONNECT_LINE_BASED, LineBased: { PhysicalDeviceObject: mb.PhysicalDeviceObject, InterruptObject: out, ServiceRoutine: mb.FallBackServiceRoutine!, ServiceContext: mb.ServiceContext, SynchronizeIrql: mb.SynchronizeIrql, FloatingSave: false } });
          p.Version = CONNECT_LINE_BASED;
          mb.ConnectionContext.value = { InterruptObject: out.value! };
          return st;
        },
      });
    const r = run(loader);
    expect(r.violation?.ruleId).toBe('NDMA-INT-04');
  });

  it('the power dispatch routine is missing', () => {
    const loader: DriverImageLoader = (k) => {
      const entry = createReferenceDriver(k);
      return (driver, path) => {
        const st = entry(driver, path);
        driver.MajorFunction[IRP_MJ_POWER] = null;
        return st;
      };
    };
    const r = run(loader);
    expect(r.violation?.ruleId).toBe('DRV-ENTRY-01');
    expect(r.violation?.message).toMatch(/MajorFunction\[IRP_MJ_POWER\]/);
  });
});
