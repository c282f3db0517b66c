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
 *
 * @module
 */
import {
  IRP_MJ_PNP,
  IRP_MN_START_DEVICE,
  NT_SUCCESS,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_SUCCESS,
  type DMA_CHANNEL_ALLOCATE_HANDLER,
  type DMA_CHANNEL_FREE_HANDLER,
  type DRIVER_INITIALIZE,
  type IRP,
  type KernelServices,
} from '../../src/candidate-api';
import type { Mutation } from '../../src/reference/mutations';

/**
 * The reference with the low-resources bugs of `set` switched on: its kernel services wrapped, and
 * (for `lowres-start-ignores-hardware`) its PnP dispatch routine returning the status it completed
 * START with.
 */
export function lowResourceBugs(k: KernelServices, set: ReadonlySet<Mutation>, driver: (k: KernelServices) => DRIVER_INITIALIZE): DRIVER_INITIALIZE {
  let forced: IRP | null = null;
  const DriverEntry = driver(wrapServices(k, set, (irp) => (forced = irp)));
  return (DriverObject, RegistryPath) => {
    const st = DriverEntry(DriverObject, RegistryPath);
    const pnp = DriverObject.MajorFunction[IRP_MJ_PNP];
    if (!set.has('lowres-start-ignores-hardware') || typeof pnp !== 'function') return st;
    DriverObject.MajorFunction[IRP_MJ_PNP] = (DeviceObject, Irp) => {
      const r = pnp(DeviceObject, Irp);
      if (forced !== Irp) return r;
      forced = null;
      return STATUS_SUCCESS;
    };
    return st;
  };
}

function wrapServices(k: KernelServices, set: ReadonlySet<Mutation>, forcedSuccess: (irp: IRP) => void): KernelServices {
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
        forcedSuccess(irp);
      }
      if (start) hardwareFailed = false;
      k.IoCompleteRequest(irp, boost);
    };
  }
  return Object.freeze(out);
}
