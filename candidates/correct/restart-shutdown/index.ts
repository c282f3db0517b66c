/**
 * restart-shutdown — the reference provider wrapped to take the last two paths of the WDM surface
 * of issue 12:
 *
 * - **START to a started device.** After its first successful START the FDO calls
 *   IoInvalidateDeviceState on its PDO and, in the IRP_MN_QUERY_PNP_DEVICE_STATE that follows
 *   (passed down, edited on the way up), sets PNP_DEVICE_RESOURCE_REQUIREMENTS_CHANGED once
 *   (irp-mn-start-device.md: "A driver initiates this action by calling IoInvalidateDeviceState and
 *   responding to the subsequent IRP_MN_QUERY_PNP_DEVICE_STATE request with the
 *   PNP_RESOURCE_REQUIREMENTS_CHANGED flag set"). The PnP manager then sends
 *   FILTER_RESOURCE_REQUIREMENTS and a START with new resources, which the reference handles:
 *   NetDmaProviderStop, the old interrupts and mapping released, the device started on the new ones.
 * - **IRP_MJ_SHUTDOWN.** The FDO registers with IoRegisterShutdownNotification at its first START
 *   and unregisters at REMOVE; its shutdown routine completes the IRP with STATUS_SUCCESS without
 *   passing it down (the I/O manager sends it to the registered device object only; the PCI bus
 *   driver below has no shutdown routine).
 *
 * `mutations` switches bugs of the reference on (the faulty `restart-keeps-old-resources` is this
 * wrapper with that bug).
 *
 * @module
 */
import {
  IO_NO_INCREMENT,
  IRP_MJ_PNP,
  IRP_MJ_SHUTDOWN,
  IRP_MN_QUERY_PNP_DEVICE_STATE,
  IRP_MN_REMOVE_DEVICE,
  IRP_MN_START_DEVICE,
  NT_SUCCESS,
  PNP_DEVICE_RESOURCE_REQUIREMENTS_CHANGED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  type DEVICE_OBJECT,
  type DRIVER_DISPATCH,
  type DRIVER_INITIALIZE,
  type DriverImageLoader,
  type IRP,
  type KernelServices,
  type NTSTATUS,
} from '../../../src/candidate-api';
import { createReferenceDriver } from '../../../src/reference/driver';
import { NO_MUTATIONS, type Mutation } from '../../../src/reference/mutations';

/** What this wrapper reads of the reference's device extension. */
interface ReferenceFdo {
  readonly lower: DEVICE_OBJECT;
}

/** Variations the suite's own tests use (the catalog's provider takes the defaults). */
export interface RestartShutdownOptions {
  /** The PNP_DEVICE_STATE bits added once after the invalidation (default PNP_DEVICE_RESOURCE_REQUIREMENTS_CHANGED). */
  readonly bits?: number;
  /** Unregister from shutdown notification at REMOVE (default true; IoDeleteDevice unregisters otherwise). */
  readonly unregisterAtRemove?: boolean;
}

/** Builds one image: the reference's DriverEntry, then these routines in front of its PnP routine. */
export function createRestartShutdown(k: KernelServices, mutations: ReadonlySet<Mutation> = NO_MUTATIONS, options: RestartShutdownOptions = {}): DRIVER_INITIALIZE {
  const answerBits = options.bits ?? PNP_DEVICE_RESOURCE_REQUIREMENTS_CHANGED;
  const unregisterAtRemove = options.unregisterAtRemove ?? true;
  const referenceEntry = createReferenceDriver(k, mutations);
  const fdoOf = (d: DEVICE_OBJECT) => d.DeviceExtension['fdo'] as ReferenceFdo;
  /** FDOs that invalidated their state once (after their first START). */
  const invalidated = new WeakSet<DEVICE_OBJECT>();
  /** FDOs whose next QUERY_PNP_DEVICE_STATE answer carries the bits (PNP_DEVICE_RESOURCE_REQUIREMENTS_CHANGED). */
  const requirementsChanged = new WeakSet<DEVICE_OBJECT>();
  /** FDOs registered for shutdown notification. */
  const registered = new WeakSet<DEVICE_OBJECT>();

  /** QUERY_PNP_DEVICE_STATE on the way up: add the flag once, mark pending if the lower driver pended. */
  const stateDone = (device: DEVICE_OBJECT | null, irp: IRP): NTSTATUS => {
    if (irp.PendingReturned) k.IoMarkIrpPending(irp);
    if (device && requirementsChanged.has(device)) {
      requirementsChanged.delete(device);
      const st = irp.IoStatus.Status;
      const bits = NT_SUCCESS(st) && typeof irp.IoStatus.Information === 'number' ? irp.IoStatus.Information : 0;
      irp.IoStatus.Information = bits | answerBits;
      irp.IoStatus.Status = STATUS_SUCCESS;
    }
    return STATUS_SUCCESS; // STATUS_CONTINUE_COMPLETION
  };

  return (driver, registryPath) => {
    const st = referenceEntry(driver, registryPath);
    if (!NT_SUCCESS(st)) return st;
    const referencePnp = driver.MajorFunction[IRP_MJ_PNP]!;

    const DispatchPnp: DRIVER_DISPATCH = (device, irp) => {
      const fdo = fdoOf(device);
      const minor = k.IoGetCurrentIrpStackLocation(irp).MinorFunction;
      if (minor === IRP_MN_QUERY_PNP_DEVICE_STATE) {
        k.IoCopyCurrentIrpStackLocationToNext(irp);
        k.IoSetCompletionRoutine(irp, stateDone, null, true, true, true);
        return k.IoCallDriver(fdo.lower, irp);
      }
      if (minor === IRP_MN_REMOVE_DEVICE && unregisterAtRemove && registered.has(device)) {
        k.IoUnregisterShutdownNotification(device);
        registered.delete(device);
      }
      const r = referencePnp(device, irp);
      if (minor === IRP_MN_START_DEVICE && NT_SUCCESS(r) && r !== STATUS_PENDING) {
        if (!registered.has(device) && NT_SUCCESS(k.IoRegisterShutdownNotification(device))) registered.add(device);
        if (!invalidated.has(device)) {
          invalidated.add(device);
          requirementsChanged.add(device);
          k.IoInvalidateDeviceState(fdo.lower); // the PDO: the FDO is attached right on it
        }
      }
      return r;
    };

    const DispatchShutdown: DRIVER_DISPATCH = (_device, irp) => {
      irp.IoStatus.Status = STATUS_SUCCESS;
      irp.IoStatus.Information = 0;
      k.IoCompleteRequest(irp, IO_NO_INCREMENT);
      return STATUS_SUCCESS;
    };

    driver.MajorFunction[IRP_MJ_PNP] = DispatchPnp;
    driver.MajorFunction[IRP_MJ_SHUTDOWN] = DispatchShutdown;
    return st;
  };
}

const load: DriverImageLoader = (k) => createRestartShutdown(k);
export default load;
