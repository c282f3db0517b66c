/**
 * Rules for the provider driver's DriverEntry routine.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** DriverEntry rules (family `driver-entry`). */
export const DRIVER_ENTRY_RULES = [
  {
    id: 'DRV-ENTRY-01',
    family: 'driver-entry',
    level: 'MUST',
    statement:
      'DriverEntry sets DriverObject->DriverExtension->AddDevice, MajorFunction[IRP_MJ_PNP], MajorFunction[IRP_MJ_POWER] and DriverUnload before it returns STATUS_SUCCESS.',
    sources: {
      facts: ['F42', 'F117', 'F118', 'F116'],
      docs: [
        'wdm-pnp/driverentry-s-required-responsibilities.md',
        'wdm-pnp/writing-a-driverentry-routine.md',
        'wdm-pnp/nc-wdm-driver_unload.md',
        'conceptual/initializing-a-netdma-provider-driver.md',
      ],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    quote: {
      doc: 'conceptual/initializing-a-netdma-provider-driver.md',
      text: 'The driver must provide the entry points for the AddDevice and Unload routines in the DRIVER_OBJECT structure.',
    },
  },
  {
    id: 'DRV-ENTRY-02',
    family: 'driver-entry',
    level: 'SHOULD',
    statement:
      'DriverEntry keeps no pointer into the RegistryPath buffer after it returns, and a driver that needs the path later keeps its own copy of the string.',
    sources: {
      facts: ['F43'],
      docs: ['conceptual/initializing-a-netdma-provider-driver.md', 'wdm-pnp/nc-wdm-driver_initialize.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/nc-wdm-driver_initialize.md',
      text: 'The DriverEntry routine should save a copy of the Unicode string, not the pointer, since the I/O manager frees the RegistryPath buffer after DriverEntry returns.',
    },
  },
  {
    id: 'DRV-ENTRY-03',
    family: 'driver-entry',
    level: 'MUST',
    statement:
      'DriverEntry, when it returns a failure status, has freed every pool allocation and deleted every device object it created, because the system does not call Unload for a driver whose DriverEntry failed.',
    sources: {
      facts: ['F117'],
      docs: ['wdm-pnp/driverentry-return-values.md', 'wdm-pnp/driverentry-s-required-responsibilities.md'],
    },
    checkedBy: ['unload-audit'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/driverentry-return-values.md',
      text: 'A DriverEntry routine that will fail initialization must free any system objects, system resources, and registry resources it has already set up before it returns control.',
    },
  },
  {
    id: 'DRV-ENTRY-04',
    family: 'driver-entry',
    level: 'DERIVED',
    statement:
      'DriverEntry does not call NetDmaRegisterProvider, because the provider entry points are registered in AddDevice, once per engine.',
    sources: {
      facts: ['F44', 'F8d', 'F42'],
      docs: [
        'conceptual/initializing-a-netdma-provider-driver.md',
        'conceptual/registering-a-netdma-provider.md',
        'ddi/nf-netdma-netdmaregisterprovider.md',
      ],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'The NetDMA pages register a provider per engine from AddDevice, with the PDO AddDevice was given in its characteristics, and say nothing of DriverEntry; the suite reads that DriverEntry, which has no PDO yet, registers nothing (no must-sentence forbids it).',
  },
  {
    id: 'DRV-ENTRY-05',
    family: 'driver-entry',
    level: 'MUST',
    statement:
      'DriverEntry returns an NTSTATUS value: STATUS_SUCCESS when the driver is ready to be loaded, otherwise an error status.',
    sources: {
      facts: ['F117'],
      docs: ['wdm-pnp/driverentry-return-values.md', 'wdm-pnp/nc-wdm-driver_initialize.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/nc-wdm-driver_initialize.md',
      text: 'If the routine succeeds, it must return STATUS_SUCCESS.',
    },
  },
] as const satisfies readonly RuleInput[];
