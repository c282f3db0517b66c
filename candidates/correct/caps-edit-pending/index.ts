/**
 * caps-edit-pending — the reference provider with the PnP and I/O surface handled the other ways
 * the WDM pages allow (issue 12, findings 4, 6 and 10). It wraps the reference's DriverEntry and
 * takes over these IRPs, passing every other one to the reference's routines:
 *
 * - Every PnP query (QUERY_CAPABILITIES, QUERY_PNP_DEVICE_STATE, QUERY_INTERFACE, QUERY_ID,
 *   device relations, resources, texts, bus information, unknown minors) is passed down with
 *   IoCopyCurrentIrpStackLocationToNext and a completion routine that marks the IRP pending when
 *   the lower driver pended it (`if (Irp->PendingReturned) IoMarkIrpPending(Irp)`); the dispatch
 *   routine returns IoCallDriver's status (postponing-pnp-irp-processing-until-lower-drivers-finish.md,
 *   passing-pnp-irps-down-the-device-stack.md).
 * - QUERY_CAPABILITIES is handled on the way up: after the bus driver filled the structure, the
 *   routine sets SurpriseRemovalOK (dispatchpnp-routines.md: "Still others, such as
 *   IRP_MN_QUERY_CAPABILITIES, can be handled both on the way down the device stack and the way
 *   back up").
 * - FILTER_RESOURCE_REQUIREMENTS: on the way up, a new list with the MSI-X messages targeted at the
 *   channels' CPUs, an alternative memory descriptor added after BAR0 (IO_RESOURCE_ALTERNATIVE),
 *   and a second alternative list, completed with STATUS_SUCCESS (irp-mn-filter-resource-requirements.md:
 *   "If the driver needs to change the size of the requirements list, the driver must allocate a new
 *   IO_RESOURCE_REQUIREMENTS_LIST"; the order of the bus driver's resources is kept).
 * - IRP_MJ_CREATE / CLEANUP / CLOSE: opens succeed, except after a granted QUERY_REMOVE until
 *   CANCEL_REMOVE (handling-an-irp-mn-query-remove-device-request.md: "the driver must fail any
 *   subsequent create requests for the device").
 *
 * @module
 */
import {
  CM_RESOURCE_INTERRUPT_MESSAGE,
  CmResourceTypeInterrupt,
  CmResourceTypeMemory,
  IO_NO_INCREMENT,
  IO_RESOURCE_ALTERNATIVE,
  IRP_MJ_CLEANUP,
  IRP_MJ_CLOSE,
  IRP_MJ_CREATE,
  IRP_MJ_PNP,
  IRP_MN_CANCEL_REMOVE_DEVICE,
  IRP_MN_FILTER_RESOURCE_REQUIREMENTS,
  IRP_MN_QUERY_BUS_INFORMATION,
  IRP_MN_QUERY_CAPABILITIES,
  IRP_MN_QUERY_DEVICE_RELATIONS,
  IRP_MN_QUERY_DEVICE_TEXT,
  IRP_MN_QUERY_ID,
  IRP_MN_QUERY_INTERFACE,
  IRP_MN_QUERY_PNP_DEVICE_STATE,
  IRP_MN_QUERY_REMOVE_DEVICE,
  IRP_MN_QUERY_RESOURCE_REQUIREMENTS,
  IRP_MN_QUERY_RESOURCES,
  IRP_MN_REMOVE_DEVICE,
  IrqPolicySpecifiedProcessors,
  NT_SUCCESS,
  NotificationEvent,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_NOT_SUPPORTED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  type DEVICE_OBJECT,
  type DRIVER_DISPATCH,
  type DRIVER_INITIALIZE,
  type DriverImageLoader,
  type IO_RESOURCE_DESCRIPTOR,
  type IO_RESOURCE_LIST,
  type IO_RESOURCE_REQUIREMENTS_LIST,
  type IRP,
  type KEVENT,
  type KernelServices,
  type NTSTATUS,
} from '../../../src/candidate-api';
import { createReferenceDriver } from '../../../src/reference/driver';

