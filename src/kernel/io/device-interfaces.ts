/**
 * Device interfaces (IoRegisterDeviceInterface, IoSetDeviceInterfaceState) and the symbolic link
 * names the I/O manager allocates for them (freed by the caller with RtlFreeUnicodeString; a name
 * never freed is a pool leak, audited at Unload like any other).
 *
 * IoRegisterDeviceInterface takes the PDO: given a device object without a device node (an FDO),
 * Windows fails it with STATUS_INVALID_DEVICE_REQUEST and zeroes SymbolicLinkName, as here. A
 * symbolic link name is freed pool once RtlFreeUnicodeString returns: passing it to
 * IoSetDeviceInterfaceState afterwards reads freed memory (KSVC-05).
 *
 * @module
 */
import { PASSIVE_LEVEL, irqlName } from '../api/irql';
import { STATUS_INVALID_DEVICE_REQUEST, STATUS_OBJECT_NAME_NOT_FOUND, STATUS_SUCCESS } from '../api/ntstatus';
import { PagedPool, type DEVICE_OBJECT, type OUT, type UNICODE_STRING } from '../api/wdm';
import type { Pool } from '../ex/pool';
import type { KernelContext } from '../ke/context';
import type { ObjectTable } from '../ob/objects';
import type { SimDevice } from '../hal/sim-device';
import { shown } from '../verifier/trace-log';

/** What the device interfaces use of the machine: the kernel context, the device objects and the pool. */
export interface DeviceInterfacesHost extends KernelContext {
  readonly objects: ObjectTable;
  readonly pool: Pool;
}

/** Pool tag of the symbolic link names the I/O manager allocates ('IoSL'). */
export const SYMBOLIC_LINK_TAG = 0x4c53_6f49;

const GUID_PATTERN = /^\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}$/;

interface InterfaceRecord {
  readonly device: SimDevice;
  readonly link: string;
  enabled: boolean;
}

/** The I/O manager's device interfaces. */
export class DeviceInterfaces {
  /** Registered interfaces by symbolic link name. */
  readonly #interfaces = new Map<string, InterfaceRecord>();
  /** Symbolic link strings handed to the driver, and the pool block each stands for. */
  readonly #strings = new WeakMap<object, Uint8Array>();
  readonly #freedStrings = new WeakSet<object>();

  constructor(private readonly m: DeviceInterfacesHost) {}

