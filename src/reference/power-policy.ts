/**
 * The reference provider as its device's power-policy owner: on a system IRP_MN_SET_POWER it
 * requests the device IRP itself with PoRequestPowerIrp (D3 when the system leaves S0, D0 when it
 * returns) and completes the system IRP from that IRP's completion, as WDM function drivers
 * usually do. Built around the unchanged reference (`driver.ts`): its DispatchPower still handles
 * the device IRPs (re-initializing the engine and announcing PowerUp on the D0 IRP's way up); this
 * layer announces PowerDown on the system IRP before it requests D3 (finding 12, F50).
 *
 * The power-policy mutations of the faulty catalog are switched on here too.
 *
 * @module
 */
import {
  DO_POWER_PAGABLE,
  IO_NO_INCREMENT,
  IRP_MJ_PNP,
  IRP_MJ_POWER,
  IRP_MN_QUERY_POWER,
  IRP_MN_SET_POWER,
  IRP_MN_START_DEVICE,
  NET_DMA_PNP_NOTIFICATION_REVISION_1,
  NET_DMA_PNP_NOTIFICATION_SIZE,
  NT_SUCCESS,
  NetDmaNotificationProviderPowerDown,
  NetDmaNotificationProviderPowerUp,
  PowerDeviceD0,
  PowerDeviceD3,
  PowerSystemWorking,
  STATUS_CONTINUE_COMPLETION,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  SystemPowerState,
  type DEVICE_OBJECT,
  type DRIVER_DISPATCH,
  type DRIVER_INITIALIZE,
  type IRP,
  type KernelServices,
  type NTSTATUS,
} from '../candidate-api';
import type { FdoExtension } from './device-extension';
import { createReferenceDriver } from './driver';
import { NO_MUTATIONS, type Mutation } from './mutations';

/** The mutations that live in this layer; a faulty provider with one of them is built here. */
export const POWER_POLICY_MUTATIONS = [
  'power-owner-completes-early',
  'power-owner-powerdown-late',
  'power-owner-never-completes',
  'power-query-completes-success',
  'power-clears-pagable',
] as const satisfies readonly Mutation[];

/** The mutations that make the provider its device's power-policy owner. */
const OWNER_MUTATIONS: readonly Mutation[] = ['power-owner-completes-early', 'power-owner-powerdown-late', 'power-owner-never-completes'];

/** True when `mutations` holds a bug of this layer. */
export function isPowerPolicyFaulty(mutations: ReadonlySet<Mutation>): boolean {
  return POWER_POLICY_MUTATIONS.some((x) => mutations.has(x));
}

/** How the layer behaves. */
export interface PowerPolicyOptions {
  /** Request the device IRPs on system SET_POWER IRPs (default: when a policy-owner mutation is on). */
  readonly owner?: boolean;
  /**
   * Where the owner announces PowerUp: in the D0 IRP's path (`device-irp`, the reference's work
   * item; the default) or in the S0 system IRP's path (`system-irp`: from the D0 IRP's completion
   * function, before it completes the system IRP). Finding 12: both follow F50.
   */
  readonly powerUpOn?: 'device-irp' | 'system-irp';
}

/**
 * One image of the reference provider with this power layer: the power-policy owner when
 * `opts.owner` is set (or a policy-owner mutation is on), and the layer's mutations applied.
 */
