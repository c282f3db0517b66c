/**
 * Rules the machine drawn per run brings out (issue 13): physical addresses above 4 GiB, which
 * every address register of the engine must carry whole.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** Rules about the machine's shape: 64-bit physical addresses in the engine's registers. */
export const MACHINE_RULES = [
  {
    id: 'NDMA-ADDR-01',
    family: 'data-path',
    level: 'MUST',
    statement:
      'The provider programs the engine with every bit of the CompletionPhysicalAddress NetDMA gives ProviderAllocateDmaChannel: when the handler returns, no engine channel\'s CHANCMP holds the address\'s low 32 bits under another high dword (a 64-bit address kept in 32 bits).',
    sources: {
      facts: ['F19c', 'F25', 'F33'],
      docs: ['conceptual/allocating-a-netdma-channel.md', 'ddi/nc-netdma-dma_channel_allocate_handler.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: [],
    quote: {
      doc: 'conceptual/allocating-a-netdma-channel.md',
      text: 'The virtual and physical address of the memory location that the NetDMA provider must use to write the completion status of a DMA operation on the DMA channel.',
    },
  },
  {
    id: 'NDMA-ADDR-02',
    family: 'data-path',
    level: 'MUST',
    statement:
      'The provider starts the engine at every bit of the DescriptorPhysicalAddress NetDMA gives ProviderStartDma: when the handler returns, no engine channel\'s CHAINADDR holds the address\'s low 32 bits under another high dword (a 64-bit address kept in 32 bits).',
    sources: {
      facts: ['F27', 'F27b'],
      docs: ['conceptual/starting-a-dma-transfer.md', 'ddi/nc-netdma-dma_start_handler.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: [],
    quote: {
      doc: 'conceptual/starting-a-dma-transfer.md',
      text: 'That is, the NetDMA provider must ignore the NextDescriptor member in the current NET_DMA_DESCRIPTOR structure and load the descriptor that ProviderStartDma specifies.',
    },
  },
] as const satisfies readonly RuleInput[];
