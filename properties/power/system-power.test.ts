/**
 * System power as WDM does it (issue 12): the power manager's system IRPs, the FDO as power-policy
 * owner (PoRequestPowerIrp), the stack's owner sending the device IRPs when the FDO does not, and
 * finding 12 — PowerDown announced on the system IRP before D3 is requested follows F50.
 */
import { describe, expect, it } from 'vitest';
import policyOwner from '../../candidates/correct/reference-policy-owner';
import reference from '../../src/reference';
import { createReferenceDriver } from '../../src/reference/driver';
import { createPowerPolicyDriver } from '../../src/reference/power-policy';
import type { FdoExtension } from '../../src/reference/device-extension';
import {
  DevicePowerState,
  STATUS_INVALID_PARAMETER_2,
  PowerDeviceD0,
  PowerDeviceD3,
  DISPATCH_LEVEL,
  DO_POWER_INRUSH,
  IO_NO_INCREMENT,
  IRP_MJ_PNP,
  IRP_MJ_POWER,
  IRP_MN_QUERY_POWER,
  IRP_MN_SET_POWER,
  STATUS_UNSUCCESSFUL,
  NET_DMA_PNP_NOTIFICATION_REVISION_1,
  NET_DMA_PNP_NOTIFICATION_SIZE,
  NetDmaNotificationProviderPowerDown,
  PowerSystemWorking,
  SystemPowerState,
  type DRIVER_DISPATCH,
  type DriverImageLoader,
} from '../../src/candidate-api';
import type { LifecycleEvent } from '../../src/model/lifecycle';
import { runLifecycle, type RunResult } from '../lifecycle/run-lifecycle';
import type { LifecycleCommand } from '../lifecycle/commands';

const VERSIONS = ['1.0', '1.1', '2.0'] as const;
type SystemEvent = Extract<LifecycleEvent, { type: 'SYSTEM_POWER' }>;
const TRANSITIONS: readonly SystemEvent[] = (['S1', 'S3', 'S4', 'S5'] as const).flatMap((to) =>
  (['succeed', 'pend', 'fail'] as const).map((bus): SystemEvent => ({ type: 'SYSTEM_POWER', to, bus })));

/** DriverEntry, AddDevice, START, the transition (and, unless it shut down, removal and unload). */
function run(loader: DriverImageLoader, e: SystemEvent, version: (typeof VERSIONS)[number], choices: readonly number[] = []): RunResult {
  const commands: LifecycleCommand[] = [
    { kind: 'AddDevice', fault: 'none' },
    { kind: 'Irp', device: 0, event: { type: 'START', bus: 'succeed' } },
    { kind: 'Irp', device: 0, event: e },
  ];
  return runLifecycle(loader, { commands, choices, entryPoolFault: 0 }, { interfaceVersion: version });
}

const texts = (r: RunResult) => r.trace.map((t) => t.text);
const index = (r: RunResult, re: RegExp) => texts(r).findIndex((t) => re.test(t));

/**
 * The reference, but announcing PowerDown on the system IRP and then passing it down untouched:
 * not the policy owner, so the stack's owner sends D3 after it (finding 12, the other design).
 */
const powerDownOnSystemIrp: DriverImageLoader = (k) => {
  const entry = createReferenceDriver(k);
  return (driver, path) => {
    const st = entry(driver, path);
    const inner = driver.MajorFunction[IRP_MJ_POWER]!;
    const DispatchPower: DRIVER_DISPATCH = (device, irp) => {
      const sl = k.IoGetCurrentIrpStackLocation(irp);
      const fdo = device.DeviceExtension['fdo'] as FdoExtension;
      if (sl.MinorFunction === IRP_MN_SET_POWER && sl.Parameters.Power?.Type === SystemPowerState && sl.Parameters.Power.State.SystemState !== PowerSystemWorking &&
        fdo.providerStarted && fdo.notify !== null && !fdo.poweredDown) {
        fdo.notify(fdo.provider!, { StructureRevision: NET_DMA_PNP_NOTIFICATION_REVISION_1, StructureSize: NET_DMA_PNP_NOTIFICATION_SIZE, NotificationCode: NetDmaNotificationProviderPowerDown, Buffer: null, BufferLength: 0 });
        fdo.poweredDown = true;
      }
      return inner(device, irp);
    };
    driver.MajorFunction[IRP_MJ_POWER] = DispatchPower;
    return st;
  };
};

