/**
 * pended-start: PnP and power dispatch. Every IRP handled on the way up is pended: the dispatch
 * routine marks it pending, sends it down with a completion routine and returns STATUS_PENDING.
 * The completion routine (which may run at DISPATCH_LEVEL) either finishes the IRP on the spot
 * (FILTER, cancels, failed START) or hands it to the device's PASSIVE_LEVEL worker (START, D0),
 * which does the work that needs PASSIVE_LEVEL and then calls IoCompleteRequest.
 */
import {
  CM_RESOURCE_INTERRUPT_MESSAGE,
  CmResourceTypeInterrupt,
  DelayedWorkQueue,
  DevicePowerState,
  IO_NO_INCREMENT,
  IRP_MN_CANCEL_REMOVE_DEVICE,
  IRP_MN_CANCEL_STOP_DEVICE,
  IRP_MN_FILTER_RESOURCE_REQUIREMENTS,
  IRP_MN_QUERY_REMOVE_DEVICE,
  IRP_MN_QUERY_STOP_DEVICE,
  IRP_MN_REMOVE_DEVICE,
  IRP_MN_SET_POWER,
  IRP_MN_START_DEVICE,
  IRP_MN_STOP_DEVICE,
  IRP_MN_SURPRISE_REMOVAL,
  IrqPolicySpecifiedProcessors,
  NET_DMA_PNP_NOTIFICATION_REVISION_1,
  NET_DMA_PNP_NOTIFICATION_SIZE,
  NT_SUCCESS,
  NetDmaNotificationProviderPowerDown,
  NetDmaNotificationProviderPowerUp,
  PowerDeviceD0,
  STATUS_CONTINUE_COMPLETION,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  type DEVICE_OBJECT,
  type DRIVER_DISPATCH,
  type IO_RESOURCE_REQUIREMENTS_LIST,
  type IO_WORKITEM_ROUTINE,
  type IRP,
  type KernelServices,
  type NTSTATUS,
} from '../../../src/candidate-api';
import { PS_TAG, psDevice, type Job, type PsDevice } from './device';
import type { PsEngine } from './engine';

export interface PsDispatch {
  readonly DispatchPnp: DRIVER_DISPATCH;
  readonly DispatchPower: DRIVER_DISPATCH;
}

