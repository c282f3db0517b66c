/**
 * Error-path bugs that only Driver Verifier's low-resources simulation (or hardware that fails
 * START) brings out, written as a layer between the reference provider and its kernel services so
 * that the reference itself stays untouched:
 *
 * - `lowres-alloc-leaks-ring`: ProviderAllocateDmaChannel first allocates a descriptor ring
 *   (MmAllocateContiguousMemory), then sets up the channel; when that fails (a pool allocation
 *   failing, or no free channel) it returns the failure without freeing the ring (DRV-UNLOAD-01).
 * - `lowres-start-ignores-hardware`: the START handler logs a failed MmMapIoSpace,
 *   IoConnectInterruptEx or BUS_INTERFACE_STANDARD query and completes START with STATUS_SUCCESS
 *   anyway (PNP-START-03: started without NetDmaProviderStart).
 * - `lowres-start-fail-keeps-mapping`: a START that fails after MmMapIoSpace leaves the registers
 *   mapped until REMOVE (LOWRES-START-01).
 * - `lowres-start-keeps-bus-interface`: the BUS_INTERFACE_STANDARD queried at START is dereferenced
 *   only once START has succeeded; a START that fails later (configuration space unreadable,
 *   IoConnectInterruptEx failing, a channel that does not reset) leaks the reference (LOWRES-REM-01).
 *
 * @module
 */
import {
  IRP_MJ_PNP,
  IRP_MN_REMOVE_DEVICE,
  IRP_MN_START_DEVICE,
  NT_SUCCESS,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_SUCCESS,
  type DMA_CHANNEL_ALLOCATE_HANDLER,
  type DMA_CHANNEL_FREE_HANDLER,
  type BUS_INTERFACE_STANDARD,
  type DRIVER_INITIALIZE,
  type IRP,
  type KernelServices,
  type NTSTATUS,
  type PVOID_REGISTER,
} from '../../src/candidate-api';
import type { Mutation } from '../../src/reference/mutations';

/**
 * The reference with the low-resources bugs of `set` switched on: its kernel services wrapped, and
 * (for `lowres-start-ignores-hardware`) its PnP dispatch routine returning the status it completed
 * START with.
 */
export function lowResourceBugs(k: KernelServices, set: ReadonlySet<Mutation>, driver: (k: KernelServices) => DRIVER_INITIALIZE): DRIVER_INITIALIZE {
  const state: WrapState = { forced: null, inStart: false, keptMappings: [] };
  const DriverEntry = driver(wrapServices(k, set, state));
  return (DriverObject, RegistryPath) => {
    const st = DriverEntry(DriverObject, RegistryPath);
    const pnp = DriverObject.MajorFunction[IRP_MJ_PNP];
    if (typeof pnp !== 'function') return st;
    DriverObject.MajorFunction[IRP_MJ_PNP] = (DeviceObject, Irp) => {
      const minor = k.IoGetCurrentIrpStackLocation(Irp).MinorFunction;
      // lowres-start-fail-keeps-mapping: the registers a failed START kept are unmapped at REMOVE.
      if (minor === IRP_MN_REMOVE_DEVICE) for (const [va, n] of state.keptMappings.splice(0)) k.MmUnmapIoSpace(va, n);
      state.inStart = minor === IRP_MN_START_DEVICE;
      let r: NTSTATUS;
      try {
        r = pnp(DeviceObject, Irp);
      } finally {
        state.inStart = false;
      }
      if (state.forced !== Irp) return r;
      state.forced = null;
      return STATUS_SUCCESS;
    };
    return st;
  };
}

/** What the wrapped services share with the wrapped dispatch routine. */
interface WrapState {
  /** The START IRP whose failure was turned into success (lowres-start-ignores-hardware). */
  forced: IRP | null;
  /** The PnP dispatch routine is handling IRP_MN_START_DEVICE. */
  inStart: boolean;
  /** Register mappings a failed START did not unmap (lowres-start-fail-keeps-mapping). */
  readonly keptMappings: [PVOID_REGISTER, number][];
}

