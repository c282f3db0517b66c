/**
 * IRQL and spin-lock rules (Driver Verifier style), checked at each call by the simulated kernel.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** IRQL rules (family `irql`). */
export const IRQL_RULES = [
  {
    id: 'KE-IRQL-01',
    family: 'irql',
    level: 'DERIVED',
    statement:
      'The provider calls the routines documented for PASSIVE_LEVEL (NetDmaRegisterProvider, NetDmaDeregisterProvider, NetDmaProviderStart, NetDmaProviderStop, NetDmaGetVersion, NetDmaPnPEventNotify, IoCreateDevice, IoDeleteDevice, IoAttachDeviceToDeviceStack, IoDetachDevice, MmMapIoSpace, MmUnmapIoSpace, IoConnectInterruptEx and IoDisconnectInterruptEx) only at PASSIVE_LEVEL.',
    sources: {
      facts: ['F16', 'F8', 'F9', 'F10', 'F11', 'F14', 'F15', 'F116'],
      docs: [
        'ddi/nf-netdma-netdmaregisterprovider.md',
        'ddi/nf-netdma-netdmaderegisterprovider.md',
        'ddi/nf-netdma-netdmaproviderstart.md',
        'ddi/nf-netdma-netdmaproviderstop.md',
        'ddi/nf-netdma-netdmagetversion.md',
        'ddi/nf-netdma-netdmapnpeventnotify.md',
        'wdm-pnp/linked/nf-wdm-iocreatedevice.md',
      ],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'The DDI pages of these routines give PASSIVE_LEVEL as their IRQL requirement (a requirements-table entry, not a must-sentence; the Io/Mm pages are not all among the saved sources); Driver Verifier\'s IRQL checking bug-checks a call above it.',
  },
  {
    id: 'KE-IRQL-02',
    family: 'irql',
    level: 'DERIVED',
    statement:
      'The provider never calls a routine whose documented IRQL limit is DISPATCH_LEVEL above DISPATCH_LEVEL, in particular not from its ISR.',
    sources: {
      facts: ['F25', 'F26', 'F27', 'F28', 'F29', 'F30', 'F31', 'F32', 'F16'],
      docs: [
        'ddi/nc-netdma-dma_channel_allocate_handler.md',
        'ddi/nc-netdma-dma_start_handler.md',
        'ddi/nf-netdma-netdmainterruptdpc.md',
      ],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'The DDI pages give DISPATCH_LEVEL or lower as the IRQL requirement of these routines (a requirements-table entry, not a must-sentence); Windows bug-checks with IRQL_NOT_LESS_OR_EQUAL and Driver Verifier flags a call above it.',
  },
  {
    id: 'KE-IRQL-03',
    family: 'irql',
    level: 'DERIVED',
    statement:
      'The provider calls NetDmaIsr only from its interrupt service routine at the device\'s IRQL, and NetDmaInterruptDpc only from its DPC routine at DISPATCH_LEVEL.',
    sources: {
      facts: ['F12', 'F13', 'F16', 'F49'],
      docs: [
        'ddi/nf-netdma-netdmaisr.md',
        'ddi/nf-netdma-netdmainterruptdpc.md',
        'conceptual/handling-a-netdma-interrupt.md',
        'conceptual/handling-a-netdma-interrupt-dpc.md',
      ],
    },
    checkedBy: ['kernel-verifier', 'interrupt-property'],
    ambiguities: [],
    reading:
      'The NetDmaIsr and NetDmaInterruptDpc pages describe calls from the provider\'s ISR and DPC at their IRQLs, without a must-sentence; the suite reads those as the only places the calls are made.',
  },
  {
    id: 'KE-IRQL-04',
    family: 'irql',
    level: 'DERIVED',
    statement:
      'Every provider routine returns at the IRQL it was entered at, with no spin lock it acquired still held.',
    sources: {
      facts: ['F16', 'F25', 'F27'],
      docs: ['ddi/nc-netdma-dma_start_handler.md', 'ddi/nf-netdma-netdmaisr.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'Returning at another IRQL or with a spin lock held is what Driver Verifier bug-checks (IRQL_UNEXPECTED_VALUE, IRQL_NOT_LESS_OR_EQUAL); the KeAcquire/KeRelease DDI pages are not among the saved sources.',
  },
  {
    id: 'KE-IRQL-05',
    family: 'irql',
    level: 'DERIVED',
    statement:
      'The provider acquires and releases each spin lock in pairs and never acquires a spin lock that its own processor already holds.',
    sources: {
      facts: ['F11d', 'F25', 'F32a'],
      docs: ['conceptual/stopping-a-netdma-provider.md', 'ddi/nc-netdma-dma_channel_allocate_handler.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: ['A11'],
  },
  {
    id: 'KE-IRQL-06',
    family: 'irql',
    level: 'DERIVED',
    statement:
      'The provider\'s channel handlers, which NetDMA may call at DISPATCH_LEVEL, never block, never call a routine limited to PASSIVE_LEVEL and never touch paged memory.',
    sources: {
      facts: ['F25', 'F26', 'F27', 'F28', 'F29', 'F30', 'F31', 'F32'],
      docs: [
        'ddi/nc-netdma-dma_channel_allocate_handler.md',
        'ddi/nc-netdma-dma_channel_free_handler.md',
        'ddi/nc-netdma-dma_append_handler.md',
      ],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'NetDMA may call the channel handlers at DISPATCH_LEVEL; blocking, calling a PASSIVE_LEVEL routine or touching paged memory there is what Driver Verifier bug-checks (IRQL_NOT_LESS_OR_EQUAL); the kernel routines\' DDI pages are not among the saved sources.',
  },
] as const satisfies readonly RuleInput[];
