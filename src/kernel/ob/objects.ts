import type { DEVICE_OBJECT, DRIVER_OBJECT } from '../api/wdm';
import type { SimDevice } from '../hal/sim-device';

/** The kernel's own record of a device object; the driver-visible object is never trusted. */
export interface DeviceRecord {
  readonly obj: DEVICE_OBJECT;
  readonly driver: DRIVER_OBJECT | null;
  /** 'pdo' for the bus driver's device, 'driver' for devices the candidate created. */
  readonly kind: 'pdo' | 'driver';
  /** The PCI function behind this stack. */
  readonly device: SimDevice;
  deleted: boolean;
  /** The device this one is attached on top of. */
  lower: DEVICE_OBJECT | null;
  /** The device attached on top of this one. */
  upper: DEVICE_OBJECT | null;
  stackSize: number;
}

/** Registry of driver and device objects, keyed by the objects handed out. */
export class ObjectTable {
  readonly #devices = new Map<object, DeviceRecord>();
  #nextId = { FDO: 1, PDO: 1, DO: 1 };

  nextName(prefix: 'FDO' | 'PDO' | 'DO'): string {
    return `${prefix}#${this.#nextId[prefix]++}`;
  }

  add(rec: DeviceRecord): void {
    this.#devices.set(rec.obj, rec);
  }

  /** The record for `obj`, or undefined when `obj` is not a device object the kernel issued. */
  device(obj: unknown): DeviceRecord | undefined {
    return typeof obj === 'object' && obj !== null ? this.#devices.get(obj) : undefined;
  }

  /** All device records created by the candidate driver. */
  driverDevices(): DeviceRecord[] {
    return [...this.#devices.values()].filter((r) => r.kind === 'driver');
  }

  /** The top of the stack that contains `obj`. */
  topOf(obj: DEVICE_OBJECT): DEVICE_OBJECT {
    let rec = this.#devices.get(obj);
    let top = obj;
    while (rec?.upper) {
      top = rec.upper;
      rec = this.#devices.get(top);
    }
    return top;
  }
}