function wrapServices(k: KernelServices, set: ReadonlySet<Mutation>, state: WrapState): KernelServices {
  const out: { -readonly [K in keyof KernelServices]: KernelServices[K] } = { ...k };
  if (set.has('lowres-alloc-leaks-ring')) {
    const rings = new Map<unknown, bigint>();
    out.NetDmaRegisterProvider = (ctx, handle, chars) => {
      const allocate = chars.AllocateDmaChannel;
      const free = chars.FreeDmaChannel;
      if (allocate === null || free === null) return k.NetDmaRegisterProvider(ctx, handle, chars);
      const AllocateDmaChannel: DMA_CHANNEL_ALLOCATE_HANDLER = (context, params, channelHandle, channelOut) => {
        const ring = k.MmAllocateContiguousMemory(4096, 0xffff_ffff_ffff_ffffn);
        if (ring === null) return STATUS_INSUFFICIENT_RESOURCES;
        const st = allocate(context, params, channelHandle, channelOut);
        if (!NT_SUCCESS(st)) return st; // the bug: the ring stays allocated
        rings.set(channelOut.value, ring);
        return st;
      };
      const FreeDmaChannel: DMA_CHANNEL_FREE_HANDLER = (context) => {
        free(context);
        const ring = rings.get(context);
        rings.delete(context);
        if (ring !== undefined) k.MmFreeContiguousMemory(ring);
      };
      return k.NetDmaRegisterProvider(ctx, handle, { ...chars, AllocateDmaChannel, FreeDmaChannel });
    };
  }
  if (set.has('lowres-start-ignores-hardware')) {
    let hardwareFailed = false;
    out.MmMapIoSpace = (pa, n, cache) => {
      const va = k.MmMapIoSpace(pa, n, cache);
      if (va === null) hardwareFailed = true;
      return va;
    };
    out.IoConnectInterruptEx = (p) => {
      const st = k.IoConnectInterruptEx(p);
      if (!NT_SUCCESS(st)) hardwareFailed = true;
      return st;
    };
    out.IoGetBusInterfaceStandard = (pdo) => {
      const bus = k.IoGetBusInterfaceStandard(pdo);
      if (bus === null) hardwareFailed = true;
      return bus;
    };
    out.IoCompleteRequest = (irp: IRP, boost) => {
      const start = k.IoGetCurrentIrpStackLocation(irp).MinorFunction === IRP_MN_START_DEVICE;
      // "The engine failed to start: log it and keep the device, so Device Manager shows it."
      if (start && hardwareFailed && !NT_SUCCESS(irp.IoStatus.Status)) {
        k.DbgPrint('netdma: engine start failed');
        irp.IoStatus.Status = STATUS_SUCCESS;
        state.forced = irp;
      }
      if (start) hardwareFailed = false;
      k.IoCompleteRequest(irp, boost);
    };
  }
  if (set.has('lowres-start-fail-keeps-mapping')) {
    // "A failed START keeps the registers mapped: REMOVE follows anyway and unmaps them."
    out.MmUnmapIoSpace = (va, n) => {
      if (state.inStart) state.keptMappings.push([va, n]);
      else k.MmUnmapIoSpace(va, n);
    };
  }
  if (set.has('lowres-start-keeps-bus-interface')) {
    // The interface is kept until START has succeeded (to read more of configuration space later);
    // a START that fails after the query returns without InterfaceDereference.
    let pending: BUS_INTERFACE_STANDARD | null = null;
    out.IoGetBusInterfaceStandard = (pdo) => {
      const bus = k.IoGetBusInterfaceStandard(pdo);
      if (bus === null) return null;
      return Object.freeze({
        ...bus,
        InterfaceDereference: (ctx: unknown) => {
          if (state.inStart) pending = bus;
          else bus.InterfaceDereference(ctx);
        },
      });
    };
    const complete = out.IoCompleteRequest;
    out.IoCompleteRequest = (irp: IRP, boost) => {
      if (pending !== null && k.IoGetCurrentIrpStackLocation(irp).MinorFunction === IRP_MN_START_DEVICE) {
        if (NT_SUCCESS(irp.IoStatus.Status)) pending.InterfaceDereference(pending.Context);
        pending = null;
      }
      complete(irp, boost);
    };
  }
  return Object.freeze(out);
}
