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
  {
    id: 'PNP-FILTER-03',
    family: 'filter-resources',
    level: 'MUST',
    statement:
      'The FDO keeps the order of the resource descriptors in the requirements list and does not drop or retag descriptors it does not own.',
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
      'The FDO does not fail IRP_MN_FILTER_RESOURCE_REQUIREMENTS itself: it completes the IRP with STATUS_SUCCESS when the lower drivers succeeded and with their status otherwise.',
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
      'The FDO is ready to handle IRP_MN_FILTER_RESOURCE_REQUIREMENTS as soon as AddDevice has returned, with the channel affinities from registration already stored.',
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
