/**
 * Rules for the provider driver's Unload routine.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** Unload rules (family `unload`). */
export const UNLOAD_RULES = [
  {
    id: 'DRV-UNLOAD-01',
    family: 'unload',
    level: 'MUST',
    statement: 'Unload leaves no pool allocation of the driver outstanding when it returns.',
    sources: {
      facts: ['F45', 'F118'],
      docs: [
        'conceptual/unloading-a-netdma-provider-driver.md',
        'wdm-pnp/pnp-driver-s-unload-routine.md',
        'wdm-pnp/writing-an-unload-routine.md',
      ],
    },
    checkedBy: ['unload-audit'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/pnp-driver-s-unload-routine.md',
      text: 'However, if the driver allocated any driver-wide resources in its DriverEntry routine, it must deallocate those resources in its Unload routine unless it has already done so.',
    },
  },
  {
    id: 'DRV-UNLOAD-02',
    family: 'unload',
    level: 'MUST',
    statement:
      'The driver has deleted every device object it created and deregistered every provider it registered by the time Unload is called.',
    sources: {
      facts: ['F45', 'F113', 'F118', 'F42'],
      docs: ['conceptual/unloading-a-netdma-provider-driver.md', 'wdm-pnp/pnp-driver-s-unload-routine.md', 'wdm-pnp/removing-a-device-in-a-function-driver.md'],
    },
    checkedBy: ['unload-audit'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/removing-a-device-in-a-function-driver.md',
      text: 'When removing a device, a function driver must undo any operations it performed to add and start the device.',
    },
  },
  {
    id: 'DRV-UNLOAD-03',
    family: 'unload',
    level: 'DERIVED',
    statement:
      'Unload calls no NetDMA routine and touches no device object or engine register, because every device was removed before it runs.',
    sources: {
      facts: ['F118', 'F45'],
      docs: ['wdm-pnp/nc-wdm-driver_unload.md', 'conceptual/unloading-a-netdma-provider-driver.md'],
    },
    checkedBy: ['unload-audit', 'kernel-verifier'],
    ambiguities: [],
    reading:
      'Windows calls Unload only after every device of the driver was removed, so nothing is left for it to deregister or touch; the suite reads a NetDMA call, device access or register access in Unload as use of what is gone (the unloading page describes the order, no must-sentence).',
  },
] as const satisfies readonly RuleInput[];
