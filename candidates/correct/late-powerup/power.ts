/**
 * IRP_MJ_POWER of late-powerup: PowerDown is announced before a device IRP that leaves D0 is passed
 * down; PowerUp is announced only after the D0 IRP has been completed (the device is back in the
 * working state), from the work item that completed it (F50).
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
import type { EngineOps } from '../blind-engine/engine';

export function announce(k: KernelServices, dev: Engine, code: number): void {
  if (dev.notify && dev.handle) {
    dev.notify(dev.handle, { StructureRevision: NET_DMA_PNP_NOTIFICATION_REVISION_1, StructureSize: NET_DMA_PNP_NOTIFICATION_SIZE, NotificationCode: code, Buffer: null, BufferLength: 0 });
  }
}

export function createPower(k: KernelServices, ops: EngineOps, ext: (d: DEVICE_OBJECT) => Engine): DRIVER_DISPATCH {
  /**
   * Work item, PASSIVE_LEVEL, after the bus driver completed the D0 IRP. A 1.1+ provider completes
   * the IRP first — the device is back in the working state when the D0 IRP has completed — and only
   * then re-initializes the engine and announces PowerUp: NetDMA restarts the channels in response to
   * PowerUp, not to the IRP (F50). A 1.0 provider, which cannot announce anything, must have the
   * engine ready before the IRP completes (NetDMA 1.0 restarts as soon as the device is back, F51).
   */
  const finishD0 = (dev: Engine, irp: IRP) => {
    const ok = NT_SUCCESS(irp.IoStatus.Status);
    if (!dev.notify || !dev.announcedDown) {
      if (ok && dev.needsRestore && dev.bar !== null) ops.restore(dev);
      if (ok) dev.needsRestore = false;
      k.IoCompleteRequest(irp, IO_NO_INCREMENT);
      return;
    }
    k.IoCompleteRequest(irp, IO_NO_INCREMENT);
    if (!ok) return;
    if (dev.needsRestore && dev.bar !== null) ops.restore(dev);
    dev.needsRestore = false;
    if (dev.handle) {
      announce(k, dev, NetDmaNotificationProviderPowerUp);
      dev.announcedDown = false;
    }
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