export function createPowerPolicyDriver(k: KernelServices, mutations: ReadonlySet<Mutation> = NO_MUTATIONS, opts: PowerPolicyOptions = {}): DRIVER_INITIALIZE {
  const bug = (x: Mutation) => mutations.has(x);
  const owner = opts.owner ?? OWNER_MUTATIONS.some(bug);
  // 'power-clears-pagable': the FDO is created with DO_POWER_PAGABLE (as AddDevice routines are told to).
  const services: KernelServices = bug('power-clears-pagable')
    ? Object.freeze({
        ...k,
        IoCreateDevice: (...a: Parameters<KernelServices['IoCreateDevice']>) => {
          const st = k.IoCreateDevice(...a);
          if (NT_SUCCESS(st) && a[6].value) a[6].value.Flags |= DO_POWER_PAGABLE;
          return st;
        },
      })
    : k;
  const inner = createReferenceDriver(services, mutations);
  /** FDOs whose device this layer sent to D3 and not yet back to D0. */
  const inD3 = new WeakSet<FdoExtension>();
  const ext = (d: DEVICE_OBJECT) => d.DeviceExtension['fdo'] as FdoExtension;
  const announce = (fdo: FdoExtension, code: number) =>
    fdo.notify?.(fdo.provider!, { StructureRevision: NET_DMA_PNP_NOTIFICATION_REVISION_1, StructureSize: NET_DMA_PNP_NOTIFICATION_SIZE, NotificationCode: code, Buffer: null, BufferLength: 0 });
  const powerDown = (fdo: FdoExtension) => announce(fdo, NetDmaNotificationProviderPowerDown);
  /** FDOs whose PowerUp this layer announces itself, on the system IRP's path. */
  const powerUpPending = new WeakSet<FdoExtension>();
  const passDown = (fdo: FdoExtension, irp: IRP): NTSTATUS => {
    k.IoSkipCurrentIrpStackLocation(irp);
    return k.PoCallDriver(fdo.lower, irp);
  };

  /** System SET_POWER leaving S0: PowerDown, then D3, then the system IRP goes down (it completes after the device is off). */
  const sleep = (fdo: FdoExtension, sirp: IRP): NTSTATUS => {
    let late = false;
    if (fdo.providerStarted && fdo.notify !== null && !fdo.poweredDown) {
      // Before the device leaves the working state (F50): on the system IRP, before D3 is requested.
      if (bug('power-owner-powerdown-late')) late = true;
      else powerDown(fdo);
      fdo.poweredDown = true; // the reference's D3 path then announces nothing more
    }
    k.IoMarkIrpPending(sirp);
    const st = k.PoRequestPowerIrp(fdo.pdo, IRP_MN_SET_POWER, { DeviceState: PowerDeviceD3 }, (_d, _minor, _state, _ctx, io) => {
      if (NT_SUCCESS(io.Status)) inD3.add(fdo);
      if (late) powerDown(fdo);
      if (!bug('power-owner-completes-early')) passDown(fdo, sirp);
    }, null, null);
    if (st !== STATUS_PENDING || bug('power-owner-completes-early')) passDown(fdo, sirp);
    return STATUS_PENDING;
  };

  /** System SET_POWER back to S0: down first, then D0 on the way up; the system IRP completes from the D0 IRP's completion. */
  const resume = (fdo: FdoExtension, sirp: IRP): NTSTATUS => {
    k.IoMarkIrpPending(sirp);
    k.IoCopyCurrentIrpStackLocationToNext(sirp);
    k.IoSetCompletionRoutine(sirp, () => {
      if (!NT_SUCCESS(sirp.IoStatus.Status) || !inD3.has(fdo)) return STATUS_CONTINUE_COMPLETION;
      if (opts.powerUpOn === 'system-irp' && fdo.poweredDown) {
        // The reference's D0 path then only re-initializes the engine; PowerUp comes from here.
        fdo.poweredDown = false;
        powerUpPending.add(fdo);
      }
      const st = k.PoRequestPowerIrp(fdo.pdo, IRP_MN_SET_POWER, { DeviceState: PowerDeviceD0 }, (_d, _minor, _state, _ctx, io) => {
        inD3.delete(fdo);
        if (powerUpPending.has(fdo)) {
          powerUpPending.delete(fdo);
          // The D0 IRP completed (the reference completes it in a PASSIVE_LEVEL work item, after re-initializing the engine).
          if (NT_SUCCESS(io.Status) && fdo.provider) announce(fdo, NetDmaNotificationProviderPowerUp);
          else fdo.poweredDown = true;
        }
        if (!bug('power-owner-never-completes')) k.IoCompleteRequest(sirp, IO_NO_INCREMENT);
      }, null, null);
      return st === STATUS_PENDING ? STATUS_MORE_PROCESSING_REQUIRED : STATUS_CONTINUE_COMPLETION;
    }, null, true, true, true);
    k.PoCallDriver(fdo.lower, sirp);
    return STATUS_PENDING;
  };

  const DriverEntry: DRIVER_INITIALIZE = (driver, path) => {
    const st = inner(driver, path);
    if (!NT_SUCCESS(st)) return st;
    const referencePower = driver.MajorFunction[IRP_MJ_POWER]!;
    const referencePnp = driver.MajorFunction[IRP_MJ_PNP]!;
    const DispatchPower: DRIVER_DISPATCH = (device, irp) => {
      const sl = k.IoGetCurrentIrpStackLocation(irp);
      if (sl.Parameters.Power?.Type !== SystemPowerState) return referencePower(device, irp);
      if (sl.MinorFunction === IRP_MN_QUERY_POWER && bug('power-query-completes-success')) {
        irp.IoStatus.Status = STATUS_SUCCESS; // "we can always sleep": the lower drivers are never asked
        k.IoCompleteRequest(irp, IO_NO_INCREMENT);
        return STATUS_SUCCESS;
      }
      if (!owner || sl.MinorFunction !== IRP_MN_SET_POWER) return referencePower(device, irp);
      const fdo = ext(device);
      return sl.Parameters.Power.State.SystemState === PowerSystemWorking ? resume(fdo, irp) : sleep(fdo, irp);
    };
    driver.MajorFunction[IRP_MJ_POWER] = DispatchPower;
    if (bug('power-clears-pagable')) {
      // "The ISR and DPC are non-paged, so the power path must be too": cleared at START.
      driver.MajorFunction[IRP_MJ_PNP] = (device, irp) => {
        if (k.IoGetCurrentIrpStackLocation(irp).MinorFunction === IRP_MN_START_DEVICE) device.Flags &= ~DO_POWER_PAGABLE;
        return referencePnp(device, irp);
      };
    }
    return STATUS_SUCCESS;
  };
  return DriverEntry;
}
