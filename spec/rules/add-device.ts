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
    level: 'DERIVED',
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
    reading:
      'The AddDevice page lists creating and attaching the FDO as steps AddDevice should take, and the NetDMA pages register the provider from AddDevice; the suite reads that the FDO is created and attached before NetDmaRegisterProvider, the order every WDK sample follows (no must-sentence states the order).',
  },
  {
    id: 'DRV-ADD-02',
    family: 'add-device',
    level: 'SHOULD',
    statement: 'AddDevice clears DO_DEVICE_INITIALIZING in the FDO\'s Flags before it returns STATUS_SUCCESS.',
    sources: {
      facts: ['F116'],
      docs: ['wdm-pnp/adddevice-routines-in-function-or-filter-drivers.md', 'wdm-pnp/writing-an-adddevice-routine.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/adddevice-routines-in-function-or-filter-drivers.md',
      text: 'An AddDevice routine in a function or filter driver should take the following steps:',
    },
  },
  {
    id: 'DRV-ADD-03',
    family: 'add-device',
    level: 'DERIVED',
    statement:
      'AddDevice calls NetDmaRegisterProvider exactly once, so that each engine (each PDO) has exactly one registered provider.',
    sources: {
      facts: ['F8d', 'F42', 'F6'],
      docs: ['ddi/nf-netdma-netdmaregisterprovider.md', 'conceptual/registering-a-netdma-provider.md'],
    },
    checkedBy: ['kernel-verifier', 'lifecycle-model'],
    ambiguities: [],
    reading:
      'The NetDMA pages register one provider per DMA engine from AddDevice; the suite reads exactly one NetDmaRegisterProvider per AddDevice (no must-sentence says exactly once; NetDMA in Windows keeps one provider per PDO).',
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
    reading:
      'A failed AddDevice is not followed by REMOVE, so whatever it set up stays behind; the suite reads the DriverEntry rule (free what you set up before failing) into AddDevice, as Driver Verifier\'s leak and stale-device checks do (the AddDevice pages say only that it returns an error status).',
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
    quote: {
      doc: 'wdm-pnp/adddevice-routines-in-function-or-filter-drivers.md',
      text: 'A driver must not start controlling the device until it receives an IRP_MN_START_DEVICE containing the list of hardware resources assigned to the device by the PnP manager.',
    },
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
    quote: {
      doc: 'wdm-pnp/nc-wdm-driver_add_device.md',
      text: 'If the routine succeeds, it must return STATUS_SUCCESS.',
    },
  },
] as const satisfies readonly RuleInput[];
