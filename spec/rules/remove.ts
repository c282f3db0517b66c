/**
 * Rules for IRP_MN_QUERY_REMOVE_DEVICE, IRP_MN_CANCEL_REMOVE_DEVICE and IRP_MN_REMOVE_DEVICE,
 * including the NetDmaProviderStop / NetDmaDeregisterProvider order.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** REMOVE rules (family `remove`). */
export const REMOVE_RULES = [
  {
    id: 'PNP-QREM-01',
    family: 'remove',
    level: 'MUST',
    statement:
      'The FDO either succeeds IRP_MN_QUERY_REMOVE_DEVICE by setting STATUS_SUCCESS and passing it down, or fails it by completing it with an error status without passing it down.',
    sources: {
      facts: ['F111', 'F103'],
      docs: ['wdm-pnp/irp-mn-query-remove-device.md', 'wdm-pnp/handling-an-irp-mn-query-remove-device-request.md', 'wdm-pnp/dispatchpnp-routines.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/dispatchpnp-routines.md',
      text: 'A function or filter driver must pass PnP IRPs down to the next driver in the device stack, unless the function or filter driver handles the IRP and encounters a failure (due to insufficient resources, for example).',
    },
  },
  {
    id: 'PNP-QREM-02',
    family: 'remove',
    level: 'DERIVED',
    statement:
      'The provider does not call NetDmaProviderStop or NetDmaDeregisterProvider while it handles IRP_MN_QUERY_REMOVE_DEVICE or IRP_MN_CANCEL_REMOVE_DEVICE, because a query can be cancelled and the device must then still be started.',
    sources: {
      facts: ['F111', 'F112', 'F100', 'F11a', 'F11e'],
      docs: [
        'wdm-pnp/handling-an-irp-mn-query-remove-device-request.md',
        'wdm-pnp/handling-an-irp-mn-cancel-remove-device-request.md',
        'conceptual/deregistering-a-netdma-provider.md',
      ],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: ['A13'],
  },
  {
    id: 'PNP-CREM-01',
    family: 'remove',
    level: 'MUST',
    statement:
      'The FDO never fails IRP_MN_CANCEL_REMOVE_DEVICE: it handles the IRP after the lower drivers have completed it and completes it with STATUS_SUCCESS.',
    sources: {
      facts: ['F112', 'F103'],
      docs: ['wdm-pnp/irp-mn-cancel-remove-device.md', 'wdm-pnp/handling-an-irp-mn-cancel-remove-device-request.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/handling-an-irp-mn-cancel-remove-device-request.md',
      text: 'Drivers must succeed this IRP.',
    },
  },
  {
    id: 'PNP-REM-01',
    family: 'remove',
    level: 'MUST',
    statement:
      'The FDO never fails IRP_MN_REMOVE_DEVICE: it sets STATUS_SUCCESS, passes the IRP down, and does not complete it itself.',
    sources: {
      facts: ['F113', 'F103'],
      docs: [
        'wdm-pnp/irp-mn-remove-device.md',
        'wdm-pnp/handling-an-irp-mn-remove-device-request.md',
        'wdm-pnp/removing-a-device-in-a-function-driver.md',
      ],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/irp-mn-remove-device.md',
      text: 'Drivers must not fail this IRP.',
    },
  },
  {
    id: 'PNP-REM-02',
    family: 'remove',
    level: 'MUST',
    statement: 'The provider that is started calls NetDmaProviderStop before it calls NetDmaDeregisterProvider.',
    sources: {
      facts: ['F9', 'F11b', 'F42'],
      docs: [
        'conceptual/deregistering-a-netdma-provider.md',
        'conceptual/stopping-a-netdma-provider.md',
        'ddi/nf-netdma-netdmaderegisterprovider.md',
      ],
    },
    checkedBy: ['kernel-verifier', 'lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'conceptual/stopping-a-netdma-provider.md',
      text: 'The NetDMA provider driver must call NetDmaProviderStop before it deregisters a NetDMA provider.',
    },
  },
  {
    id: 'PNP-REM-03',
    family: 'remove',
    level: 'DERIVED',
    statement:
      'The provider has called NetDmaDeregisterProvider exactly once for the device by the time its IRP_MN_REMOVE_DEVICE dispatch routine returns, either while handling that REMOVE or already while handling an IRP_MN_SURPRISE_REMOVAL before it.',
    sources: {
      facts: ['F9', 'F42', 'F123', 'F114'],
      docs: ['conceptual/deregistering-a-netdma-provider.md', 'ddi/nf-netdma-netdmaderegisterprovider.md', 'wdm-pnp/handling-an-irp-mn-surprise-removal-request.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: ['A13'],
  },
  {
    id: 'PNP-REM-04',
    family: 'remove',
    level: 'MUST',
    statement:
      'The FDO, while it handles IRP_MN_REMOVE_DEVICE and after it has passed the IRP down, detaches itself with IoDetachDevice and deletes itself with IoDeleteDevice.',
    sources: {
      facts: ['F113'],
      docs: ['wdm-pnp/handling-an-irp-mn-remove-device-request.md', 'wdm-pnp/removing-a-device-in-a-function-driver.md'],
    },
    checkedBy: ['lifecycle-model', 'kernel-verifier'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/removing-a-device-in-a-function-driver.md',
      text: 'When removing a device, a function driver must undo any operations it performed to add and start the device.',
    },
  },
  {
    id: 'PNP-REM-05',
    family: 'remove',
    level: 'DERIVED',
    statement:
      'The provider calls NetDmaDeregisterProvider before IoDeleteDevice of its FDO, because the registered provider still refers to the device stack.',
    sources: {
      facts: ['F123', 'F17d'],
      docs: ['conceptual/deregistering-a-netdma-provider.md', 'wdm-pnp/removing-a-device-in-a-function-driver.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'The registered provider names the device stack\'s PDO and NetDMA may call its handlers until deregistration; the suite reads that the provider is deregistered before its FDO is deleted (the deregistering page gives no order against IoDeleteDevice).',
  },
  {
    id: 'PNP-REM-06',
    family: 'remove',
    level: 'MUST',
    statement:
      'The FDO has released every hardware resource of the device (interrupts disconnected, registers unmapped) by the time its IRP_MN_REMOVE_DEVICE dispatch routine returns.',
    sources: {
      facts: ['F113'],
      docs: ['wdm-pnp/irp-mn-remove-device.md', 'wdm-pnp/handling-an-irp-mn-remove-device-request.md'],
    },
    checkedBy: ['lifecycle-model', 'kernel-verifier'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/handling-an-irp-mn-remove-device-request.md',
      text: 'Before a driver returns success for an IRP_MN_REMOVE_DEVICE request, it must ensure that all resources for the device have been released.',
    },
  },
] as const satisfies readonly RuleInput[];
