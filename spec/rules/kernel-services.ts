/**
 * Rules on the general kernel services a WDM function driver calls (family `kernel-api`): remove
 * locks, kernel timers, ExAllocatePool2, device interfaces and WMI registration, each checked at the
 * call as Driver Verifier (or Windows itself) checks it. The saved documentation names these
 * services as steps of AddDevice and REMOVE without a must or should about their use, so every rule
 * here is DERIVED, with the `reading` of what Windows does.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** Kernel service rules (family `kernel-api`). */
export const KERNEL_SERVICES_RULES = [
  {
    id: 'KSVC-01',
    family: 'kernel-api',
    level: 'DERIVED',
    statement:
      'The provider uses a remove lock only after IoInitializeRemoveLock, releases only acquisitions it made (with the same tag, never more releases than acquisitions), and calls IoReleaseRemoveLockAndWait once, holding an acquisition.',
    sources: {
      facts: ['F113', 'F116'],
      docs: ['wdm-pnp/adddevice-routines-in-function-or-filter-drivers.md', 'wdm-pnp/removing-a-device-in-a-function-driver.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'Driver Verifier\'s remove-lock tracking (IoInitializeRemoveLockEx with the verifier on) keeps a block per acquisition tag: a release whose tag it cannot find, a count that goes below the bias, a second IoReleaseRemoveLockAndWait (the bias is gone) or one without the caller\'s acquisition, and more outstanding acquisitions than HighWatermark break into the debugger as a driver bug. The DDI pages of the Io*RemoveLock routines are not among the saved sources.',
  },
  {
    id: 'KSVC-02',
    family: 'kernel-api',
    level: 'DERIVED',
    statement:
      'The provider releases every remove lock acquisition it makes, so that IoReleaseRemoveLockAndWait at REMOVE returns and no acquisition is outstanding when the device object holding the lock is deleted or the driver unloads.',
    sources: {
      facts: ['F113', 'F118'],
      docs: ['wdm-pnp/removing-a-device-in-a-function-driver.md', 'wdm-pnp/writing-an-unload-routine.md'],
    },
    checkedBy: ['kernel-verifier', 'unload-audit'],
    ambiguities: [],
    reading:
      'IoReleaseRemoveLockAndWait waits on an event that only the last release sets: an acquisition never released leaves the REMOVE thread blocked forever (the PnP manager hangs, and Driver Verifier\'s tracking reports the lock held past MaxLockedMinutes); an acquisition outstanding when IoDeleteDevice frees the extension is a release into freed pool.',
  },
  {
    id: 'KSVC-03',
    family: 'kernel-api',
    level: 'DERIVED',
    statement:
      'The provider initialises a kernel timer before using it and cancels it before the memory holding it goes away, so that no timer is still set when IoDeleteDevice frees the device extension holding it or when the driver unloads.',
    sources: {
      facts: ['F113', 'F118'],
      docs: ['wdm-pnp/removing-a-device-in-a-function-driver.md', 'wdm-pnp/nc-wdm-driver_unload.md'],
    },
    checkedBy: ['kernel-verifier', 'unload-audit'],
    ambiguities: [],
    reading:
      'Windows bug-checks TIMER_OR_DPC_INVALID (0xC7) when it finds a set kernel timer in memory being freed (Driver Verifier checks every pool free and the driver image at unload for live timers), since the timer table would keep pointing into freed memory and its DPC would run unloaded code; a timer never initialised corrupts the timer table when set.',
  },
  {
    id: 'KSVC-04',
    family: 'kernel-api',
    level: 'DERIVED',
    statement: 'The provider passes ExAllocatePool2 a nonzero pool tag.',
    sources: {
      facts: ['F116', 'F118'],
      docs: ['wdm-pnp/adddevice-routines-in-function-or-filter-drivers.md', 'wdm-pnp/writing-an-unload-routine.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'Windows bug-checks BAD_POOL_CALLER (0xC2) with parameter 0x9B, an attempt to allocate pool with a tag of zero, which would make the allocation untrackable by the pool tag tables and leak detection. Invalid POOL_FLAGS (an unknown required flag such as a POOL_TYPE value carried over from ExAllocatePoolWithTag, no pool type or two) are not a violation: ExAllocatePool2 fails such a request and returns NULL. The ExAllocatePool2 DDI page is not among the saved sources.',
  },
  {
    id: 'KSVC-05',
    family: 'kernel-api',
    level: 'DERIVED',
    statement:
      'The provider passes IoSetDeviceInterfaceState only a symbolic link name IoRegisterDeviceInterface returned and RtlFreeUnicodeString has not freed yet.',
    sources: {
      facts: ['F113', 'F116'],
      docs: ['wdm-pnp/adddevice-routines-in-function-or-filter-drivers.md', 'wdm-pnp/removing-a-device-in-a-function-driver.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'The SymbolicLinkName IoRegisterDeviceInterface returns is paged pool the caller frees with RtlFreeUnicodeString; reading it afterwards (to disable the interface at REMOVE) is a use after free, which Driver Verifier\'s special pool turns into a bug check (DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL, 0xD5). An unknown name is not a violation (Windows returns STATUS_OBJECT_NAME_NOT_FOUND), nor is registering for a device object that is not a PDO (Windows returns STATUS_INVALID_DEVICE_REQUEST), nor is leaving the interfaces enabled at SURPRISE_REMOVAL and REMOVE: disabling them is a step of the saved procedures without a must, and the PnP manager disables a removed device\'s interfaces itself.',
  },
  {
    id: 'KSVC-06',
    family: 'kernel-api',
    level: 'DERIVED',
    statement:
      'The provider deregisters a device object it registered with WMI (IoWMIRegistrationControl with WMIREG_ACTION_DEREGISTER) before deleting it.',
    sources: {
      facts: ['F113'],
      docs: ['wdm-pnp/removing-a-device-in-a-function-driver.md', 'wdm-pnp/handling-an-irp-mn-remove-device-request.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'WMI takes a reference on a device object registered with WMIREG_ACTION_REGISTER and keeps sending it IRP_MJ_SYSTEM_CONTROL requests until WMIREG_ACTION_DEREGISTER, which the IoWMIRegistrationControl DDI page (not among the saved sources) tells a driver to call before it deletes the device object; a device deleted while registered is never freed and its driver cannot unload. A second registration of the same device object is not a violation: Windows answers it with the informational STATUS_OBJECT_NAME_EXISTS, as it answers a deregistration of a device never registered with an error status.',
  },
] as const satisfies readonly RuleInput[];
