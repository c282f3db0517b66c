/**
 * Copy data-path rules: what the engine does with the descriptors NetDMA submits through
 * ProviderStartDma / ProviderAppendDma, and how Suspend, Resume, Abort and Reset behave.
 * Checked by the copy workloads against the reference engine model.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** Data-path rules (family `data-path`). */
export const DATA_PATH_RULES = [
  {
    id: 'NDMA-DP-01',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'The engine, for each completed descriptor that is not a NULL transfer, leaves in the TransferSize bytes at DestinationAddress exactly the bytes found at SourceAddress.',
    sources: {
      facts: ['F23a', 'F6', 'F3'],
      docs: ['ddi/ns-netdma-_net_dma_descriptor.md', 'conceptual/starting-a-dma-transfer.md', 'conceptual/netdma-drivers.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: [],
    reading:
      'The descriptor page defines a transfer as a copy of TransferSize bytes from SourceAddress to DestinationAddress; the suite\'s byte oracle holds each completed descriptor to that definition (it is what the operation is, not a must-sentence).',
  },
  {
    id: 'NDMA-DP-02',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'The engine never modifies a source range and never writes memory other than the destination ranges of submitted descriptors and the channel\'s completion address.',
    sources: {
      facts: ['F23', 'F19c', 'F33'],
      docs: ['ddi/ns-netdma-_net_dma_descriptor.md', 'ddi/ns-netdma-_net_dma_channel_parameters.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: [],
    reading:
      'The descriptor and channel-parameter pages name the destination ranges and the completion address as what the engine writes; the suite reads any other write, or a write to a source range, as stray DMA.',
  },
  {
    id: 'NDMA-DP-03',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'The engine, after it processes a descriptor with NET_DMA_STATUS_UPDATE_ON_COMPLETION, writes to the channel\'s CompletionPhysicalAddress the 64-bit value of that descriptor\'s physical address ORed with the transfer status in the low bits, and writes no completion word after a descriptor without the flag.',
    sources: {
      facts: ['F33', 'F34', 'F35', 'F19c'],
      docs: [
        'conceptual/completing-a-dma-transfer.md',
        'ddi/ns-netdma-_net_dma_channel_parameters.md',
        'ddi/ns-netdma-_net_dma_descriptor.md',
      ],
    },
    checkedBy: ['datapath-property'],
    ambiguities: ['A1', 'A2'],
  },
  {
    id: 'NDMA-DP-04',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'The engine reports in the completion word NetDmaTransferStatusActive (0) when more submitted descriptors remain, NetDmaTransferStatusIdle (1) when the reported descriptor is the last one submitted, NetDmaTransferStatusSuspend (2) when ProviderSuspendDma stopped the channel, and NetDmaTransferStatusHalted (3) after ProviderAbortDma, ProviderResetChannel or an error.',
    sources: {
      facts: ['F33', 'F29', 'F31', 'F32'],
      docs: [
        'conceptual/completing-a-dma-transfer.md',
        'ddi/ns-netdma-_net_dma_channel_parameters.md',
        'conceptual/aborting-a-dma-transfer.md',
      ],
    },
    checkedBy: ['datapath-property'],
    ambiguities: ['A2'],
  },
  {
    id: 'NDMA-DP-05',
    family: 'data-path',
    level: 'MUST',
    statement:
      'The engine processes a NULL or zero-length transfer descriptor like any other, writing its completion status and raising its interrupt as its ControlFlags request, but moves no data.',
    sources: {
      facts: ['F38', 'F35'],
      docs: ['conceptual/supporting-null-dma-transfers.md', 'ddi/ns-netdma-_net_dma_descriptor.md'],
    },
    checkedBy: ['datapath-property', 'interrupt-property'],
    ambiguities: [],
    quote: {
      doc: 'conceptual/supporting-null-dma-transfers.md',
      text: 'DMA providers must support NULL transfers and process the associated DMA descriptor as they would for other DMA descriptors, except that no data transfer should take place.',
    },
  },
  {
    id: 'NDMA-DP-06',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'The provider\'s ProviderStartDma lets the engine finish the current descriptor, then discards the rest of the old list, ignoring the current descriptor\'s NextDescriptor, and continues with the descriptor it was given.',
    sources: {
      facts: ['F27b', 'F27c'],
      docs: ['ddi/nc-netdma-dma_start_handler.md', 'conceptual/starting-a-dma-transfer.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: ['A5'],
  },
  {
    id: 'NDMA-DP-07',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'The 1.x provider\'s ProviderAppendDma makes an engine that has stopped on, or is processing, the old tail descriptor re-read that descriptor\'s NextDescriptor, so that the appended chain is processed up to its NULL NextDescriptor.',
    sources: {
      facts: ['F28', 'F36'],
      docs: [
        'conceptual/appending-dma-descriptors-to-a-dma-channel.md',
        'ddi/nc-netdma-dma_append_handler.md',
        'conceptual/extensions-to-chained-descriptors.md',
      ],
    },
    checkedBy: ['datapath-property'],
    ambiguities: ['A9'],
    interfaceVersions: ['1.0', '1.1'],
  },
  {
    id: 'NDMA-DP-08',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'The 2.0 provider processes exactly DescriptorCount more descriptors for each ProviderStartDma or ProviderAppendDma, following NextDescriptor links without expecting a NULL terminator, and never processes the descriptor the tail\'s NextDescriptor points to before it is appended.',
    sources: {
      facts: ['F36', 'F27d', 'F28'],
      docs: [
        'conceptual/extensions-to-chained-descriptors.md',
        'ddi/nc-netdma-dma_append_handler.md',
        'ddi/nc-netdma-dma_start_handler.md',
      ],
    },
    checkedBy: ['datapath-property'],
    ambiguities: ['A9'],
    interfaceVersions: ['2.0'],
  },
  {
    id: 'NDMA-DP-09',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'The provider\'s ProviderSuspendDma completes the current descriptor before it returns, writes the physical address of the last processed descriptor to *pLastDescriptor, and leaves the engine processing no further descriptor until ProviderResumeDma.',
    sources: {
      facts: ['F29', 'F33'],
      docs: ['ddi/nc-netdma-dma_suspend_handler.md', 'conceptual/suspending-and-resuming-a-dma-transfer.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: ['A5'],
  },
  {
    id: 'NDMA-DP-10',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'The provider\'s ProviderResumeDma makes the engine reload the last processed descriptor and follow its current NextDescriptor, so that changes NetDMA made to the list while the channel was suspended take effect.',
    sources: {
      facts: ['F30', 'F29'],
      docs: ['ddi/nc-netdma-dma_resume_handler.md', 'conceptual/suspending-and-resuming-a-dma-transfer.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: ['A16'],
  },
  {
    id: 'NDMA-DP-11',
    family: 'data-path',
    level: 'SHOULD',
    statement:
      'The provider\'s ProviderAbortDma and ProviderResetChannel stop the active transfer immediately, without completing the data transfer of the current descriptor.',
    sources: {
      facts: ['F31', 'F32'],
      docs: [
        'ddi/nc-netdma-dma_abort_handler.md',
        'conceptual/aborting-a-dma-transfer.md',
        'conceptual/resetting-a-dma-channel.md',
      ],
    },
    checkedBy: ['datapath-property'],
    ambiguities: [],
    quote: {
      doc: 'ddi/nc-netdma-dma_abort_handler.md',
      text: 'In ProviderAbortDma, the DMA provider should terminate the transfer immediately without completing the transfer of the data that is associated with the current DMA descriptor.',
    },
  },
  {
    id: 'NDMA-DP-12',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'The provider\'s ProviderAbortDma returns only when the engine has stopped, after which no descriptor of the aborted list is processed, NetDmaTransferStatusHalted has been written if status reporting was on, and the channel accepts ProviderStartDma.',
    sources: {
      facts: ['F31', 'F27a', 'F33'],
      docs: ['ddi/nc-netdma-dma_abort_handler.md', 'conceptual/aborting-a-dma-transfer.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: ['A6'],
  },
  {
    id: 'NDMA-DP-13',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'The provider\'s ProviderResetChannel returns with the channel in its just-allocated state, NetDmaTransferStatusHalted written if status reporting was on, no previously submitted descriptor touched afterwards, and the channel ready for ProviderStartDma.',
    sources: {
      facts: ['F32', 'F27a'],
      docs: ['ddi/nc-netdma-dma_reset_handler.md', 'conceptual/resetting-a-dma-channel.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: ['A6'],
  },
  {
    id: 'NDMA-DP-14',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'The 2.0 provider copies a descriptor with NET_DMA_SOURCE_PAGE_BREAK or NET_DMA_DESTINATION_PAGE_BREAK by switching, at the end of the 4 KB page of SourceAddress or DestinationAddress, to the page-aligned NextSourceAddress or NextDestinationAddress, the two sides independently.',
    sources: {
      facts: ['F37', 'F23c'],
      docs: ['conceptual/source-and-destination-page-break.md', 'ddi/ns-netdma-_net_dma_descriptor.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: [],
    interfaceVersions: ['2.0'],
    reading:
      'The page-break page describes the second part of the source or destination at the page-aligned Next address; the suite reads that the engine switches there at the end of the first page, each side on its own flag (the page states the client\'s must, not the engine\'s).',
  },
  {
    id: 'NDMA-DP-15',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'The engine completes all writes of a descriptor with NET_DMA_SERIALIZE_TRANSFER, data and completion status, before it reads the source data of the next descriptor.',
    sources: {
      facts: ['F35'],
      docs: ['ddi/ns-netdma-_net_dma_descriptor.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: [],
    reading:
      'The descriptor page says that with NET_DMA_SERIALIZE_TRANSFER the DMA engine guarantees all writes of the descriptor complete before it reads the next one (a guarantee, not a must-sentence); the suite holds the engine to it.',
  },
  {
    id: 'NDMA-DP-16',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'The provider copies every descriptor whose TransferSize is at most the MaximumTransferSize it reported at NetDmaProviderStart, without rejecting, truncating or splitting it visibly.',
    sources: {
      facts: ['F18', 'F23a'],
      docs: ['ddi/ns-netdma-_net_dma_provider_attributes.md', 'ddi/ns-netdma-_net_dma_descriptor.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: [],
    reading:
      'The provider reports MaximumTransferSize as the largest transfer a descriptor may carry; the suite reads that every descriptor up to it is copied whole.',
  },
  {
    id: 'NDMA-DP-17',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'The engine performs no DMA for the provider after NetDmaProviderStop has returned, and none after the provider has released its hardware resources.',
    sources: {
      facts: ['F11d', 'F26', 'F107', 'F114'],
      docs: [
        'ddi/nf-netdma-netdmaproviderstop.md',
        'conceptual/stopping-a-netdma-provider.md',
        'wdm-pnp/irp-mn-stop-device.md',
      ],
    },
    checkedBy: ['datapath-property', 'kernel-verifier'],
    ambiguities: [],
    reading:
      'NetDmaProviderStop waits for outstanding DMA and the hardware resources are gone after STOP or REMOVE; the suite reads any later DMA as DMA to memory the system may have reused (no must-sentence).',
  },
  {
    id: 'NDMA-DP-18',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'The provider reports a channel error by calling NetDmaInterruptDpc with a NULL DmaDescriptor (QuadPart 0) and never reports an error as a successful completion.',
    sources: {
      facts: ['F13a', 'F33'],
      docs: ['conceptual/handling-a-netdma-interrupt-dpc.md', 'ddi/nf-netdma-netdmainterruptdpc.md'],
    },
    checkedBy: ['datapath-property', 'interrupt-property'],
    ambiguities: ['A5'],
  },
  {
    id: 'NDMA-DP-19',
    family: 'data-path',
    level: 'DERIVED',
    statement: 'The provider and its engine never write the UserContext1 or UserContext2 member of a descriptor.',
    sources: {
      facts: ['F23d'],
      docs: ['ddi/ns-netdma-_net_dma_descriptor.md', 'conceptual/starting-a-dma-transfer.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: [],
    reading:
      'The descriptor page reserves UserContext1 and UserContext2 for the NetDMA interface; the suite reads that the provider and its engine never write them.',
  },
  {
    id: 'NDMA-DP-20',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'The provider treats a standard descriptor whose ControlFlags has no flag set (operation type 0) as a plain copy with no status write and no interrupt.',
    sources: {
      facts: ['F35', 'F34'],
      docs: ['ddi/ns-netdma-_net_dma_descriptor.md', 'conceptual/completing-a-dma-transfer.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: ['A10'],
  },
  {
    id: 'NDMA-DP-21',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'The engine names a descriptor in the completion word only when that descriptor and every descriptor submitted before it on the channel have been processed.',
    sources: {
      facts: ['F33', 'F38', 'F41'],
      docs: ['conceptual/completing-a-dma-transfer.md', 'conceptual/supporting-null-dma-transfers.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: [],
    reading:
      'The completion word reports the last descriptor processed and NetDMA completes every descriptor up to it; the suite reads that it never names a descriptor before all earlier ones are done (the completing page implies it, no must-sentence).',
  },
  {
    id: 'NDMA-DP-22',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'The engine processes no descriptor of a channel after ProviderFreeDmaChannel for that channel has returned.',
    sources: {
      facts: ['F26', 'F11d'],
      docs: ['ddi/nc-netdma-dma_channel_free_handler.md', 'conceptual/freeing-a-netdma-channel.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: [],
    reading:
      'The freeing page ends the channel\'s use at ProviderFreeDmaChannel, after which NetDMA reuses the descriptors\' memory; the suite reads any later descriptor processing as stray DMA.',
  },
] as const satisfies readonly RuleInput[];
