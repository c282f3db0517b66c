/**
 * Rules for IRP_MN_FILTER_RESOURCE_REQUIREMENTS, where a NetDMA provider asks for MSI-X
 * messages that match the channel affinities NetDMA gave it at registration.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** Resource-filtering rules (family `filter-resources`). */
export const FILTER_RESOURCES_RULES = [
  {
    id: 'PNP-FILTER-01',
    family: 'filter-resources',
    level: 'MUST',
    statement:
      'The FDO handles IRP_MN_FILTER_RESOURCE_REQUIREMENTS on the way up: it sets a completion routine, passes the IRP down, and edits the requirements list only after the lower drivers have completed the IRP.',
    sources: {
      facts: ['F52', 'F103'],
      docs: [
        'wdm-pnp/irp-mn-filter-resource-requirements.md',
        'wdm-pnp/postponing-pnp-irp-processing-until-lower-drivers-finish.md',
        'conceptual/setting-the-netdma-interrupt-cpu-affinities.md',
      ],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/irp-mn-filter-resource-requirements.md',
      text: 'If a function driver handles this IRP, it must set a completion routine and handle the IRP on its way back up the device stack.',
    },
  },
  {
    id: 'PNP-FILTER-02',
    family: 'filter-resources',
    level: 'DERIVED',
    statement:
      'The FDO on an MSI-X machine that received affinities through ProviderSetDmaChannelCpuAffinity sets, in the returned list, the interrupt descriptor of each channel\'s MSI-X message to IrqPolicySpecifiedProcessors with TargetedProcessors naming that channel\'s CPU.',
    sources: {
      facts: ['F47', 'F52', 'F24', 'F20'],
      docs: [
        'conceptual/setting-the-netdma-interrupt-cpu-affinities.md',
        'conceptual/managing-netdma-interrupts.md',
        'ddi/nc-netdma-dma_channels_cpu_affinity_handler.md',
        'wdm-pnp/linked/ns-wdm-_io_resource_descriptor.md',
      ],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: ['A8', 'A15'],
  },
  // PNP-FILTER-03/04 (issue 12, finding 6): irp-mn-filter-resource-requirements.md lets a function
  // driver change the size of the list ("If the driver needs to change the size of the requirements
  // list, the driver must allocate a new IO_RESOURCE_REQUIREMENTS_LIST") — so add descriptors or
  // alternative lists — as long as it "must preserve the order of resources"; and "If a function
  // driver encounters an error when handling this IRP, it sets the error in Irp->IoStatus.Status".
  // The simulated PCI bus now leaves IoStatus.Information as it is (the page: "It leaves
  // Irp->IoStatus as is"); the status too for a line-based function, while for an MSI-X function it
  // succeeds the IRP as Windows's PCI bus driver, which acts on message-signalled functions' requirements,
  // does. After an unhandled or failed FILTER the next START uses the bus driver's requirements.
  {
    id: 'PNP-FILTER-03',
    family: 'filter-resources',
    level: 'MUST',
    statement:
      'The FDO returns a well-formed requirements list in which one alternative list keeps the bus driver\'s resource descriptors in their order, none dropped or retyped; it may add descriptors and alternative lists.',
    sources: {
      facts: ['F52'],
      docs: ['wdm-pnp/irp-mn-filter-resource-requirements.md', 'wdm-pnp/linked/ns-wdm-_io_resource_requirements_list.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/irp-mn-filter-resource-requirements.md',
      text: 'A function driver must preserve the order of resources in the list pointed to by Irp->IoStatus.Information and must not alter resource tags that it does not handle.',
    },
  },
  {
    id: 'PNP-FILTER-04',
    family: 'filter-resources',
    level: 'DERIVED',
    statement:
      'The FDO that changes the requirements list completes IRP_MN_FILTER_RESOURCE_REQUIREMENTS with STATUS_SUCCESS and the list in IoStatus.Information; it may also fail the IRP with an error or leave it unhandled, the list untouched.',
    sources: {
      facts: ['F52', 'F103', 'F104'],
      docs: ['wdm-pnp/irp-mn-filter-resource-requirements.md', 'wdm-pnp/dispatchpnp-routines.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    reading:
      'The IRP page lets a function driver that handles the IRP edit the list on the way up and says nothing of failing it; the suite reads that the FDO returns the lower drivers\' status and does not fail the IRP itself, since a failed filter IRP fails resource assignment for the device.',
  },
  {
    id: 'PNP-FILTER-05',
    family: 'filter-resources',
    level: 'MUST',
    statement:
      'The FDO is ready to handle IRP_MN_FILTER_RESOURCE_REQUIREMENTS as soon as AddDevice has returned: it passes the IRP down, with the channel affinities from registration already stored.',
    sources: {
      facts: ['F52', 'F115', 'F120'],
      docs: [
        'wdm-pnp/irp-mn-filter-resource-requirements.md',
        'ddi/nf-netdma-netdmaregisterprovider.md',
        'conceptual/setting-the-netdma-interrupt-cpu-affinities.md',
      ],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'conceptual/setting-the-netdma-interrupt-cpu-affinities.md',
      text: 'The NetDMA provider driver must be prepared to handle IRP_MN_FILTER_RESOURCE_REQUIREMENTS immediately after the AddDevice routine returns.',
    },
  },
] as const satisfies readonly RuleInput[];