/** What this wrapper reads of the reference's device extension. */
interface ReferenceFdo {
  readonly lower: DEVICE_OBJECT;
  affinities: Map<number, number> | null;
}

/** PnP queries passed down with the pend-marking completion routine. */
const QUERIES: ReadonlySet<number> = new Set([
  IRP_MN_QUERY_CAPABILITIES,
  IRP_MN_QUERY_PNP_DEVICE_STATE,
  IRP_MN_QUERY_INTERFACE,
  IRP_MN_QUERY_DEVICE_RELATIONS,
  IRP_MN_QUERY_RESOURCES,
  IRP_MN_QUERY_RESOURCE_REQUIREMENTS,
  IRP_MN_QUERY_ID,
  IRP_MN_QUERY_DEVICE_TEXT,
  IRP_MN_QUERY_BUS_INFORMATION,
  0x0e, // no such minor code: passed down like the rest
]);

/** Builds one image: the reference's DriverEntry, then these routines in front of its PnP routine. */
export function createCapsEditPending(k: KernelServices): DRIVER_INITIALIZE {
  const referenceEntry = createReferenceDriver(k);
  const fdoOf = (d: DEVICE_OBJECT) => d.DeviceExtension['fdo'] as ReferenceFdo;
  /** FDOs between a granted QUERY_REMOVE and CANCEL_REMOVE. */
  const removePending = new WeakSet<DEVICE_OBJECT>();

  /** The completion routine of the queries: mark pending if the lower driver pended; edit capabilities on the way up. */
  const queryDone = (_d: DEVICE_OBJECT | null, irp: IRP): NTSTATUS => {
    if (irp.PendingReturned) k.IoMarkIrpPending(irp);
    const sl = k.IoGetCurrentIrpStackLocation(irp);
    if (sl.MinorFunction === IRP_MN_QUERY_CAPABILITIES && NT_SUCCESS(irp.IoStatus.Status) && sl.Parameters.DeviceCapabilities) {
      sl.Parameters.DeviceCapabilities.Capabilities.SurpriseRemovalOK = true;
    }
    return STATUS_SUCCESS; // STATUS_CONTINUE_COMPLETION
  };

  /** Forwards and waits (F103), for FILTER_RESOURCE_REQUIREMENTS. */
  const forwardAndWait = (fdo: ReferenceFdo, irp: IRP): NTSTATUS => {
    const ev: KEVENT = {};
    k.KeInitializeEvent(ev, NotificationEvent, false);
    k.IoCopyCurrentIrpStackLocationToNext(irp);
    k.IoSetCompletionRoutine(irp, (_d, _i, c) => {
      k.KeSetEvent(c as KEVENT, 0, false);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, ev, true, true, true);
    let st = k.IoCallDriver(fdo.lower, irp);
    if (st === STATUS_PENDING) {
      k.KeWaitForSingleObject(ev, 0, 0, false, null);
      st = irp.IoStatus.Status;
    }
    return st;
  };

  const copyDescriptor = (d: IO_RESOURCE_DESCRIPTOR): IO_RESOURCE_DESCRIPTOR =>
    d.Type === CmResourceTypeMemory ? { Type: d.Type, Flags: d.Flags, u: { Memory: { ...d.u.Memory } } } : { Type: d.Type, Flags: d.Flags, u: { Interrupt: { ...d.u.Interrupt } } };

  /** The filtered list: messages targeted, an alternative BAR after BAR0, and a second alternative list. */
  const filtered = (fdo: ReferenceFdo, from: IO_RESOURCE_REQUIREMENTS_LIST): IO_RESOURCE_REQUIREMENTS_LIST => {
    const first: IO_RESOURCE_DESCRIPTOR[] = [];
    let message = 0;
    for (const d of from.List[0].Descriptors) {
      const c = copyDescriptor(d);
      first.push(c);
      if (c.Type === CmResourceTypeMemory && first.length === 1) {
        // An alternative placement of BAR0 anywhere below 4 GiB, for the arbiter to use if the preferred one does not fit.
        first.push({ Type: CmResourceTypeMemory, Option: IO_RESOURCE_ALTERNATIVE, Flags: c.Flags, u: { Memory: { ...c.u.Memory, MaximumAddress: 0xffff_ffffn } } });
      }
      if (c.Type === CmResourceTypeInterrupt && (c.Flags & CM_RESOURCE_INTERRUPT_MESSAGE) !== 0) {
        const cpu = fdo.affinities?.get(message++);
        if (cpu !== undefined) {
          c.u.Interrupt.AffinityPolicy = IrqPolicySpecifiedProcessors;
          c.u.Interrupt.TargetedProcessors = 1n << BigInt(cpu);
          c.u.Interrupt.Group = 0;
        }
      }
    }
    const second = from.List[0].Descriptors.map(copyDescriptor);
    const lists: [IO_RESOURCE_LIST, ...IO_RESOURCE_LIST[]] = [
      { Version: 1, Revision: 1, Count: first.length, Descriptors: first },
      { Version: 1, Revision: 1, Count: second.length, Descriptors: second },
    ];
    return { ListSize: 32 + 32 * (first.length + second.length), AlternativeLists: 2, List: lists };
  };

  return (driver, registryPath) => {
    const st = referenceEntry(driver, registryPath);
    if (!NT_SUCCESS(st)) return st;
    const referencePnp = driver.MajorFunction[IRP_MJ_PNP]!;

    const DispatchPnp: DRIVER_DISPATCH = (device, irp) => {
      const fdo = fdoOf(device);
      const minor = k.IoGetCurrentIrpStackLocation(irp).MinorFunction;
      if (QUERIES.has(minor)) {
        k.IoCopyCurrentIrpStackLocationToNext(irp);
        k.IoSetCompletionRoutine(irp, queryDone, null, true, true, true);
        return k.IoCallDriver(fdo.lower, irp);
      }
      if (minor === IRP_MN_FILTER_RESOURCE_REQUIREMENTS) {
        let s = forwardAndWait(fdo, irp);
        const list = irp.IoStatus.Information as IO_RESOURCE_REQUIREMENTS_LIST | null;
        if ((NT_SUCCESS(s) || s === STATUS_NOT_SUPPORTED) && list) {
          irp.IoStatus.Information = filtered(fdo, list);
          s = STATUS_SUCCESS;
        }
        irp.IoStatus.Status = s;
        k.IoCompleteRequest(irp, IO_NO_INCREMENT);
        return s;
      }
      if (minor === IRP_MN_CANCEL_REMOVE_DEVICE || minor === IRP_MN_REMOVE_DEVICE) removePending.delete(device);
      const r = referencePnp(device, irp);
      // The reference passes a granted QUERY_REMOVE down with STATUS_SUCCESS (a refusal completes it with an error).
      if (minor === IRP_MN_QUERY_REMOVE_DEVICE && NT_SUCCESS(r)) removePending.add(device);
      return r;
    };

    const DispatchCreate: DRIVER_DISPATCH = (device, irp) => {
      const s = removePending.has(device) ? STATUS_INVALID_DEVICE_STATE : STATUS_SUCCESS;
      irp.IoStatus.Status = s;
      irp.IoStatus.Information = 0;
      k.IoCompleteRequest(irp, IO_NO_INCREMENT);
      return s;
    };
    const DispatchCleanupClose: DRIVER_DISPATCH = (_device, irp) => {
      irp.IoStatus.Status = STATUS_SUCCESS;
      irp.IoStatus.Information = 0;
      k.IoCompleteRequest(irp, IO_NO_INCREMENT);
      return STATUS_SUCCESS;
    };

    driver.MajorFunction[IRP_MJ_PNP] = DispatchPnp;
    driver.MajorFunction[IRP_MJ_CREATE] = DispatchCreate;
    driver.MajorFunction[IRP_MJ_CLEANUP] = DispatchCleanupClose;
    driver.MajorFunction[IRP_MJ_CLOSE] = DispatchCleanupClose;
    return st;
  };
}

const load: DriverImageLoader = (k) => createCapsEditPending(k);
export default load;
