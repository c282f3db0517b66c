/**
 * Rules on how the provider uses kernel and NetDMA routines (Driver Verifier style), and on what
 * its own routines may do when the system calls them.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** Kernel API rules (family `kernel-api`). */
export const KERNEL_API_RULES = [
  {
    id: 'KAPI-01',
    family: 'kernel-api',
    level: 'DERIVED',
    statement:
      'The provider passes to kernel and NetDMA routines only objects and handles that the system issued and that are still valid, never a deleted device object, a deregistered provider handle, a freed channel or freed pool.',
    sources: {
      facts: ['F9', 'F8c', 'F26', 'F113'],
      docs: [
        'ddi/nf-netdma-netdmaderegisterprovider.md',
        'ddi/nc-netdma-dma_channel_free_handler.md',
        'wdm-pnp/removing-a-device-in-a-function-driver.md',
      ],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'Using a deleted device object, a deregistered handle, a freed channel or freed pool is what Driver Verifier\'s special pool and object checks bug-check in Windows; the kernel routines\' DDI pages are not among the saved sources.',
  },
  {
    id: 'KAPI-02',
    family: 'kernel-api',
    level: 'DERIVED',
    statement: 'The provider frees each pool allocation exactly once, with the tag it was allocated with.',
    sources: {
      facts: ['F118', 'F45', 'F25'],
      docs: ['wdm-pnp/writing-an-unload-routine.md', 'conceptual/unloading-a-netdma-provider-driver.md'],
    },
    checkedBy: ['kernel-verifier', 'unload-audit'],
    ambiguities: [],
    reading:
      'Windows bug-checks with BAD_POOL_CALLER on a double free and on ExFreePoolWithTag with another tag, as Driver Verifier\'s pool tracking does; the pool DDI pages are not among the saved sources.',
  },
  {
    id: 'KAPI-03',
    family: 'kernel-api',
    level: 'DERIVED',
    statement:
      'The provider\'s routines return what their WDK prototypes declare: an NTSTATUS number from NTSTATUS routines, nothing from VOID routines, and never a Promise.',
    sources: {
      facts: ['F24', 'F25', 'F26', 'F27', 'F116', 'F117', 'F118'],
      docs: [
        'ddi/with-syntax-2018-03/nc-netdma-dma_channel_allocate_handler.md',
        'ddi/with-syntax-2018-03/nc-netdma-dma_channel_free_handler.md',
        'wdm-pnp/nc-wdm-driver_add_device.md',
        'wdm-pnp/nc-wdm-driver_unload.md',
      ],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'The DDI prototypes declare NTSTATUS or VOID returns; the suite reads any other value (a non-number, a Promise) as a return a C caller cannot receive.',
  },
  {
    id: 'KAPI-04',
    family: 'kernel-api',
    level: 'DERIVED',
    statement:
      'The provider\'s code never throws, because an unhandled exception in a kernel-mode driver is a bug check.',
    sources: {
      facts: ['F6', 'F7'],
      docs: ['conceptual/introduction-to-the-netdma-interface.md', 'conceptual/installing-a-netdma-provider-driver.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'An unhandled exception in kernel mode is a bug check (KMODE_EXCEPTION_NOT_HANDLED) in Windows; the suite reads a throw out of a provider routine as that.',
  },
  {
    id: 'KAPI-05',
    family: 'kernel-api',
    level: 'DERIVED',
    statement: 'Every provider routine returns within the watchdog\'s bound, never looping or waiting without end.',
    sources: {
      facts: ['F12d', 'F25', 'F11d'],
      docs: ['ddi/nf-netdma-netdmaisr.md', 'ddi/nc-netdma-dma_channel_allocate_handler.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'A provider routine that never returns hangs the thread or processor it runs on (a DPC watchdog bug check at DISPATCH_LEVEL in Windows); the suite bounds every routine by its watchdog.',
  },
  {
    id: 'KAPI-06',
    family: 'kernel-api',
    level: 'DERIVED',
    statement:
      'The provider\'s handlers return only their documented NTSTATUS values: STATUS_SUCCESS, STATUS_INSUFFICIENT_RESOURCES or STATUS_UNSUCCESSFUL from ProviderSetDmaChannelCpuAffinity, ProviderAllocateDmaChannel and ProviderStartDma, and STATUS_SUCCESS or STATUS_UNSUCCESSFUL from ProviderAppendDma, ProviderSuspendDma, ProviderResumeDma, ProviderAbortDma and ProviderResetChannel.',
    sources: {
      facts: ['F24', 'F25', 'F27', 'F28', 'F29', 'F30', 'F31', 'F32'],
      docs: [
        'ddi/nc-netdma-dma_channels_cpu_affinity_handler.md',
        'ddi/nc-netdma-dma_channel_allocate_handler.md',
        'ddi/nc-netdma-dma_start_handler.md',
        'ddi/nc-netdma-dma_append_handler.md',
        'ddi/nc-netdma-dma_suspend_handler.md',
        'ddi/nc-netdma-dma_resume_handler.md',
        'ddi/nc-netdma-dma_abort_handler.md',
        'ddi/nc-netdma-dma_reset_handler.md',
      ],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: ['A4'],
  },
  {
    id: 'KAPI-07',
    family: 'kernel-api',
    level: 'DERIVED',
    statement: 'The provider writes only memory it owns and never patches code or data shared with the rest of the system, which in the simulation means the runtime\'s built-in objects, as PatchGuard forbids in Windows.',
    sources: {
      facts: ['F6', 'F7'],
      docs: ['conceptual/writing-a-netdma-provider-driver.md', 'wdm-pnp/writing-a-driverentry-routine.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'Patching kernel code or shared system data is what PatchGuard bug-checks (CRITICAL_STRUCTURE_CORRUPTION) in Windows; the suite reads patching the runtime\'s built-in objects as that.',
  },
  {
    id: 'KAPI-08',
    family: 'kernel-api',
    level: 'DERIVED',
    statement: 'The provider keeps its memory use bounded, never allocating without limit until the system runs out.',
    sources: {
      facts: ['F25', 'F117'],
      docs: ['ddi/nc-netdma-dma_channel_allocate_handler.md', 'wdm-pnp/driverentry-s-required-responsibilities.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'Allocating without limit exhausts nonpaged pool and fails the system in Windows; the suite reads exceeding its memory limit as that.',
  },
] as const satisfies readonly RuleInput[];