export function createDispatch(k: KernelServices, engine: PsEngine): PsDispatch {
  // ---- the device's PASSIVE_LEVEL worker: one work item, a FIFO of jobs ----
  const drain: IO_WORKITEM_ROUTINE = (_d, context) => {
    const dev = context as PsDevice;
    for (let job = dev.jobs.shift(); job; job = dev.jobs.shift()) job();
    dev.workerQueued = false;
  };
  const defer = (dev: PsDevice, job: Job) => {
    dev.jobs.push(job);
    if (dev.workerQueued) return;
    dev.workerQueued = true;
    k.IoQueueWorkItem(dev.worker, drain, DelayedWorkQueue, dev);
  };

  /**
   * Pends `irp` and sends it down with `onUp` as its completion routine. `onUp` returns
   * STATUS_CONTINUE_COMPLETION to let completion go on, or STATUS_MORE_PROCESSING_REQUIRED after
   * arranging for IoCompleteRequest later.
   */
  const pendAndSend = (dev: PsDevice, irp: IRP, onUp: (irp: IRP) => NTSTATUS, power = false): NTSTATUS => {
    k.IoMarkIrpPending(irp);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, (_d, i) => onUp(i), null, true, true, true);
    if (power) k.PoCallDriver(dev.next, irp);
    else k.IoCallDriver(dev.next, irp);
    return STATUS_PENDING;
  };
  const passOn = (dev: PsDevice, irp: IRP, handled: boolean, power = false): NTSTATUS => {
    if (handled) irp.IoStatus.Status = STATUS_SUCCESS;
    k.IoSkipCurrentIrpStackLocation(irp);
    return power ? k.PoCallDriver(dev.next, irp) : k.IoCallDriver(dev.next, irp);
  };
  const notify = (dev: PsDevice, code: number) =>
    dev.notify!(dev.handle!, { StructureRevision: NET_DMA_PNP_NOTIFICATION_REVISION_1, StructureSize: NET_DMA_PNP_NOTIFICATION_SIZE, NotificationCode: code, Buffer: null, BufferLength: 0 });

  /** Points MSI-X message i at the CPU NetDMA asked for channel i (on the way up only). */
  const retarget = (dev: PsDevice, irp: IRP) => {
    const list = irp.IoStatus.Information as IO_RESOURCE_REQUIREMENTS_LIST | null;
    if (!dev.haveAffinities || !list) return;
    let message = 0;
    for (const d of list.List[0].Descriptors) {
      if (d.Type !== CmResourceTypeInterrupt || (d.Flags & CM_RESOURCE_INTERRUPT_MESSAGE) === 0) continue;
      const cpu = message < dev.wantedCpu.length ? dev.wantedCpu[message]! : -1;
      message++;
      if (cpu < 0) continue;
      d.u.Interrupt.AffinityPolicy = IrqPolicySpecifiedProcessors;
      d.u.Interrupt.TargetedProcessors = 1n << BigInt(cpu);
      d.u.Interrupt.Group = 0;
    }
  };

  const start = (dev: PsDevice, irp: IRP): NTSTATUS => {
    const translated = k.IoGetCurrentIrpStackLocation(irp).Parameters.StartDevice?.AllocatedResourcesTranslated ?? null;
    return pendAndSend(dev, irp, (i) => {
      if (!NT_SUCCESS(i.IoStatus.Status)) return STATUS_CONTINUE_COMPLETION; // the bus failed it: not ours to continue
      defer(dev, () => {
        if (dev.hw) engine.tearDown(dev); // a START with new resources while started
        i.IoStatus.Status = translated ? engine.bringUp(dev, translated) : STATUS_INSUFFICIENT_RESOURCES;
        k.IoCompleteRequest(i, IO_NO_INCREMENT);
      });
      return STATUS_MORE_PROCESSING_REQUIRED;
    });
  };

  const remove = (dev: PsDevice, irp: IRP): NTSTATUS => {
    engine.tearDown(dev);
    if (dev.handle) k.NetDmaDeregisterProvider(dev.handle);
    dev.handle = null;
    k.IoFreeWorkItem(dev.worker);
    k.ExFreePoolWithTag(dev.block, PS_TAG);
    const st = passOn(dev, irp, true);
    k.IoDetachDevice(dev.next);
    k.IoDeleteDevice(dev.fdo);
    return st;
  };

  const DispatchPnp: DRIVER_DISPATCH = (fdo: DEVICE_OBJECT, irp: IRP) => {
    const dev = psDevice(fdo);
    switch (k.IoGetCurrentIrpStackLocation(irp).MinorFunction) {
      case IRP_MN_START_DEVICE:
        return start(dev, irp);
      case IRP_MN_FILTER_RESOURCE_REQUIREMENTS:
        return pendAndSend(dev, irp, (i) => {
          if (NT_SUCCESS(i.IoStatus.Status)) retarget(dev, i);
          return STATUS_CONTINUE_COMPLETION;
        });
      case IRP_MN_CANCEL_STOP_DEVICE:
      case IRP_MN_CANCEL_REMOVE_DEVICE:
        return pendAndSend(dev, irp, (i) => {
          i.IoStatus.Status = STATUS_SUCCESS; // never failed
          return STATUS_CONTINUE_COMPLETION;
        });
      case IRP_MN_QUERY_STOP_DEVICE:
      case IRP_MN_QUERY_REMOVE_DEVICE:
        return passOn(dev, irp, true);
      case IRP_MN_STOP_DEVICE:
      case IRP_MN_SURPRISE_REMOVAL:
        engine.tearDown(dev); // NetDmaProviderStop first, then the resources
        return passOn(dev, irp, true);
      case IRP_MN_REMOVE_DEVICE:
        return remove(dev, irp);
      default:
        return passOn(dev, irp, false);
    }
  };

  const DispatchPower: DRIVER_DISPATCH = (fdo: DEVICE_OBJECT, irp: IRP) => {
    const dev = psDevice(fdo);
    const sl = k.IoGetCurrentIrpStackLocation(irp);
    const p = sl.Parameters.Power;
    if (sl.MinorFunction !== IRP_MN_SET_POWER || !p || p.Type !== DevicePowerState) return passOn(dev, irp, false, true);
    if (p.State.DeviceState !== PowerDeviceD0) {
      if (dev.notify && dev.netDmaStarted && !dev.sleeping) {
        notify(dev, NetDmaNotificationProviderPowerDown); // before the device leaves D0
        dev.sleeping = true;
      }
      if (dev.hw) dev.engineDark = true; // the bus is about to cut the engine's power
      return passOn(dev, irp, false, true);
    }
    return pendAndSend(dev, irp, (i) => {
      if (!NT_SUCCESS(i.IoStatus.Status) || (!dev.sleeping && !dev.engineDark)) return STATUS_CONTINUE_COMPLETION;
      defer(dev, () => {
        // Back in D0, in the worker: the engine first (F39, F51), then PowerUp, which makes NetDMA
        // restart every allocated channel (F50); a 1.0 NetDMA restarts them once this IRP completes.
        if (dev.engineDark) engine.restore(dev);
        if (dev.sleeping) {
          notify(dev, NetDmaNotificationProviderPowerUp);
          dev.sleeping = false;
        }
        k.IoCompleteRequest(i, IO_NO_INCREMENT);
      });
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, true);
  };

  return { DispatchPnp, DispatchPower };
}
