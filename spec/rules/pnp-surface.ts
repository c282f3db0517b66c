/**
 * The rest of the PnP and I/O surface a function driver meets (issue 12): the PnP queries it must
 * pass down or may handle, IRP_MN_DEVICE_USAGE_NOTIFICATION and the paging path, and creates
 * after a granted QUERY_REMOVE. Family `irp`: they are rules on how the FDO treats IRPs.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** Rules of the PnP and I/O surface beyond the state-changing IRPs (family `irp`). */
export const PNP_SURFACE_RULES = [
  {
    id: 'PNP-SURF-01',
    family: 'irp',
    level: 'MUST',
    statement:
      'The FDO passes down, without handling them, the PnP IRPs a function driver for a nonbus device must not handle (QUERY_DEVICE_RELATIONS for EjectionRelations or TargetDeviceRelation, QUERY_RESOURCES, QUERY_RESOURCE_REQUIREMENTS, QUERY_ID, QUERY_DEVICE_TEXT, QUERY_BUS_INFORMATION) and minor codes it does not know, and the IRP ends with the status and information the bus driver completed it with.',
    sources: {
      facts: ['F101', 'F103', 'F104'],
      docs: ['wdm-pnp/plug-and-play-minor-irps.md', 'wdm-pnp/dispatchpnp-routines.md', 'wdm-pnp/passing-pnp-irps-down-the-device-stack.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/plug-and-play-minor-irps.md',
      text: 'If an IRP is marked "No" in the table for a particular driver, that driver must not handle the IRP. The driver must pass the IRP to the next driver in the device stack as described in the reference page for the IRP.',
    },
  },
  {
    id: 'PNP-SURF-02',
    family: 'irp',
    level: 'MUST',
    statement:
      'The FDO passes the PnP IRPs it may handle (QUERY_CAPABILITIES, QUERY_PNP_DEVICE_STATE, QUERY_INTERFACE, QUERY_DEVICE_RELATIONS for BusRelations or RemovalRelations) down to the next driver, editing the answer on the way down or up as it likes, unless it fails the IRP with an error status other than STATUS_NOT_SUPPORTED.',
    sources: {
      facts: ['F103', 'F104'],
      docs: ['wdm-pnp/dispatchpnp-routines.md', 'wdm-pnp/passing-pnp-irps-down-the-device-stack.md', 'wdm-pnp/plug-and-play-minor-irps.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/dispatchpnp-routines.md',
      text: 'A function or filter driver must pass PnP IRPs down to the next driver in the device stack, unless the function or filter driver handles the IRP and encounters a failure (due to insufficient resources, for example).',
    },
  },
  // PNP-SURF-03: IRP_MN_DEVICE_USAGE_NOTIFICATION's own page is not in ../shared; the table of
  // plug-and-play-minor-irps.md marks it "Required (1)" for function drivers, "(1) Required or
  // optional in certain situations". Microsoft's page (outside ../shared): "A function driver must
  // handle this IRP if its device can contain a paging file, dump file, or hibernation file" — a DMA
  // engine cannot, so passing it down untouched is allowed, and refusing a usage it cannot support
  // (an error status) is too. Decision on the simulated PCI PDO: it puts the device on the path only
  // when a driver above took the IRP (set a status); an IRP that arrives with STATUS_NOT_SUPPORTED
  // is completed so, and no special file is placed (what Windows does when no driver above the bus
  // supports the usage). The DO_POWER_PAGABLE bookkeeping of that page is left to a later change.
  {
    id: 'PNP-SURF-03',
    family: 'irp',
    level: 'DERIVED',
    statement:
      'The FDO passes IRP_MN_DEVICE_USAGE_NOTIFICATION down to the next driver, having taken part in it or not, unless it refuses the special file by completing the IRP with an error status other than STATUS_NOT_SUPPORTED.',
    sources: {
      facts: ['F51', 'F103', 'F104'],
      docs: ['wdm-pnp/plug-and-play-minor-irps.md', 'wdm-pnp/dispatchpnp-routines.md', 'conceptual/netdma-2-0-extensions-for-netdma-1-1-and-later-providers.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    reading:
      'The table marks DEVICE_USAGE_NOTIFICATION required for function drivers "in certain situations" without the IRP\'s page in ../shared; the general DispatchPnP rule (pass PnP IRPs down unless failing them) is what is checked, and the simulated bus joins the path only when a driver above set a status.',
  },
  {
    id: 'PNP-SURF-04',
    family: 'irp',
    level: 'MUST',
    statement:
      'The FDO whose device is on the path of a paging, hibernation or crash-dump file (a DEVICE_USAGE_NOTIFICATION with InPath TRUE succeeded and was not undone) fails IRP_MN_QUERY_STOP_DEVICE and IRP_MN_QUERY_REMOVE_DEVICE.',
    sources: {
      facts: ['F51', 'F108', 'F111'],
      docs: [
        'wdm-pnp/handling-an-irp-mn-query-stop-device-request--windows-2000-and-later-.md',
        'wdm-pnp/handling-an-irp-mn-query-remove-device-request.md',
        'conceptual/netdma-2-0-extensions-for-netdma-1-1-and-later-providers.md',
      ],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/handling-an-irp-mn-query-stop-device-request--windows-2000-and-later-.md',
      text: 'A driver must fail a query-stop IRP if any of the following are true:', // the first case listed: "A driver has been notified (through IRP_MN_DEVICE_USAGE_NOTIFICATION) that the device is in the path of a paging, hibernation, or crash dump file."
    },
  },
  {
    id: 'PNP-SURF-05',
    family: 'irp',
    level: 'MUST',
    statement:
      'The FDO that has a create dispatch routine fails every IRP_MJ_CREATE that arrives after it succeeded IRP_MN_QUERY_REMOVE_DEVICE, until CANCEL_REMOVE_DEVICE or REMOVE_DEVICE.',
    sources: {
      facts: ['F111'],
      docs: ['wdm-pnp/handling-an-irp-mn-query-remove-device-request.md', 'wdm-pnp/irp-mn-query-remove-device.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/handling-an-irp-mn-query-remove-device-request.md',
      text: 'Once a driver succeeds an IRP_MN_QUERY_REMOVE_DEVICE and it considers the device to be in the remove-pending state, the driver must fail any subsequent create requests for the device.',
    },
  },
  {
    id: 'PNP-SURF-06',
    family: 'irp',
    level: 'DERIVED',
    statement:
      'The FDO whose device is on a paging file\'s path (a DEVICE_USAGE_NOTIFICATION for DeviceUsageTypePaging with InPath TRUE succeeded and was not undone) keeps DO_POWER_PAGABLE clear on its device object.',
    sources: {
      facts: ['F51', 'F108'],
      docs: ['wdm-pnp/plug-and-play-minor-irps.md', 'wdm-pnp/handling-an-irp-mn-query-stop-device-request--windows-2000-and-later-.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    reading:
      'IRP_MN_DEVICE_USAGE_NOTIFICATION\'s page is not in ../shared; Microsoft\'s page has the function driver clear DO_POWER_PAGABLE before a paging file is placed on the path and set it again only after the last one is removed, since the power IRPs of a paging device cannot go through pageable code; checked after each usage notification the device takes part in.',
  },
  {
    id: 'PNP-START-13',
    family: 'irp',
    level: 'DERIVED',
    statement:
      'When IRP_MN_START_DEVICE reaches a device that is already started (after IoInvalidateDeviceState and a PNP_DEVICE_RESOURCE_REQUIREMENTS_CHANGED answer), the FDO that succeeds it ends with the device running on the new resources only: the old register mapping unmapped and the old interrupts disconnected, the new BAR mapped and interrupts connected from the new resource list, and the NetDMA provider started (stopped with NetDmaProviderStop before the old resources go, started again with NetDmaProviderStart on the new ones).',
    sources: {
      facts: ['F105', 'F122'],
      docs: ['wdm-pnp/irp-mn-start-device.md', 'wdm-pnp/handling-an-irp-mn-surprise-removal-request.md', 'conceptual/stopping-a-netdma-provider.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    reading:
      'irp-mn-start-device.md says only that the PnP manager "sends an IRP_MN_START_DEVICE to a device that is already started, supplying a different set of resources than the device is currently using"; it says nothing of what the driver must do. The suite reads "different set of resources than the device is currently using" as the device having to use the new set once START succeeded (the old BAR and interrupts may be given to another device), and nothing of the old set may stay held. The NetDMA pages tie NetDmaProviderStop to releasing the hardware (F122) and NetDmaProviderStart to a started engine, and are silent on a restart; the suite requires the provider to be started at the end and leaves to the existing rules how it got there (NDMA-START-01 forbids a second NetDmaProviderStart without a Stop; PNP-START-03 asks for exactly one Start in a successful START). In the simulation, as on a PCI bus, the bus driver moves the device to the new resources when it handles the START, so the old registers are reachable only until the FDO passes the START down (a later access through the old mapping breaks KAPI-01): a driver quiesces and releases the old resources on the way down and starts on the new ones on the way up. Checked when the START completes successfully.',
  },
] as const satisfies readonly RuleInput[];
