/**
 * The history bugs (issue 13): the reference provider built on kernel services with one bug each,
 * so that the reference's own source (which the blind corpus patches) stays as it is. Each bug is
 * what a driver author writes — a DPC that reports twice, a DPC that goes on after its NULL, a
 * channel run value without ERR_COMPLETION_EN, an FDO without FILE_DEVICE_SECURE_OPEN, a REMOVE that
 * returns STATUS_SUCCESS — placed at the kernel call it changes.
 *
 * @module
 */
import {
  CHANCTRL,
  CHANNEL_REGISTERS,
  FILE_DEVICE_SECURE_OPEN,
  IRP_MJ_PNP,
  IRP_MN_REMOVE_DEVICE,
  REGISTER_BLOCK_SIZE,
  STATUS_SUCCESS,
  type DRIVER_DISPATCH,
  type DRIVER_INITIALIZE,
  type KernelServices,
  type NET_DMA_CHANNEL_HANDLE,
  type NTSTATUS,
} from '../../src/candidate-api';
import { createReferenceDriver } from '../../src/reference/driver';
import type { Mutation } from '../../src/reference/mutations';

/** The bugs this module implements. */
export const HISTORY_MUTATIONS: ReadonlySet<Mutation> = new Set<Mutation>([
  'dp-dpc-reports-twice',
  'dp-dpc-null-then-faulting',
  'chanctrl-no-halt-status',
  'add-without-secure-open',
  'remove-returns-success',
]);

/** Whether `set` switches on one of the history bugs. */
export function isHistoryFaulty(set: ReadonlySet<Mutation>): boolean {
  for (const x of set) if (HISTORY_MUTATIONS.has(x)) return true;
  return false;
}

/** The reference provider with the history bugs of `set` switched on. */
export function createHistoryFaulty(k: KernelServices, set: ReadonlySet<Mutation>): DRIVER_INITIALIZE {
  const bug = (x: Mutation) => set.has(x);
  /** Register blocks the driver mapped (base, length), to recognise a channel's CHANCTRL. */
  const mapped: Array<readonly [bigint, number]> = [];
  /** Per channel: the descriptor the ISR last passed to NetDmaIsr. */
  const lastIsr = new Map<NET_DMA_CHANNEL_HANDLE, bigint>();
  const isChanctrl = (addr: bigint): boolean => {
    for (const [base, length] of mapped) {
      const off = Number(addr - base);
      if (off >= REGISTER_BLOCK_SIZE && off < length && off % REGISTER_BLOCK_SIZE === CHANNEL_REGISTERS.CHANCTRL.offset) return true;
    }
    return false;
  };
  const inner: KernelServices = Object.freeze({
    ...k,
    // "The FDO is unnamed, so nobody can open it": no FILE_DEVICE_SECURE_OPEN.
    IoCreateDevice: (...a: Parameters<KernelServices['IoCreateDevice']>): NTSTATUS =>
      k.IoCreateDevice(a[0], a[1], a[2], a[3], bug('add-without-secure-open') ? a[4] & ~FILE_DEVICE_SECURE_OPEN : a[4], a[5], a[6]),
    MmMapIoSpace: (...a: Parameters<KernelServices['MmMapIoSpace']>) => {
      const va = k.MmMapIoSpace(...a);
      if (va !== null) mapped.push([va, a[1]]);
      return va;
    },
    // The channel run value without ERR_COMPLETION_EN: "the halt is reported through CHANERR anyway".
    WRITE_REGISTER_USHORT: (r: bigint, v: number): void => k.WRITE_REGISTER_USHORT(r, bug('chanctrl-no-halt-status') && isChanctrl(r) ? v & ~CHANCTRL.ERR_COMPLETION_EN : v),
    NetDmaIsr: (...a: Parameters<KernelServices['NetDmaIsr']>): void => {
      lastIsr.set(a[0], a[1]);
      k.NetDmaIsr(...a);
    },
    NetDmaInterruptDpc: (h: NET_DMA_CHANNEL_HANDLE, pa: bigint): void => {
      k.NetDmaInterruptDpc(h, pa);
      // "Tell NetDMA twice, in case the first notification raced with its completion processing."
      if (bug('dp-dpc-reports-twice') && pa !== 0n) k.NetDmaInterruptDpc(h, pa);
      // After the error's NULL, report what the ISR saw (CHANSTS: the faulting descriptor) "so NetDMA completes the copies before it".
      if (bug('dp-dpc-null-then-faulting') && pa === 0n) {
        const seen = lastIsr.get(h);
        if (seen !== undefined && seen !== 0n) k.NetDmaInterruptDpc(h, seen);
      }
    },
  });
  const entry = createReferenceDriver(inner);
  return (driver, registryPath) => {
    const st = entry(driver, registryPath);
    const pnp = driver.MajorFunction[IRP_MJ_PNP] as DRIVER_DISPATCH | undefined;
    if (bug('remove-returns-success') && typeof pnp === 'function') {
      // "REMOVE cannot fail": STATUS_SUCCESS whatever IoCallDriver returned.
      driver.MajorFunction[IRP_MJ_PNP] = (dev, irp) => {
        const remove = k.IoGetCurrentIrpStackLocation(irp).MinorFunction === IRP_MN_REMOVE_DEVICE;
        const r = pnp(dev, irp);
        return remove ? STATUS_SUCCESS : r;
      };
    }
    return st;
  };
}
