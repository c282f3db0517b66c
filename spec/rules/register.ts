/**
 * Rules for NetDmaRegisterProvider, the NET_DMA_PROVIDER_CHARACTERISTICS structure, and
 * NetDmaDeregisterProvider.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** Registration rules (family `register`). */
export const REGISTER_RULES = [
  {
    id: 'NDMA-REG-01',
    family: 'register',
    level: 'MUST',
    statement:
      'The provider registers with a MajorVersion.MinorVersion no higher than the NetDMA interface version, which is what NetDmaGetVersion returns or 1.0 when that routine cannot be found.',
    sources: {
      facts: ['F14b', 'F17a', 'F14a'],
      docs: [
        'ddi/nf-netdma-netdmagetversion.md',
        'ddi/ns-netdma-_net_dma_provider_characteristics.md',
        'conceptual/netdma-2-0-extensions-for-netdma-1-1-and-later-providers.md',
      ],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    quote: {
      doc: 'ddi/nf-netdma-netdmagetversion.md',
      text: 'A NetDMA provider must register as a NetDMA provider with a version equal to or lower than the NetDMA provider interface version that the local computer supports.',
    },
  },
  {
    id: 'NDMA-REG-02',
    family: 'register',
    level: 'DERIVED',
    statement:
      'The provider sets NET_DMA_PROVIDER_CHARACTERISTICS.Size to sizeof(NET_DMA_PROVIDER_CHARACTERISTICS) for the NetDMA version it registers as.',
    sources: {
      facts: ['F17b', 'F17g', 'F17'],
      docs: ['ddi/ns-netdma-_net_dma_provider_characteristics.md', 'conceptual/registering-a-netdma-provider.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: ['A3'],
  },
  {
    id: 'NDMA-REG-03',
    family: 'register',
    level: 'DERIVED',
    statement:
      'The provider sets NET_DMA_PROVIDER_CHARACTERISTICS.Flags to 0 when it registers as 1.0 or 1.1, and a 2.0 provider sets no bit other than NET_DMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED (0x1) and, on Windows 7, NET_DMA_PROVIDER_SUPPORTS_PROC_GROUPS (0x2).',
    sources: {
      facts: ['F17c', 'F40'],
      docs: ['ddi/ns-netdma-_net_dma_provider_characteristics.md', 'conceptual/direct-cache-access--dca-.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: ['A2'],
  },
  {
    id: 'NDMA-REG-04',
    family: 'register',
    level: 'DERIVED',
    statement:
      'The provider sets NET_DMA_PROVIDER_CHARACTERISTICS.PhysicalDeviceObject to the PDO that the PnP manager passed to the AddDevice call that registers it.',
    sources: {
      facts: ['F17d', 'F8d'],
      docs: ['ddi/ns-netdma-_net_dma_provider_characteristics.md', 'conceptual/registering-a-netdma-provider.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'The characteristics page describes PhysicalDeviceObject as the engine\'s PDO without a must; the suite reads it as the PDO that the registering AddDevice was given, the only PDO the driver holds for that engine (NetDMA in Windows keys the provider to it).',
  },
  {
    id: 'NDMA-REG-05',
    family: 'register',
    level: 'DERIVED',
    statement: 'The provider sets NET_DMA_PROVIDER_CHARACTERISTICS.MaxDmaChannelCount to at least 1, since every engine has at least one channel.',
    sources: {
      facts: ['F17e', 'F6'],
      docs: ['ddi/ns-netdma-_net_dma_provider_characteristics.md', 'conceptual/introduction-to-the-netdma-interface.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'The characteristics page gives MaxDmaChannelCount as the engine\'s channel count without a lower bound; an engine has at least one channel, so the suite reads 0 as an invalid registration.',
  },
  {
    id: 'NDMA-REG-06',
    family: 'register',
    level: 'DERIVED',
    statement:
      'The provider sets the four mandatory handlers ProviderAllocateDmaChannel, ProviderFreeDmaChannel, ProviderStartDma and ProviderAppendDma to non-NULL entry points.',
    sources: {
      facts: ['F17h'],
      docs: ['conceptual/netdma-provider-services.md', 'ddi/ns-netdma-_net_dma_provider_characteristics.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'The characteristics page and the provider-services page describe Allocate, Free, Start and Append as the handlers NetDMA calls for every channel and Suspend, Resume, Abort, Reset and the affinity handler as optional; the suite reads the first four as mandatory entry points (no must-sentence says so).',
  },
  {
    id: 'NDMA-REG-07',
    family: 'register',
    level: 'DERIVED',
    statement: 'The provider that sets ProviderSuspendDma to a non-NULL handler also sets ProviderResumeDma to a non-NULL handler.',
    sources: {
      facts: ['F17h', 'F30'],
      docs: ['conceptual/suspending-and-resuming-a-dma-transfer.md', 'ddi/nc-netdma-dma_resume_handler.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: ['A16'],
  },
  {
    id: 'NDMA-REG-08',
    family: 'register',
    level: 'MUST',
    statement:
      'The provider that registers as NetDMA 2.0 sets FriendlyName to a non-empty UNICODE_STRING that describes the engine to the user.',
    sources: {
      facts: ['F17f', 'F5'],
      docs: [
        'conceptual/specifying-a-netdma-provider-friendly-name.md',
        'ddi/ns-netdma-_net_dma_provider_characteristics.md',
      ],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    interfaceVersions: ['2.0'],
    quote: {
      doc: 'conceptual/specifying-a-netdma-provider-friendly-name.md',
      text: 'For improved manageability and testing, NetDMA 2.0 providers and later must provide a friendly name for the provider in the FriendlyName member of the NET_DMA_PROVIDER_CHARACTERISTICS structure.',
    },
  },
  {
    id: 'NDMA-REG-09',
    family: 'register',
    level: 'DERIVED',
    statement:
      'The provider running on an MSI-X machine sets ProviderSetDmaChannelCpuAffinity to a non-NULL handler that works when NetDMA calls it from inside NetDmaRegisterProvider, before the provider handle has been written back, and that returns either STATUS_SUCCESS after storing every channel\'s target CPU or one of the documented failure statuses STATUS_RESOURCES (STATUS_INSUFFICIENT_RESOURCES) and STATUS_UNSUCCESSFUL, which fail the registration.',
    sources: {
      facts: ['F8e', 'F24', 'F47', 'F120'],
      docs: [
        'ddi/nf-netdma-netdmaregisterprovider.md',
        'ddi/nc-netdma-dma_channels_cpu_affinity_handler.md',
        'conceptual/setting-the-netdma-interrupt-cpu-affinities.md',
        'conceptual/managing-netdma-interrupts.md',
      ],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: ['A8', 'A5', 'A4'],
  },
  {
    id: 'NDMA-REG-10',
    family: 'register',
    level: 'MUST',
    statement:
      'The provider that can load on a NetDMA 1.0 interface finds NetDmaGetVersion and NetDmaPnPEventNotify only through NdisGetRoutineAddress, treats a NULL result as interface 1.0, and registers with a version that interface supports.',
    sources: {
      facts: ['F14a', 'F15a', 'F14b'],
      docs: [
        'conceptual/netdma-2-0-extensions-for-netdma-1-1-and-later-providers.md',
        'ddi/nf-netdma-netdmagetversion.md',
        'wdm-pnp/linked/nf-ndis-ndisgetroutineaddress.md',
      ],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    quote: {
      doc: 'conceptual/netdma-2-0-extensions-for-netdma-1-1-and-later-providers.md',
      text: 'To avoid using a function import that might stop the driver from loading, a NetDMA 1.1 or later provider driver must verify the presence of NetDmaGetVersion before it calls NetDmaGetVersion to obtain the NetDMA version.',
    },
  },
  {
    id: 'NDMA-REG-11',
    family: 'register',
    level: 'DERIVED',
    statement:
      'The provider passes NetDmaRegisterProvider a ProviderContext that stays valid until NetDmaDeregisterProvider has returned, because NetDMA hands it back to ProviderSetDmaChannelCpuAffinity and ProviderAllocateDmaChannel.',
    sources: {
      facts: ['F8b', 'F24', 'F25'],
      docs: ['ddi/nf-netdma-netdmaregisterprovider.md', 'ddi/nc-netdma-dma_channel_allocate_handler.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'NetDMA hands ProviderContext back to the provider\'s handlers for as long as the provider is registered; the suite reads that the context stays valid until NetDmaDeregisterProvider returns (the pages describe the parameter, no sentence says must).',
  },
  {
    id: 'NDMA-DEREG-01',
    family: 'register',
    level: 'DERIVED',
    statement:
      'The provider calls NetDmaDeregisterProvider only with the handle that a successful NetDmaRegisterProvider wrote back, exactly once per registration, and uses that handle in no NetDMA call afterwards.',
    sources: {
      facts: ['F9', 'F8c'],
      docs: ['ddi/nf-netdma-netdmaderegisterprovider.md', 'conceptual/deregistering-a-netdma-provider.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: ['A5'],
  },
] as const satisfies readonly RuleInput[];