  /** IoRegisterDeviceInterface. */
  register(pdo: DEVICE_OBJECT, guid: unknown, reference: UNICODE_STRING | null, out: OUT<UNICODE_STRING>): number {
    const m: DeviceInterfacesHost = this.m;
    const rec = m.objects.device(pdo);
    if (!rec) m.verifier.fail('KAPI-01', 'IoRegisterDeviceInterface was passed something that is not a device object');
    const name = shown(rec.obj.Name);
    m.trace.add('call', () => `IoRegisterDeviceInterface(${name}, ${String(guid)})`);
    m.verifier.check('KE-IRQL-01', m.cpus.current.irql === PASSIVE_LEVEL, () => `IoRegisterDeviceInterface at ${irqlName(m.cpus.current.irql)}; it is allowed at PASSIVE_LEVEL only`);
    if (rec.deleted) m.verifier.fail('KAPI-01', `IoRegisterDeviceInterface(${rec.obj.Name}) of a deleted device object`);
    if (typeof guid !== 'string' || !GUID_PATTERN.test(guid)) m.verifier.fail('KAPI-01', `IoRegisterDeviceInterface: InterfaceClassGuid ${String(guid)} is not a GUID ('{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}')`);
    if (typeof out !== 'object' || out === null) m.verifier.fail('KAPI-01', 'IoRegisterDeviceInterface: SymbolicLinkName is not a writable OUT box');
    // Only a PDO has a device node; Windows fails anything else (and a removed device) this way.
    if (rec.kind !== 'pdo' || rec.device.removed) {
      out.value = { Length: 0, MaximumLength: 0, Buffer: '' };
      m.trace.add('return', () => `IoRegisterDeviceInterface(${name}) returned STATUS_INVALID_DEVICE_REQUEST: not a PDO with a device node`);
      return STATUS_INVALID_DEVICE_REQUEST;
    }
    const refBuffer: unknown = reference === null || reference === undefined ? '' : (reference as { Buffer?: unknown }).Buffer;
    if (typeof refBuffer !== 'string') m.verifier.fail('KAPI-01', 'IoRegisterDeviceInterface: ReferenceString is neither NULL nor a UNICODE_STRING');
    const ref = refBuffer;
    const link = `\\??\\PCI#VEN_${m.options.engine.vendorId.toString(16).toUpperCase().padStart(4, '0')}&DEV_0E20#${rec.device.index}#${guid.toLowerCase()}${ref ? `\\${ref}` : ''}`;
    if (!this.#interfaces.has(link)) this.#interfaces.set(link, { device: rec.device, link, enabled: false });
    const bytes = link.length * 2;
    const block = m.pool.allocate(bytes + 2, SYMBOLIC_LINK_TAG, PagedPool, m.trace.length, m.phase === 'Idle' ? m.cpus.current.routine : m.phase);
    const s: UNICODE_STRING = { Length: bytes, MaximumLength: bytes + 2, Buffer: link };
    this.#strings.set(s, block);
    out.value = s;
    return STATUS_SUCCESS;
  }

  /** IoSetDeviceInterfaceState. */
  setState(link: UNICODE_STRING, enable: unknown): number {
    const m: DeviceInterfacesHost = this.m;
    const buffer: unknown = typeof link === 'object' && link !== null ? (link as { Buffer?: unknown }).Buffer : undefined;
    const text = typeof buffer === 'string' ? buffer : '';
    m.trace.add('call', () => `IoSetDeviceInterfaceState(${text}, ${enable ? 'TRUE' : 'FALSE'})`);
    if (typeof buffer !== 'string') m.verifier.fail('KAPI-01', 'IoSetDeviceInterfaceState: SymbolicLinkName is not a UNICODE_STRING');
    m.verifier.check('KE-IRQL-01', m.cpus.current.irql === PASSIVE_LEVEL, () => `IoSetDeviceInterfaceState at ${irqlName(m.cpus.current.irql)}; it is allowed at PASSIVE_LEVEL only`);
    m.verifier.check('KSVC-05', !(typeof link === 'object' && link !== null && this.#freedStrings.has(link)), () =>
      'IoSetDeviceInterfaceState with a symbolic link name RtlFreeUnicodeString already freed: its buffer is freed pool (with special pool, Driver Verifier faults: DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL); disable the interface first, then free the name');
    const rec = this.#interfaces.get(text);
    if (!rec) return STATUS_OBJECT_NAME_NOT_FOUND;
    rec.enabled = !!enable;
    return STATUS_SUCCESS;
  }

  /** The PnP manager disables a removed device's interfaces itself. */
  deviceRemoved(device: SimDevice): void {
    for (const r of this.#interfaces.values()) if (r.device === device) r.enabled = false;
  }

  /** Whether the interface with this link is enabled (for tests and reports). */
  isEnabled(link: string): boolean {
    return this.#interfaces.get(link)?.enabled === true;
  }

  /** RtlFreeUnicodeString: frees a string the system allocated. */
  freeString(s: unknown): void {
    const m: DeviceInterfacesHost = this.m;
    m.trace.add('call', 'RtlFreeUnicodeString');
    m.verifier.check('KE-IRQL-01', m.cpus.current.irql === PASSIVE_LEVEL, () => `RtlFreeUnicodeString at ${irqlName(m.cpus.current.irql)}; it is allowed at PASSIVE_LEVEL only`);
    const block = typeof s === 'object' && s !== null ? this.#strings.get(s) : undefined;
    if (!block) {
      m.verifier.fail('KAPI-02', typeof s === 'object' && s !== null && this.#freedStrings.has(s)
        ? 'RtlFreeUnicodeString of a string already freed (double free)'
        : 'RtlFreeUnicodeString of a string the system did not allocate (e.g. one from RtlInitUnicodeString, whose buffer is not pool)');
    }
    this.#strings.delete(s as object);
    this.#freedStrings.add(s as object);
    m.pool.free(block, SYMBOLIC_LINK_TAG);
    const u = s as { Length: number; MaximumLength: number; Buffer: string };
    u.Length = 0;
    u.MaximumLength = 0;
    u.Buffer = '';
  }
}
