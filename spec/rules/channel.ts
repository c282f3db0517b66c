/**
 * Channel life-cycle rules: ProviderAllocateDmaChannel and ProviderFreeDmaChannel, and the
 * NetDmaChannelHandle a provider reports interrupts with.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** Channel rules (family `channel`). */
export const CHANNEL_RULES = [
  // NDMA-CHAN-01 (issue 12, finding 11): F108 — on a granted QUERY_STOP the driver may "set
  // HOLD_NEW_REQUESTS or be ready to queue requests" (handling-an-irp-mn-query-stop-device-request...:
  // "If the device can be stopped and the driver queues IRPs, set the HOLD_NEW_REQUESTS flag in the
  // device extension so subsequent IRPs will be queued"). A channel allocation is a synchronous call
  // that cannot be queued, and ProviderAllocateDmaChannel may return STATUS_UNSUCCESSFUL (F25): NetDMA
  // then copies with the CPU, losing nothing. Decision: refusing allocations while stop-pending is
  // allowed (candidates/correct/dp-hold-stop); after CANCEL_STOP the hold must be released (faulty
  // hold-never-released, which keeps the hold after CANCEL_STOP and START), and remove-pending is no
  // such state (F111 asks only to fail creates).
  {
    id: 'NDMA-CHAN-01',
    family: 'channel',
    level: 'DERIVED',
    statement:
      'The provider succeeds ProviderAllocateDmaChannel for each of up to DmaChannelCount simultaneous channel requests from the moment NetDmaProviderStart returns, except while its device is stop-pending (after a granted QUERY_STOP, until CANCEL_STOP or STOP), when it may hold new requests by refusing them.',
    sources: {
      facts: ['F10b', 'F25', 'F18', 'F108'],
      docs: [
        'conceptual/starting-a-netdma-provider.md',
        'ddi/nf-netdma-netdmaproviderstart.md',
        'conceptual/allocating-a-netdma-channel.md',
        'wdm-pnp/handling-an-irp-mn-query-stop-device-request--windows-2000-and-later-.md',
      ],
    },
    checkedBy: ['lifecycle-model', 'datapath-property'],
    ambiguities: ['A7'],
  },
  {
    id: 'NDMA-CHAN-02',
    family: 'channel',
    level: 'DERIVED',
    statement:
      'The provider sets ChannelParameters->CpuNumber, before ProviderAllocateDmaChannel returns success, to a CPU whose bit is set in ChannelParameters->ProcessorAffinityMask, and targets the channel\'s DPC at that CPU.',
    sources: {
      facts: ['F19f', 'F19d', 'F25', 'F48'],
      docs: [
        'ddi/ns-netdma-_net_dma_channel_parameters.md',
        'conceptual/allocating-a-netdma-channel.md',
        'conceptual/setting-the-netdma-interrupt-cpu-affinities.md',
      ],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: ['A14'],
  },
  {
    id: 'NDMA-CHAN-03',
    family: 'channel',
    level: 'DERIVED',
    statement:
      'The provider returns a non-NULL channel context in *pProviderChannelContext when ProviderAllocateDmaChannel succeeds, and releases everything it took in the call when it fails.',
    sources: {
      facts: ['F25'],
      docs: ['ddi/nc-netdma-dma_channel_allocate_handler.md', 'conceptual/allocating-a-netdma-channel.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: ['A4'],
  },
  {
    id: 'NDMA-CHAN-04',
    family: 'channel',
    level: 'DERIVED',
    statement:
      'The provider calls NetDmaIsr and NetDmaInterruptDpc only with the NetDmaChannelHandle of a channel that is currently allocated, as passed to ProviderAllocateDmaChannel.',
    sources: {
      facts: ['F12a', 'F13', 'F25', 'F26'],
      docs: ['ddi/nf-netdma-netdmaisr.md', 'ddi/nf-netdma-netdmainterruptdpc.md', 'ddi/nc-netdma-dma_channel_allocate_handler.md'],
    },
    checkedBy: ['kernel-verifier', 'interrupt-property'],
    ambiguities: [],
    reading:
      'The NetDmaIsr and NetDmaInterruptDpc pages take the NetDmaChannelHandle that ProviderAllocateDmaChannel received; the suite reads a handle of a freed or never-allocated channel as an invalid handle, as NetDMA in Windows would dereference it.',
  },
  {
    id: 'NDMA-CHAN-05',
    family: 'channel',
    level: 'DERIVED',
    statement:
      'The provider on an MSI-X machine with affinities set gives ProviderAllocateDmaChannel a free channel whose interrupt CPU is in ProcessorAffinityMask whenever one exists.',
    sources: {
      facts: ['F25', 'F47', 'F19f'],
      docs: ['conceptual/allocating-a-netdma-channel.md', 'conceptual/setting-the-netdma-interrupt-cpu-affinities.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: ['A8'],
  },
  {
    id: 'NDMA-CHAN-06',
    family: 'channel',
    level: 'DERIVED',
    statement:
      'The provider makes a channel usable for transfers as soon as ProviderAllocateDmaChannel has returned success, so that the first ProviderStartDma on it succeeds.',
    sources: {
      facts: ['F25', 'F27a'],
      docs: ['ddi/nc-netdma-dma_channel_allocate_handler.md', 'ddi/nc-netdma-dma_start_handler.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: ['A6'],
  },
  {
    id: 'NDMA-CHAN-07',
    family: 'channel',
    level: 'DERIVED',
    statement:
      'The provider, once ProviderFreeDmaChannel has returned, does no more DMA and raises no more NetDMA callbacks for that channel, and can allocate the channel again.',
    sources: {
      facts: ['F26', 'F11d'],
      docs: ['ddi/nc-netdma-dma_channel_free_handler.md', 'conceptual/freeing-a-netdma-channel.md'],
    },
    checkedBy: ['datapath-property', 'interrupt-property'],
    ambiguities: [],
    reading:
      'The freeing page ends the channel\'s use at ProviderFreeDmaChannel; the suite reads that no DMA and no NetDMA callback for the channel follows, and that the channel can be allocated again (no must-sentence).',
  },
  {
    id: 'NDMA-CHAN-08',
    family: 'channel',
    level: 'DERIVED',
    statement: 'The provider never hands one hardware channel to two allocations that are live at the same time.',
    sources: {
      facts: ['F6', 'F25'],
      docs: ['conceptual/introduction-to-the-netdma-interface.md', 'conceptual/allocating-a-netdma-channel.md'],
    },
    checkedBy: ['datapath-property', 'kernel-verifier'],
    ambiguities: [],
    reading:
      'Each allocation gets a channel of its own (the introduction describes independent channels with their own registers); the suite reads one hardware channel serving two live allocations as a broken allocation.',
  },
  {
    id: 'NDMA-CHAN-09',
    family: 'channel',
    level: 'DERIVED',
    statement:
      'The provider keeps its state consistent when handlers of different channels, its ISR and its DPCs run at the same time on different processors.',
    sources: {
      facts: ['F32a', 'F25', 'F12'],
      docs: ['conceptual/netdma-provider-services.md', 'ddi/nc-netdma-dma_channel_allocate_handler.md'],
    },
    checkedBy: ['datapath-property', 'interrupt-property'],
    ambiguities: ['A11'],
  },
] as const satisfies readonly RuleInput[];
