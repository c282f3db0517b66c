/**
 * IRP_MJ_PNP of the paging-veto-10 provider: a NetDMA 1.0 provider keeps its engine in the paging
 * path (F51), so, as a driver in the paging path must, it fails every IRP_MN_QUERY_STOP_DEVICE and
 * IRP_MN_QUERY_REMOVE_DEVICE while it is started (complete with STATUS_UNSUCCESSFUL and
 * IO_NO_INCREMENT, not passed down). The CANCEL_STOP / CANCEL_REMOVE that follow are succeeded.
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
  STATUS_UNSUCCESSFUL,
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
      case IRP_MN_QUERY_REMOVE_DEVICE:
        // While the engine is started it is in the paging path: it can be neither stopped nor
        // removed (F108, F111). Fail, complete with IO_NO_INCREMENT, do not pass down; the state is
        // unchanged. A device that is not started (before START, after a failed START) is not in
        // the paging path yet: succeed and pass down.
        if (dev.providerRunning) return finish(irp, STATUS_UNSUCCESSFUL);
        return succeedDown(dev, irp);
      case IRP_MN_CANCEL_STOP_DEVICE:
      case IRP_MN_CANCEL_REMOVE_DEVICE:
        // Sent after our failed query: nothing to undo, never failed (F109, F112).
        sendDownAndWait(dev, irp);
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
