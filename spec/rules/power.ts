/**
 * Power rules: NetDmaPnPEventNotify around device power transitions, and passing power IRPs.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** Power rules (family `power`). */
export const POWER_RULES = [
  {
    id: 'PWR-01',
    family: 'power',
    level: 'DERIVED',
    statement:
      'The provider registered as 1.1 or later on a 1.1 or later interface calls NetDmaPnPEventNotify with NetDmaNotificationProviderPowerDown before it passes down an IRP_MN_SET_POWER that takes the device out of D0.',
    sources: {
      facts: ['F50', 'F15', 'F22'],
      docs: [
        'conceptual/netdma-2-0-extensions-for-netdma-1-1-and-later-providers.md',
        'ddi/nf-netdma-netdmapnpeventnotify.md',
        'ddi/ne-netdma-_net_dma_pnp_notification_code.md',
      ],
    },
    checkedBy: ['lifecycle-model', 'kernel-verifier'],
    ambiguities: ['A12'],
    interfaceVersions: ['1.1', '2.0'],
  },
  {
    id: 'PWR-02',
    family: 'power',
    level: 'DERIVED',
    statement:
      'The provider registered as 1.1 or later on a 1.1 or later interface calls NetDmaPnPEventNotify with NetDmaNotificationProviderPowerUp after the lower drivers have completed an IRP_MN_SET_POWER that returns the device to D0 and the engine is reinitialized.',
    sources: {
      facts: ['F50', 'F15', 'F22'],
      docs: [
        'conceptual/netdma-2-0-extensions-for-netdma-1-1-and-later-providers.md',
        'ddi/nf-netdma-netdmapnpeventnotify.md',
        'ddi/ne-netdma-_net_dma_pnp_notification_code.md',
      ],
    },
    checkedBy: ['lifecycle-model', 'kernel-verifier'],
    ambiguities: ['A12'],
    interfaceVersions: ['1.1', '2.0'],
  },
  {
    id: 'PWR-03',
    family: 'power',
    level: 'DERIVED',
    statement:
      'The provider passes NetDmaPnPEventNotify a NET_DMA_PNP_NOTIFICATION with StructureRevision NET_DMA_PNP_NOTIFICATION_REVISION_1 (1), StructureSize sizeof(NET_DMA_PNP_NOTIFICATION), NotificationCode NetDmaNotificationProviderPowerDown (5) or NetDmaNotificationProviderPowerUp (6), Buffer NULL and BufferLength 0.',
    sources: {
      facts: ['F21', 'F22', 'F15'],
      docs: [
        'ddi/ns-netdma-_net_dma_pnp_notification.md',
        'ddi/ne-netdma-_net_dma_pnp_notification_code.md',
        'ddi/nf-netdma-netdmapnpeventnotify.md',
      ],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: ['A2'],
    interfaceVersions: ['1.1', '2.0'],
  },
  {
    id: 'PWR-04',
    family: 'power',
    level: 'DERIVED',
    statement:
      'The provider registered as 1.0, or running on a 1.0 interface, never calls NetDmaPnPEventNotify.',
    sources: {
      facts: ['F15', 'F51', 'F14a', 'F15a'],
      docs: [
        'conceptual/netdma-2-0-extensions-for-netdma-1-1-and-later-providers.md',
        'ddi/nf-netdma-netdmapnpeventnotify.md',
      ],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: ['A12'],
  },
  {
    id: 'PWR-05',
    family: 'power',
    level: 'DERIVED',
    statement:
      'The FDO passes every IRP_MJ_POWER IRP it receives down to the next lower driver with PoCallDriver, and never drops one or completes an IRP_MN_SET_POWER with an error status.',
    sources: {
      facts: ['F103', 'F117', 'F116'],
      docs: [
        'wdm-pnp/postponing-pnp-irp-processing-until-lower-drivers-finish.md',
        'wdm-pnp/adddevice-routines-in-function-or-filter-drivers.md',
        'wdm-pnp/driverentry-s-required-responsibilities.md',
      ],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    reading:
      'The power-IRP pages are not among the saved sources; the suite reads the WDM rule that a function driver that is not failing a power IRP passes it down (PoCallDriver, PoStartNextPowerIrp before Windows Vista) and never fails IRP_MN_SET_POWER, which the Windows power manager requires and Driver Verifier\'s power-IRP checks flag.',
  },
  {
    id: 'PWR-06',
    family: 'power',
    level: 'DERIVED',
    statement:
      'The provider\'s PowerDown and PowerUp notifications alternate for each provider, starting with PowerDown.',
    sources: {
      facts: ['F50', 'F22'],
      docs: [
        'conceptual/netdma-2-0-extensions-for-netdma-1-1-and-later-providers.md',
        'ddi/ne-netdma-_net_dma_pnp_notification_code.md',
      ],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: ['A12'],
    interfaceVersions: ['1.1', '2.0'],
  },
  {
    id: 'PWR-07',
    family: 'power',
    level: 'DERIVED',
    statement:
      'The provider keeps its channels allocated across a power-down and, once it has sent PowerUp, accepts ProviderStartDma on every channel that was allocated before the PowerDown and copies correctly again.',
    sources: {
      facts: ['F50', 'F27a'],
      docs: ['conceptual/netdma-2-0-extensions-for-netdma-1-1-and-later-providers.md', 'ddi/nc-netdma-dma_start_handler.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: ['A12'],
    interfaceVersions: ['1.1', '2.0'],
  },
  {
    id: 'PWR-08',
    family: 'power',
    level: 'MUST',
    statement:
      'The FDO does not wait in its DispatchPower routine on an event that its completion routine sets, because waiting for lower drivers to finish a power IRP can deadlock.',
    sources: {
      facts: ['F103'],
      docs: ['wdm-pnp/postponing-pnp-irp-processing-until-lower-drivers-finish.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/postponing-pnp-irp-processing-until-lower-drivers-finish.md',
      text: 'Note that a driver must not use this technique to wait for lower drivers to finish a power IRP (IRP_MJ_POWER).',
    },
  },
  {
    id: 'PWR-09',
    family: 'power',
    level: 'DERIVED',
    statement:
      'The provider registered as 1.0 reinitializes the engine after the device returns to D0, so that the next ProviderStartDma, including one with a NULL operation, succeeds and no copy relies on lost hardware context.',
    sources: {
      facts: ['F51', 'F39'],
      docs: ['conceptual/netdma-2-0-extensions-for-netdma-1-1-and-later-providers.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: ['A12'],
    interfaceVersions: ['1.0'],
  },
] as const satisfies readonly RuleInput[];
