/**
 * Rules for the provider driver's AddDevice routine.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** AddDevice rules (family `add-device`). */
export const ADD_DEVICE_RULES = [
  {
    id: 'DRV-ADD-01',
    family: 'add-device',
    level: 'MUST',
    statement:
      'AddDevice creates the FDO with IoCreateDevice and attaches it with IoAttachDeviceToDeviceStack to the PDO it was passed before it calls NetDmaRegisterProvider.',
    sources: {
      facts: ['F8d', 'F116', 'F42'],
      docs: [
        'ddi/nf-netdma-netdmaregisterprovider.md',
        'conceptual/registering-a-netdma-provider.md',
        'wdm-pnp/adddevice-routines-in-function-or-filter-drivers.md',
        'wdm-pnp/writing-an-adddevice-routine.md',
      ],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
  },
  {
    id: 'DRV-ADD-02',
    family: 'add-device',
    level: 'MUST',
    statement: 'AddDevice clears DO_DEVICE_INITIALIZING in the FDO\'s Flags before it returns STATUS_SUCCESS.',
    sources: {
      facts: ['F116'],
      docs: ['wdm-pnp/adddevice-routines-in-function-or-filter-drivers.md', 'wdm-pnp/writing-an-adddevice-routine.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
  },
  {
    id: 'DRV-ADD-03',
    family: 'add-device',
    level: 'MUST',
    statement:
      'AddDevice calls NetDmaRegisterProvider exactly once, so that each engine (each PDO) has exactly one registered provider.',
    sources: {
      facts: ['F8d', 'F42', 'F6'],
      docs: ['ddi/nf-netdma-netdmaregisterprovider.md', 'conceptual/registering-a-netdma-provider.md'],
    },
    checkedBy: ['kernel-verifier', 'lifecycle-model'],
    ambiguities: [],
  },
  {
    id: 'DRV-ADD-04',
    family: 'add-device',
    level: 'DERIVED',
    statement:
      'AddDevice, when it returns a failure status, leaves nothing behind: no provider stays registered, the FDO is detached with IoDetachDevice and deleted with IoDeleteDevice, and the pool it allocated is freed.',
    sources: {
      facts: ['F116', 'F117', 'F9'],
      docs: ['wdm-pnp/nc-wdm-driver_add_device.md', 'wdm-pnp/adddevice-routines-in-function-or-filter-drivers.md'],
    },
    checkedBy: ['lifecycle-model', 'kernel-verifier'],
    ambiguities: [],
  },
  {
    id: 'DRV-ADD-05',
    family: 'add-device',
    level: 'MUST',
    statement:
      'AddDevice does not touch the engine: it maps no registers with MmMapIoSpace, connects no interrupt with IoConnectInterruptEx and accesses no device register, because hardware resources are assigned only at IRP_MN_START_DEVICE.',
    sources: {
      facts: ['F116', 'F105', 'F8f'],
      docs: ['wdm-pnp/adddevice-routines-in-function-or-filter-drivers.md', 'wdm-pnp/irp-mn-start-device.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
  },
  {
    id: 'DRV-ADD-06',
    family: 'add-device',
    level: 'MUST',
    statement:
      'AddDevice returns STATUS_SUCCESS when it succeeds and an error NTSTATUS when it fails, never STATUS_PENDING or another informational or warning status.',
    sources: {
      facts: ['F116'],
      docs: ['wdm-pnp/nc-wdm-driver_add_device.md', 'wdm-pnp/writing-an-adddevice-routine.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
  },
] as const satisfies readonly RuleInput[];
