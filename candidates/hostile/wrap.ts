import { IRP_MJ_PNP, IRP_MN_START_DEVICE, type DRIVER_DISPATCH, type DRIVER_INITIALIZE, type DriverImageLoader, type KernelServices } from '../../src/candidate-api';
import { createReferenceDriver } from '../../src/reference/driver';

/** The reference provider with its DriverEntry wrapped: hostile candidates change one thing. */
export function hostile(edit: (k: KernelServices, entry: DRIVER_INITIALIZE) => DRIVER_INITIALIZE): DriverImageLoader {
  return (k) => edit(k, createReferenceDriver(k));
}

/** The reference, with `fn` run at the start of IRP_MN_START_DEVICE handling. */
export function onStart(fn: (k: KernelServices) => unknown): DriverImageLoader {
  return hostile((k, entry) => (driver, path) => {
    const st = entry(driver, path);
    const pnp = driver.MajorFunction[IRP_MJ_PNP]!;
    const wrapped: DRIVER_DISPATCH = (d, irp) => {
      if (k.IoGetCurrentIrpStackLocation(irp).MinorFunction === IRP_MN_START_DEVICE) {
        const r = fn(k);
        if (r !== undefined) return r as number;
      }
      return pnp(d, irp);
    };
    driver.MajorFunction[IRP_MJ_PNP] = wrapped;
    return st;
  });
}
