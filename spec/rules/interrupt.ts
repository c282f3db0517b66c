/**
 * Interrupt rules: the provider's ISR and DPC and how they report completions to NetDMA.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** Interrupt rules (family `interrupt`). */
export const INTERRUPT_RULES = [
  {
    id: 'NDMA-INT-01',
    family: 'interrupt',
    level: 'DERIVED',
    statement:
      'The provider\'s ISR, for each channel interrupt it claims, calls NetDmaIsr with that channel\'s NetDmaChannelHandle and the physical address of the channel\'s last completed descriptor.',
    sources: {
      facts: ['F12a', 'F12c', 'F41', 'F49'],
      docs: ['ddi/nf-netdma-netdmaisr.md', 'conceptual/handling-a-netdma-interrupt.md', 'conceptual/completing-a-dma-transfer.md'],
    },
    checkedBy: ['interrupt-property'],
    ambiguities: [],
    reading:
      'The NetDmaIsr page has the ISR call NetDmaIsr with the channel handle and the last completed descriptor\'s physical address; the suite reads that every claimed channel interrupt makes that call (the page describes it, no must-sentence).',
  },
  {
    id: 'NDMA-INT-02',
    family: 'interrupt',
    level: 'MUST',
    statement:
      'The provider targets the channel\'s DPC, with KeSetTargetProcessorDpc before queuing it, at the CPU that NetDmaIsr wrote to *pCpuNumber.',
    sources: {
      facts: ['F12b', 'F49'],
      docs: [
        'conceptual/handling-a-netdma-interrupt.md',
        'ddi/nf-netdma-netdmaisr.md',
        'wdm-pnp/linked/nf-ntddk-kesettargetprocessordpc.md',
      ],
    },
    checkedBy: ['interrupt-property'],
    ambiguities: [],
    reading:
      'Which CPU NetDmaIsr writes is NetDMA\'s: the page says only "the CPU that is associated with the interrupt DPC". The simulated NetDMA usually returns the channel\'s CpuNumber, and sometimes another CPU of the ProcessorAffinityMask it gave for the channel (issue 13), so a provider that targets the DPC only at allocation, or after queuing it, is seen. A DPC may run on any CPU NetDmaIsr returned for the channel since the channel\'s previous NetDmaInterruptDpc (a DPC already queued is not queued again, and KeSetTargetProcessorDpc does not move a queued DPC).',
    quote: {
      doc: 'conceptual/handling-a-netdma-interrupt.md',
      text: 'The NetDMA provider must use the CPU number that pCpuNumber specifies as the target CPU for the interrupt DPC.',
    },
  },
  {
    id: 'NDMA-INT-03',
    family: 'interrupt',
    level: 'DERIVED',
    statement:
      'The provider\'s DPC calls NetDmaInterruptDpc with the channel\'s NetDmaChannelHandle and either the physical address of the channel\'s last completed descriptor or NULL, which after an error reports the error and otherwise, as a call made for a reason other than a DMA completion, reports nothing and never takes the place of reporting a completed descriptor that asked for an interrupt.',
    sources: {
      facts: ['F13', 'F13a', 'F41'],
      docs: ['ddi/nf-netdma-netdmainterruptdpc.md', 'ddi/with-syntax-2018-03/nf-netdma-netdmainterruptdpc.md', 'conceptual/handling-a-netdma-interrupt-dpc.md'],
    },
    checkedBy: ['interrupt-property'],
    ambiguities: ['A5'],
  },
  {
    id: 'NDMA-INT-04',
    family: 'interrupt',
    level: 'DERIVED',
    statement:
      'The provider connects MSI-X interrupts on a machine that supports MSI-X, message-signaled interrupts on a machine with MSI only, and line-based interrupts only on a machine without MSI.',
    sources: {
      facts: ['F46'],
      docs: ['conceptual/managing-netdma-interrupts.md', 'wdm-pnp/linked/interrupt-affinity-and-priority.md'],
    },
    checkedBy: ['kernel-verifier', 'interrupt-property'],
    ambiguities: ['A15'],
  },
  {
    id: 'NDMA-INT-05',
    family: 'interrupt',
    level: 'SHOULD',
    statement:
      'The provider, after a descriptor with NET_DMA_INTERRUPT_ON_COMPLETION has been processed, calls NetDmaIsr and then NetDmaInterruptDpc for that channel reporting that descriptor or a later one.',
    sources: {
      facts: ['F34', 'F35', 'F41', 'F12c'],
      docs: ['conceptual/completing-a-dma-transfer.md', 'ddi/ns-netdma-_net_dma_descriptor.md'],
    },
    checkedBy: ['interrupt-property'],
    ambiguities: [],
    quote: {
      doc: 'ddi/ns-netdma-_net_dma_descriptor.md',
      text: 'The DMA engine should generate an interrupt for the associated DMA channel after it processes this DMA descriptor.',
    },
  },
  {
    id: 'NDMA-INT-06',
    family: 'interrupt',
    level: 'SHOULD',
    statement:
      'The provider\'s ISR does only what is needed to claim and acknowledge the interrupt and call NetDmaIsr, and leaves completion processing to the DPC.',
    sources: {
      facts: ['F12d'],
      docs: ['ddi/nf-netdma-netdmaisr.md', 'conceptual/handling-a-netdma-interrupt.md'],
    },
    checkedBy: ['interrupt-property'],
    ambiguities: [],
    quote: {
      doc: 'ddi/nf-netdma-netdmaisr.md',
      text: 'A DMA provider driver should do as little work as possible in its ISR handler.',
    },
  },
  {
    id: 'NDMA-INT-07',
    family: 'interrupt',
    level: 'DERIVED',
    statement:
      'The provider keeps its interrupts connected and its ISR and DPC working until NetDmaProviderStop has returned, because NetDmaProviderStop waits for outstanding DMA to complete.',
    sources: {
      facts: ['F11d', 'F122'],
      docs: ['ddi/nf-netdma-netdmaproviderstop.md', 'conceptual/stopping-a-netdma-provider.md'],
    },
    checkedBy: ['interrupt-property'],
    ambiguities: [],
    reading:
      'NetDmaProviderStop waits for outstanding DMA to complete, which needs the completion interrupts and DPCs; the suite reads that they keep working until it returns.',
  },
  {
    id: 'NDMA-INT-08',
    family: 'interrupt',
    level: 'SHOULD',
    statement:
      'The provider on an MSI-X machine routes each allocated channel\'s interrupt to the CpuNumber it reported from ProviderAllocateDmaChannel, unless no MSI-X message targets that CPU.',
    sources: {
      facts: ['F19f', 'F47', 'F53'],
      docs: ['ddi/ns-netdma-_net_dma_channel_parameters.md', 'conceptual/managing-netdma-interrupts.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: ['A15'],
    quote: {
      doc: 'ddi/ns-netdma-_net_dma_channel_parameters.md',
      text: 'If the DMA engine and computer configuration support MSI-X, the interrupt should also be associated with the indicated CPU number, unless there was no MSI-X interrupt available for the indicated CPU.',
    },
  },
] as const satisfies readonly RuleInput[];
