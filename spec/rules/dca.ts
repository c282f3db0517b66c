/**
 * Direct Cache Access rules (NetDMA 2.0, optional): context-change descriptors and DCA hints.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** DCA rules (family `dca`). */
export const DCA_RULES = [
  {
    id: 'NDMA-DCA-01',
    family: 'dca',
    level: 'DERIVED',
    statement:
      'The DCA provider, after processing a context-change descriptor, sends the channel\'s DCA hints (for completion-status writes and for destinations marked NET_DMA_DESTINATION_DCA_ENABLE) to the APIC id in its DCAContext8 until the next context-change descriptor.',
    sources: {
      facts: ['F40', 'F23b', 'F35'],
      docs: ['conceptual/direct-cache-access--dca-.md', 'ddi/ns-netdma-_net_dma_descriptor.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: ['A2'],
    interfaceVersions: ['2.0'],
  },
  {
    id: 'NDMA-DCA-02',
    family: 'dca',
    level: 'DERIVED',
    statement:
      'The provider that did not set NET_DMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED ignores NET_DMA_DESTINATION_DCA_ENABLE and copies the data exactly as if the bit were clear.',
    sources: {
      facts: ['F35', 'F40', 'F17c'],
      docs: ['ddi/ns-netdma-_net_dma_descriptor.md', 'conceptual/direct-cache-access--dca-.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: ['A10'],
  },
  {
    id: 'NDMA-DCA-03',
    family: 'dca',
    level: 'DERIVED',
    statement:
      'The DCA provider processes a context-change descriptor (operation type NET_DMA_OP_TYPE_CONTEXT_CHANGE) without moving data, writes its completion status and raises its interrupt as its ControlFlags request, and continues with the next descriptor.',
    sources: {
      facts: ['F40', 'F35', 'F38'],
      docs: ['conceptual/direct-cache-access--dca-.md', 'ddi/ns-netdma-_net_dma_descriptor.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: ['A10'],
    interfaceVersions: ['2.0'],
  },
  {
    id: 'NDMA-DCA-04',
    family: 'dca',
    level: 'DERIVED',
    statement:
      'The DCA provider binds each allocated channel\'s completion-status write to the channel\'s CpuNumber in ProviderAllocateDmaChannel.',
    sources: {
      facts: ['F25', 'F40'],
      docs: ['conceptual/direct-cache-access--dca-.md', 'ddi/nc-netdma-dma_channel_allocate_handler.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: [],
    interfaceVersions: ['2.0'],
    reading:
      'The DCA page has a DCA-capable provider keep a channel\'s DCA affinity with a processor; the suite reads that the completion-status write of a channel is bound to the CpuNumber chosen at allocation.',
  },
] as const satisfies readonly RuleInput[];