describe('system power transitions', () => {
  const cases = VERSIONS.flatMap((v) => TRANSITIONS.map((e) => [v, e.to, e.bus, e] as const));

  it.each(cases)('the power-policy owner is accepted on NetDMA %s: %s, bus %s', (v, _to, _bus, e) => {
    for (const choices of [[], [1, 1, 1, 1, 1, 1, 1, 1]]) {
      const r = run(policyOwner, e, v, choices);
      expect(r.harnessError).toBeNull();
      expect(r.violation?.message ?? null).toBeNull();
      if (e.bus === 'fail' && e.to !== 'S5') {
        // The lower drivers refused the query: Windows cancels the transition, no device IRP is requested.
        expect(index(r, /PoRequestPowerIrp/)).toBe(-1);
        continue;
      }
      // The owner requested D3 itself; the system IRP completed only after the device IRP did.
      const requested = index(r, /PoRequestPowerIrp\(PDO#1, IRP_MN_SET_POWER\(D3\)/);
      const d3Done = index(r, /IRP_MN_SET_POWER\(D3\) \(IRP#\d+\) completed/);
      const completion = index(r, /PowerCompletion\(PDO#1, IRP_MN_SET_POWER\(D3\)/);
      const sDone = index(r, /IRP_MN_SET_POWER \(IRP#\d+\) completed/);
      expect(requested).toBeGreaterThan(-1);
      expect(completion).toBeGreaterThan(d3Done);
      expect(sDone).toBeGreaterThan(d3Done);
      if (v !== '1.0') expect(index(r, /NetDmaPnPEventNotify\(PowerDown\)/)).toBeLessThan(requested);
      // The requested IRP went out from the power manager's thread; the stack's owner never had to send one itself.
      expect(index(r, /the power manager sends IRP_MN_SET_POWER\(D3\) \(IRP#\d+\) to FDO#1 at PASSIVE_LEVEL$/)).toBeGreaterThan(-1);
      expect(index(r, /the power manager sends IRP_MN_SET_POWER\(D\d\) \(IRP#\d+\) to FDO#1$/)).toBe(-1);
      if (e.to === 'S5') expect(r.steps[r.steps.length - 1]).toMatch(/S5/); // shutdown is the last step: no removal, no unload
      else expect(r.steps[r.steps.length - 1]).toBe('Unload');
    }
  });

  it.each(cases)('the reference (not the owner: it passes system IRPs down) is accepted on NetDMA %s: %s, bus %s', (v, _to, _bus, e) => {
    const r = run(reference, e, v);
    expect(r.harnessError).toBeNull();
    expect(r.violation?.message ?? null).toBeNull();
    expect(index(r, /PoRequestPowerIrp/)).toBe(-1);
    if (e.bus !== 'fail' || e.to === 'S5') {
      // The stack's owner sent D3 once the system IRP had completed.
      const sDone = index(r, /IRP_MN_SET_POWER \(IRP#\d+\) completed/);
      const d3 = index(r, /the power manager sends IRP_MN_SET_POWER\(D3\)/);
      expect(d3).toBeGreaterThan(sDone);
    }
  });

  it.each(VERSIONS)('finding 12: PowerDown on the system IRP, D3 from the stack afterwards, is accepted on NetDMA %s', (v) => {
    for (const e of TRANSITIONS) {
      const r = run(powerDownOnSystemIrp, e, v);
      expect(r.violation?.message ?? null, `${e.to} ${e.bus}`).toBeNull();
    }
  });

  it.each(VERSIONS)('a driver that cannot sleep (the 1.0 paging path) may refuse the system query on NetDMA %s: the transition is cancelled', (v) => {
    const refuses: DriverImageLoader = (k) => {
      const entry = createReferenceDriver(k);
      return (driver, path) => {
        const st = entry(driver, path);
        const inner = driver.MajorFunction[IRP_MJ_POWER]!;
        driver.MajorFunction[IRP_MJ_POWER] = (device, irp) => {
          const sl = k.IoGetCurrentIrpStackLocation(irp);
          if (sl.MinorFunction !== IRP_MN_QUERY_POWER || sl.Parameters.Power?.Type !== SystemPowerState) return inner(device, irp);
          irp.IoStatus.Status = STATUS_UNSUCCESSFUL;
          k.IoCompleteRequest(irp, IO_NO_INCREMENT);
          return STATUS_UNSUCCESSFUL;
        };
        return st;
      };
    };
    const r = run(refuses, { type: 'SYSTEM_POWER', to: 'S3', bus: 'succeed' }, v);
    expect(r.violation?.message ?? null).toBeNull();
    expect(r.steps.some((x) => /query refused .*IRP_MN_SET_POWER\(S0\)/.test(x))).toBe(true);
    expect(index(r, /IRP_MN_SET_POWER\(D3\)/)).toBe(-1); // the device never left D0
  });

  it('an FDO with DO_POWER_INRUSH gets its power IRPs at DISPATCH_LEVEL; the reference, which never sets DO_POWER_PAGABLE, at PASSIVE_LEVEL', () => {
    const inrush: DriverImageLoader = (k) => {
      const entry = createReferenceDriver(k);
      return (driver, path) => {
        const st = entry(driver, path);
        const pnp = driver.MajorFunction[IRP_MJ_PNP]!;
        driver.MajorFunction[IRP_MJ_PNP] = (device, irp) => {
          device.Flags |= DO_POWER_INRUSH; // set on the FDO once the first PnP IRP reaches it
          return pnp(device, irp);
        };
        return st;
      };
    };
    const irqls = (r: RunResult) => r.trace.filter((t) => t.text.startsWith('DispatchRoutine[IRP_MJ_POWER]')).map((t) => t.irql);
    const a = run(inrush, { type: 'SYSTEM_POWER', to: 'S3', bus: 'succeed' }, '1.0');
    expect(a.violation?.message ?? null).toBeNull();
    expect(irqls(a).length).toBeGreaterThan(0);
    expect(irqls(a).every((x) => x === DISPATCH_LEVEL)).toBe(true);
    const b = run(reference, { type: 'SYSTEM_POWER', to: 'S3', bus: 'succeed' }, '2.0', [1, 1, 1, 1, 1, 1, 1, 1]);
    expect(irqls(b).length).toBeGreaterThan(0);
    expect(irqls(b).every((x) => x === 0)).toBe(true);
  });

  it.each(VERSIONS)('finding 12: the owner announcing PowerUp on the system IRP\'s path (D0 IRP\'s completion function) is accepted on NetDMA %s', (v) => {
    const upOnSystemIrp: DriverImageLoader = (k) => createPowerPolicyDriver(k, undefined, { owner: true, powerUpOn: 'system-irp' });
    for (const e of TRANSITIONS) {
      for (const choices of [[], [1, 1, 1, 1, 1, 1, 1, 1]]) {
        const r = run(upOnSystemIrp, e, v, choices);
        expect(r.violation?.message ?? null, `${e.to} ${e.bus}`).toBeNull();
        if (v !== '1.0' && e.bus !== 'fail' && e.to !== 'S5') {
          // PowerUp from the PowerCompletion of the D0 IRP, which completes the S0 system IRP afterwards.
          const up = index(r, /NetDmaPnPEventNotify\(PowerUp\)/);
          expect(up).toBeGreaterThan(index(r, /PowerCompletion\(PDO#1, IRP_MN_SET_POWER\(D0\)/));
          expect(up).toBeLessThan(texts(r).findLastIndex((t) => /IRP_MN_SET_POWER \(IRP#\d+\) completed/.test(t)));
        }
      }
    }
  });

  it('a PowerDown never followed by PowerUp once the system is back in S0 is PWR-02', () => {
    // The reference, with its D0 path's PowerUp suppressed by marking the provider already powered up.
    const noPowerUp: DriverImageLoader = (k) => {
      const entry = createReferenceDriver(k);
      return (driver, path) => {
        const st = entry(driver, path);
        const inner = driver.MajorFunction[IRP_MJ_POWER]!;
        driver.MajorFunction[IRP_MJ_POWER] = (device, irp) => {
          const sl = k.IoGetCurrentIrpStackLocation(irp);
          const fdo = device.DeviceExtension['fdo'] as FdoExtension;
          if (sl.Parameters.Power?.Type === SystemPowerState && sl.Parameters.Power.State.SystemState === PowerSystemWorking) fdo.poweredDown = false;
          return inner(device, irp);
        };
        return st;
      };
    };
    const r = run(noPowerUp, { type: 'SYSTEM_POWER', to: 'S3', bus: 'succeed' }, '2.0');
    expect(r.violation?.ruleId).toBe('PWR-02');
  });

  it('PoRequestPowerIrp refuses what it does not send, PoSetPowerState returns the previous state, PoStartNextPowerIrp is accepted', () => {
    const seen: Record<string, unknown> = {};
    const probe: DriverImageLoader = (k) => {
      const entry = createReferenceDriver(k);
      return (driver, path) => {
        const st = entry(driver, path);
        const inner = driver.MajorFunction[IRP_MJ_POWER]!;
        driver.MajorFunction[IRP_MJ_POWER] = (device, irp) => {
          const fdo = device.DeviceExtension['fdo'] as FdoExtension;
          if (seen['badMinor'] === undefined) {
            seen['badMinor'] = k.PoRequestPowerIrp(fdo.pdo, 0x07, { DeviceState: PowerDeviceD3 }, null, null, null);
            seen['badState'] = k.PoRequestPowerIrp(fdo.pdo, IRP_MN_SET_POWER, { DeviceState: 9 }, null, null, null);
            seen['previous'] = k.PoSetPowerState(device, DevicePowerState, { DeviceState: PowerDeviceD0 });
            k.PoStartNextPowerIrp(irp);
          }
          return inner(device, irp);
        };
        return st;
      };
    };
    const r = run(probe, { type: 'SYSTEM_POWER', to: 'S3', bus: 'succeed' }, '2.0');
    expect(r.violation?.message ?? null).toBeNull();
    expect(seen['badMinor']).toBe(STATUS_INVALID_PARAMETER_2);
    expect(seen['badState']).toBe(STATUS_INVALID_PARAMETER_2);
    expect(seen['previous']).toEqual({ DeviceState: PowerDeviceD0 });
  });
});
