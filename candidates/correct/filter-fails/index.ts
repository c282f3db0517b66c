/**
 * filter-fails — the reference provider, except that it fails IRP_MN_FILTER_RESOURCE_REQUIREMENTS
 * (issue 12, finding 6): it passes the IRP down and, on its way back up, completes it with
 * STATUS_INSUFFICIENT_RESOURCES, as a driver that could not allocate the new list would.
 * irp-mn-filter-resource-requirements.md: "If a function driver encounters an error when handling
 * this IRP, it sets the error in Irp->IoStatus.Status." Everything else is the reference's.
 *
 * @module
 */
import {
  IO_NO_INCREMENT,
  IRP_MJ_PNP,
  IRP_MN_FILTER_RESOURCE_REQUIREMENTS,
  NT_SUCCESS,
  NotificationEvent,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  type DEVICE_OBJECT,
  type DRIVER_DISPATCH,
  type DRIVER_INITIALIZE,
  type DriverImageLoader,
  type KEVENT,
  type KernelServices,
} from '../../../src/candidate-api';
import { createReferenceDriver } from '../../../src/reference/driver';

/** Builds one image: the reference, with FILTER_RESOURCE_REQUIREMENTS failed on the way up. */
export function createFilterFails(k: KernelServices): DRIVER_INITIALIZE {
  const referenceEntry = createReferenceDriver(k);
  const lowerOf = (d: DEVICE_OBJECT) => (d.DeviceExtension['fdo'] as { readonly lower: DEVICE_OBJECT }).lower;
  return (driver, registryPath) => {
    const st = referenceEntry(driver, registryPath);
    if (!NT_SUCCESS(st)) return st;
    const referencePnp = driver.MajorFunction[IRP_MJ_PNP]!;
    const DispatchPnp: DRIVER_DISPATCH = (device, irp) => {
      if (k.IoGetCurrentIrpStackLocation(irp).MinorFunction !== IRP_MN_FILTER_RESOURCE_REQUIREMENTS) return referencePnp(device, irp);
      const ev: KEVENT = {};
      k.KeInitializeEvent(ev, NotificationEvent, false);
      k.IoCopyCurrentIrpStackLocationToNext(irp);
      k.IoSetCompletionRoutine(irp, (_d, _i, c) => {
        k.KeSetEvent(c as KEVENT, 0, false);
        return STATUS_MORE_PROCESSING_REQUIRED;
      }, ev, true, true, true);
      if (k.IoCallDriver(lowerOf(device), irp) === STATUS_PENDING) k.KeWaitForSingleObject(ev, 0, 0, false, null);
      // Handled on the way up, and failed: the list cannot be built.
      irp.IoStatus.Status = STATUS_INSUFFICIENT_RESOURCES;
      k.IoCompleteRequest(irp, IO_NO_INCREMENT);
      return STATUS_INSUFFICIENT_RESOURCES;
    };
    driver.MajorFunction[IRP_MJ_PNP] = DispatchPnp;
    return st;
  };
}

const load: DriverImageLoader = (k) => createFilterFails(k);
export default load;
