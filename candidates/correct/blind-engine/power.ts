/**
 * IRP_MJ_POWER: PowerDown is announced before a device IRP leaves D0 is passed down; back in D0 the
 * engine is restored and PowerUp announced from a work item once the bus driver has completed the
 * D0 IRP (F50, F51).
 */
import {
  DelayedWorkQueue,
  DevicePowerState,
  IO_NO_INCREMENT,
  IRP_MN_SET_POWER,
  NET_DMA_PNP_NOTIFICATION_REVISION_1,
  NET_DMA_PNP_NOTIFICATION_SIZE,
  NT_SUCCESS,
  NetDmaNotificationProviderPowerDown,
  NetDmaNotificationProviderPowerUp,
  PowerDeviceD0,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  type DEVICE_OBJECT,
  type DRIVER_DISPATCH,
  type IRP,
  type KernelServices,
} from '../../../src/candidate-api';
import type { Engine } from './device';
import type { EngineOps } from './engine';

export function announce(k: KernelServices, dev: Engine, code: number): void {
  if (dev.notify && dev.handle) {
    dev.notify(dev.handle, { StructureRevision: NET_DMA_PNP_NOTIFICATION_REVISION_1, StructureSize: NET_DMA_PNP_NOTIFICATION_SIZE, NotificationCode: code, Buffer: null, BufferLength: 0 });
  }
}

export function createPower(k: KernelServices, ops: EngineOps, ext: (d: DEVICE_OBJECT) => Engine): DRIVER_DISPATCH {
  const finishD0 = (dev: Engine, irp: IRP) => {
    if (NT_SUCCESS(irp.IoStatus.Status)) {
      if (dev.needsRestore && dev.bar !== null) ops.restore(dev);
      dev.needsRestore = false;
      if (dev.announcedDown && dev.handle) {
        announce(k, dev, NetDmaNotificationProviderPowerUp);
        dev.announcedDown = false;
      }
    }
    k.IoCompleteRequest(irp, IO_NO_INCREMENT);
  };
  return (device, irp) => {
    const dev = ext(device);
    const sl = k.IoGetCurrentIrpStackLocation(irp);
    const p = sl.Parameters.Power;
    if (sl.MinorFunction !== IRP_MN_SET_POWER || !p || p.Type !== DevicePowerState) {
      k.IoSkipCurrentIrpStackLocation(irp);
      return k.PoCallDriver(dev.lower, irp);
    }
    if (p.State.DeviceState !== PowerDeviceD0) {
      if (dev.providerRunning && !dev.announcedDown && dev.notify) {
        announce(k, dev, NetDmaNotificationProviderPowerDown);
        dev.announcedDown = true;
      }
      dev.needsRestore = true;
      k.IoSkipCurrentIrpStackLocation(irp);
      return k.PoCallDriver(dev.lower, irp);
    }
    k.IoMarkIrpPending(irp);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, () => {
      k.IoQueueWorkItem(dev.workItem, () => finishD0(dev, irp), DelayedWorkQueue, null);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, null, true, true, true);
    k.PoCallDriver(dev.lower, irp);
    return STATUS_PENDING;
  };
}
