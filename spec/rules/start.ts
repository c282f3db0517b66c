/**
 * Rules for IRP_MN_START_DEVICE, NetDmaProviderStart and NET_DMA_PROVIDER_ATTRIBUTES, and for
 * the pairing of NetDmaProviderStart with NetDmaProviderStop.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** START rules (family `start`). */
export const START_RULES = [
  {
    id: 'PNP-START-01',
    family: 'start',
    level: 'MUST',
    statement:
      'The FDO passes IRP_MN_START_DEVICE down with a completion routine and does its own start work only after the lower drivers have completed the IRP.',
    sources: {
      facts: ['F103', 'F105', 'F121'],
      docs: [
        'wdm-pnp/irp-mn-start-device.md',
        'wdm-pnp/starting-a-device-in-a-function-driver.md',
        'wdm-pnp/postponing-pnp-irp-processing-until-lower-drivers-finish.md',
      ],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/postponing-pnp-irp-processing-until-lower-drivers-finish.md',
      text: 'For such an IRP, function and filter drivers must set an I/O completion routine, pass the IRP to the next-lower driver, and postpone any activities to process the IRP until the lower drivers have finished with the IRP.',
    },
  },
  {
    id: 'PNP-START-02',
    family: 'start',
    level: 'MUST',
    statement:
      'The FDO that sees a lower driver fail IRP_MN_START_DEVICE does not start the engine or call NetDmaProviderStart, and completes the IRP with the lower driver\'s status.',
    sources: {
      facts: ['F105', 'F106'],
      docs: ['wdm-pnp/irp-mn-start-device.md', 'wdm-pnp/starting-a-device-in-a-function-driver.md', 'wdm-pnp/postponing-pnp-irp-processing-until-lower-drivers-finish.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/postponing-pnp-irp-processing-until-lower-drivers-finish.md',
      text: 'If Irp->IoStatus.Status is set to an error, a lower driver has failed the IRP and the function driver must not continue handling the IRP (except for any necessary cleanup).',
    },
  },
  {
    id: 'PNP-START-03',
    family: 'start',
    level: 'DERIVED',
    statement:
      'The provider calls NetDmaProviderStart exactly once for each IRP_MN_START_DEVICE that it completes with success, including a restart after IRP_MN_STOP_DEVICE.',
    sources: {
      facts: ['F10', 'F10a', 'F10c', 'F11c', 'F124', 'F42'],
      docs: [
        'conceptual/starting-a-netdma-provider.md',
        'ddi/nf-netdma-netdmaproviderstart.md',
        'ddi/nf-netdma-netdmaproviderstop.md',
      ],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    reading:
      'The starting page has the provider call NetDmaProviderStart when it starts the engine for IRP_MN_START_DEVICE and the stopping page NetDmaProviderStop on stop; the suite reads one NetDmaProviderStart per successful START, restarts included (no must-sentence counts the calls).',
  },
  {
    id: 'PNP-START-04',
    family: 'start',
    level: 'DERIVED',
    statement:
      'The provider calls NetDmaProviderStart only after it has mapped the engine\'s registers, connected its interrupts and initialized every channel, so that it can serve channel allocations and transfers from the moment of the call.',
    sources: {
      facts: ['F10a', 'F10b', 'F121'],
      docs: ['conceptual/starting-a-netdma-provider.md', 'ddi/nf-netdma-netdmaproviderstart.md'],
    },
    checkedBy: ['lifecycle-model', 'kernel-verifier'],
    ambiguities: ['A7'],
  },
  {
    id: 'PNP-START-05',
    family: 'start',
    level: 'DERIVED',
    statement: 'The provider sets NET_DMA_PROVIDER_ATTRIBUTES.Size to sizeof(NET_DMA_PROVIDER_ATTRIBUTES).',
    sources: {
      facts: ['F18'],
      docs: ['ddi/ns-netdma-_net_dma_provider_attributes.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: ['A3'],
  },
  {
    id: 'PNP-START-06',
    family: 'start',
    level: 'DERIVED',
    statement: 'The provider sets NET_DMA_PROVIDER_ATTRIBUTES.Flags to 0, since the member is reserved.',
    sources: {
      facts: ['F18'],
      docs: ['ddi/ns-netdma-_net_dma_provider_attributes.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'The attributes page marks Flags as reserved, without a must; the suite reads a reserved member as zero, as Windows structures\' reserved members are.',
  },
  {
    id: 'PNP-START-07',
    family: 'start',
    level: 'DERIVED',
    statement: 'The provider sets NET_DMA_PROVIDER_ATTRIBUTES.VendorId to the PCI vendor id read from the engine\'s configuration space.',
    sources: {
      facts: ['F18'],
      docs: ['ddi/ns-netdma-_net_dma_provider_attributes.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'The attributes page describes VendorId as the engine\'s PCI vendor id without a must; the suite reads it as the id in the engine\'s configuration space, the only source of it.',
  },
  {
    id: 'PNP-START-08',
    family: 'start',
    level: 'DERIVED',
    statement:
      'The provider sets NET_DMA_PROVIDER_ATTRIBUTES.DmaChannelCount to at least 1, at most the MaxDmaChannelCount it registered, and at most the number of channels the engine has.',
    sources: {
      facts: ['F18', 'F17e', 'F8f'],
      docs: ['ddi/ns-netdma-_net_dma_provider_attributes.md', 'conceptual/registering-a-netdma-provider.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: ['A15'],
  },
  {
    id: 'PNP-START-09',
    family: 'start',
    level: 'MUST',
    statement:
      'The provider sets NET_DMA_PROVIDER_ATTRIBUTES.MaximumTransferSize to at least 4096 bytes and to no more than the engine can copy with one descriptor.',
    sources: {
      facts: ['F18'],
      docs: ['ddi/ns-netdma-_net_dma_provider_attributes.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    quote: {
      doc: 'ddi/ns-netdma-_net_dma_provider_attributes.md',
      text: 'This value can must be 4 KB or greater.',
    },
  },
  {
    id: 'PNP-START-10',
    family: 'start',
    level: 'MUST',
    statement: 'The FDO completes an IRP_MN_START_DEVICE that it handled successfully with STATUS_SUCCESS.',
    sources: {
      facts: ['F104', 'F105'],
      docs: ['wdm-pnp/irp-mn-start-device.md', 'wdm-pnp/dispatchpnp-routines.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/dispatchpnp-routines.md',
      text: 'For consistency and robustness, a driver must set the IRP status to success for each PnP IRP it handles successfully.',
    },
  },
  {
    id: 'PNP-START-11',
    family: 'start',
    level: 'DERIVED',
    statement:
      'The provider connects interrupts and maps registers with the translated resources (AllocatedResourcesTranslated) of the IRP_MN_START_DEVICE being handled, not with those of an earlier start.',
    sources: {
      facts: ['F105', 'F110'],
      docs: ['wdm-pnp/irp-mn-start-device.md', 'wdm-pnp/starting-a-device-in-a-function-driver.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'The start page says a driver should examine the resources of the IRP_MN_START_DEVICE it handles and must map its translated memory resources; since a stop and restart exists to rebalance resources, the suite reads that the resources of the START being handled are used, not an earlier start\'s.',
  },
  {
    id: 'PNP-START-12',
    family: 'start',
    level: 'DERIVED',
    statement:
      'The provider sets NET_DMA_PROVIDER_ATTRIBUTES.MaximumAddressSpace to a nonzero physical address no higher than the highest one the engine can reach, which for the I/OAT-class engine, whose address registers are 64 bits wide and report no narrower width, is 0xFFFFFFFFFFFFFFFF.',
    sources: {
      facts: ['F18'],
      docs: ['ddi/ns-netdma-_net_dma_provider_attributes.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'The attributes page describes MaximumAddressSpace as the highest physical address the engine can use, without a must; the suite reads a nonzero value no higher than the engine reaches, which for the I/OAT-class engine\'s 64-bit address registers is all ones.',
  },
  {
    id: 'NDMA-START-01',
    family: 'start',
    level: 'DERIVED',
    statement:
      'The provider calls NetDmaProviderStart only for a registered provider that is not started, so that a START reaching an already started device is preceded by NetDmaProviderStop.',
    sources: {
      facts: ['F11c', 'F10c', 'F105'],
      docs: ['ddi/nf-netdma-netdmaproviderstart.md', 'conceptual/stopping-a-netdma-provider.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'The pages pair NetDmaProviderStart with NetDmaProviderStop and describe no second start of a started provider; the suite reads that a started provider is stopped before it is started again.',
  },
  {
    id: 'NDMA-STOP-01',
    family: 'start',
    level: 'DERIVED',
    statement:
      'The provider calls NetDmaProviderStop only between its NetDmaRegisterProvider and its NetDmaDeregisterProvider, whether or not the provider is started at the time (a never-started or already-stopped provider may be stopped).',
    sources: {
      facts: ['F42', 'F9', 'F11b', 'F11c'],
      docs: [
        'conceptual/deregistering-a-netdma-provider.md',
        'ddi/nf-netdma-netdmaproviderstop.md',
        'ddi/nf-netdma-netdmaderegisterprovider.md',
      ],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: ['A13'],
  },
] as const satisfies readonly RuleInput[];
