/**
 * IRP_MJ_PNP of the v11-linked provider (ordinary WDM function-driver handling).
 */
import {
  CM_RESOURCE_INTERRUPT_MESSAGE,
  CmResourceTypeInterrupt,
  IO_NO_INCREMENT,
  IRP_MN_CANCEL_REMOVE_DEVICE,
  IRP_MN_CANCEL_STOP_DEVICE,
  IRP_MN_FILTER_RESOURCE_REQUIREMENTS,
  IRP_MN_QUERY_REMOVE_DEVICE,
  IRP_MN_QUERY_STOP_DEVICE,
  IRP_MN_REMOVE_DEVICE,
  IRP_MN_START_DEVICE,
  IRP_MN_STOP_DEVICE,
  IRP_MN_SURPRISE_REMOVAL,
  IrqPolicySpecifiedProcessors,
  NT_SUCCESS,
  NotificationEvent,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  type DEVICE_OBJECT,
  type DRIVER_DISPATCH,
  type IO_RESOURCE_REQUIREMENTS_LIST,
  type IRP,
  type KEVENT,
  type KernelServices,
  type NTSTATUS,
} from '../../../src/candidate-api';
import { POOL_TAG, PnpState, type Engine } from './device';
import type { EngineOps } from '../blind-engine/engine';

export function createPnp(k: KernelServices, ops: EngineOps, ext: (d: DEVICE_OBJECT) => Engine): DRIVER_DISPATCH {
  /** Sends the IRP down and waits for the lower drivers to finish it (bottom-up IRPs). */
  const sendDownAndWait = (dev: Engine, irp: IRP): NTSTATUS => {
    const done: KEVENT = {};
    k.KeInitializeEvent(done, NotificationEvent, false);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, (_d, _i, ev) => {
      k.KeSetEvent(ev as KEVENT, 0, false);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, done, true, true, true);
    const st = k.IoCallDriver(dev.lower, irp);
    if (st !== STATUS_PENDING) return st;
    k.KeWaitForSingleObject(done, 0, 0, false, null);
    return irp.IoStatus.Status;
  };
  const finish = (irp: IRP, st: NTSTATUS): NTSTATUS => {
    irp.IoStatus.Status = st;
    k.IoCompleteRequest(irp, IO_NO_INCREMENT);
    return st;
  };
  const succeedDown = (dev: Engine, irp: IRP): NTSTATUS => {
    irp.IoStatus.Status = STATUS_SUCCESS;
    k.IoSkipCurrentIrpStackLocation(irp);
    return k.IoCallDriver(dev.lower, irp);
  };

  const stopProvider = (dev: Engine) => {
    if (dev.providerRunning && dev.handle) {
      k.NetDmaProviderStop(dev.handle); // frees every channel before it returns (F11d)
      dev.providerRunning = false;
      dev.stopSinceStart = true;
    }
  };
  /** Deregisters once; a started provider is stopped first (F9, F11b). */
  const deregister = (dev: Engine) => {
    if (!dev.handle) return;
    stopProvider(dev);
    k.NetDmaDeregisterProvider(dev.handle);
    dev.handle = null;
  };

  const filter = (dev: Engine, irp: IRP) => {
    const list = irp.IoStatus.Information as IO_RESOURCE_REQUIREMENTS_LIST | null;
    if (!list || !dev.wantedCpu) return;
    let msg = 0;
    for (const d of list.List[0].Descriptors) {
      if (d.Type !== CmResourceTypeInterrupt || (d.Flags & CM_RESOURCE_INTERRUPT_MESSAGE) === 0) continue;
      const cpu = dev.wantedCpu.get(msg);
      msg++;
      if (cpu === undefined) continue;
      d.u.Interrupt.AffinityPolicy = IrqPolicySpecifiedProcessors;
      d.u.Interrupt.TargetedProcessors = 1n << BigInt(cpu);
      d.u.Interrupt.Group = 0;
    }
  };

  return (device, irp) => {
    const dev = ext(device);
    const sl = k.IoGetCurrentIrpStackLocation(irp);
    switch (sl.MinorFunction) {
      case IRP_MN_START_DEVICE: {
        const res = sl.Parameters.StartDevice;
        const st = sendDownAndWait(dev, irp);
        if (!NT_SUCCESS(st)) return finish(irp, st);
        if (!res || !dev.handle) return finish(irp, STATUS_INSUFFICIENT_RESOURCES);
        if (dev.bar !== null) {
          stopProvider(dev);
          ops.tearDown(dev);
        }
        const up = ops.bringUp(dev, res.AllocatedResourcesTranslated);
        if (!NT_SUCCESS(up.st) || !up.attrs) return finish(irp, up.st);
        dev.providerRunning = true;
        dev.stopSinceStart = false;
        k.NetDmaProviderStart(dev.handle, up.attrs);
        dev.pnp = PnpState.Started;
        return finish(irp, STATUS_SUCCESS);
      }
      case IRP_MN_FILTER_RESOURCE_REQUIREMENTS: {
        const st = sendDownAndWait(dev, irp);
        if (NT_SUCCESS(st)) filter(dev, irp);
        return finish(irp, st);
      }
      case IRP_MN_QUERY_STOP_DEVICE:
        dev.pnp = PnpState.StopPending;
        return succeedDown(dev, irp);
      case IRP_MN_QUERY_REMOVE_DEVICE:
        dev.pnp = PnpState.RemovePending;
        return succeedDown(dev, irp);
      case IRP_MN_CANCEL_STOP_DEVICE:
      case IRP_MN_CANCEL_REMOVE_DEVICE:
        sendDownAndWait(dev, irp);
        dev.pnp = dev.bar !== null ? PnpState.Started : dev.pnp === PnpState.SurpriseRemoved ? PnpState.SurpriseRemoved : PnpState.NotStarted;
        return finish(irp, STATUS_SUCCESS);
      case IRP_MN_STOP_DEVICE:
        stopProvider(dev); // before the resources go (F122)
        ops.tearDown(dev);
        dev.pnp = PnpState.Stopped;
        return succeedDown(dev, irp);
      case IRP_MN_SURPRISE_REMOVAL:
        // Stop and release the hardware; deregistration waits for REMOVE.
        stopProvider(dev);
        ops.tearDown(dev);
        dev.pnp = PnpState.SurpriseRemoved;
        return succeedDown(dev, irp);
      case IRP_MN_REMOVE_DEVICE: {
        stopProvider(dev);
        ops.tearDown(dev);
        deregister(dev);
        k.IoFreeWorkItem(dev.workItem);
        k.ExFreePoolWithTag(dev.contextPool, POOL_TAG);
        const st = succeedDown(dev, irp);
        k.IoDetachDevice(dev.lower);
        k.IoDeleteDevice(dev.fdo);
        return st;
      }
      default:
        k.IoSkipCurrentIrpStackLocation(irp);
        return k.IoCallDriver(dev.lower, irp);
    }
  };
}
