/**
 * WMI registration (IoWMIRegistrationControl): which device objects are registered as WMI data
 * providers. WMI keeps a reference on a registered device object until it is deregistered, so a
 * device deleted while registered is never freed and its driver cannot unload: the deregistration
 * comes before IoDeleteDevice. A second registration returns STATUS_OBJECT_NAME_EXISTS and a
 * deregistration of a device never registered an error status, as in Windows (neither is a bug
 * check). (IRP_MJ_SYSTEM_CONTROL delivery builds on {@link Wmi.isRegistered}.)
 *
 * @module
 */
import { PASSIVE_LEVEL, irqlName } from '../api/irql';
import { STATUS_INVALID_PARAMETER, STATUS_OBJECT_NAME_EXISTS, STATUS_SUCCESS } from '../api/ntstatus';
import type { DEVICE_OBJECT } from '../api/wdm';
import { WMIREG_ACTION_DEREGISTER, WMIREG_ACTION_REGISTER, WMIREG_ACTION_REREGISTER, WMIREG_ACTION_UPDATE_GUIDS } from '../api/wdm-services';
import type { KernelContext } from '../ke/context';
import type { ObjectTable } from '../ob/objects';

/** What WMI registration uses of the machine: the kernel context and the device objects. */
export interface WmiHost extends KernelContext {
  readonly objects: ObjectTable;
}

const ACTIONS: ReadonlyMap<number, string> = new Map([
  [WMIREG_ACTION_REGISTER, 'WMIREG_ACTION_REGISTER'],
  [WMIREG_ACTION_DEREGISTER, 'WMIREG_ACTION_DEREGISTER'],
  [WMIREG_ACTION_REREGISTER, 'WMIREG_ACTION_REREGISTER'],
  [WMIREG_ACTION_UPDATE_GUIDS, 'WMIREG_ACTION_UPDATE_GUIDS'],
]);

/** The WMI registrations of the machine. */
export class Wmi {
  readonly #registered = new Set<DEVICE_OBJECT>();

  constructor(private readonly m: WmiHost) {}

  /** IoWMIRegistrationControl. */
  registrationControl(device: DEVICE_OBJECT, action: unknown): number {
    const m: WmiHost = this.m;
    const rec = m.objects.device(device);
    if (!rec) m.verifier.fail('KAPI-01', 'IoWMIRegistrationControl was passed something that is not a device object');
    if (rec.deleted) m.verifier.fail('KAPI-01', `IoWMIRegistrationControl(${rec.obj.Name}) of a deleted device object`);
    const what = typeof action === 'number' ? (ACTIONS.get(action) ?? `action ${action}`) : String(action);
    m.trace.add('call', () => `IoWMIRegistrationControl(${rec.obj.Name}, ${what})`);
    m.verifier.check('KE-IRQL-01', m.cpus.current.irql === PASSIVE_LEVEL, () => `IoWMIRegistrationControl at ${irqlName(m.cpus.current.irql)}; it is allowed at PASSIVE_LEVEL only`);
    const registered = this.#registered.has(rec.obj);
    switch (action) {
      case WMIREG_ACTION_REGISTER:
        // Windows answers a second registration with the informational STATUS_OBJECT_NAME_EXISTS, no bug check.
        if (registered) return STATUS_OBJECT_NAME_EXISTS;
        this.#registered.add(rec.obj);
        return STATUS_SUCCESS;
      case WMIREG_ACTION_DEREGISTER:
        if (!registered) return STATUS_INVALID_PARAMETER;
        this.#registered.delete(rec.obj);
        return STATUS_SUCCESS;
      case WMIREG_ACTION_REREGISTER:
      case WMIREG_ACTION_UPDATE_GUIDS:
        return registered ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
      default:
        return STATUS_INVALID_PARAMETER;
    }
  }

  /** Whether the device object is registered with WMI. */
  isRegistered(device: DEVICE_OBJECT): boolean {
    return this.#registered.has(device);
  }
}
