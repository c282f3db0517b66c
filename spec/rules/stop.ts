/**
 * Rules for IRP_MN_QUERY_STOP_DEVICE, IRP_MN_STOP_DEVICE and IRP_MN_CANCEL_STOP_DEVICE
 * (resource rebalancing).
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** STOP rules (family `stop`). */
export const STOP_RULES = [
  {
    id: 'PNP-QSTOP-01',
    family: 'stop',
    level: 'MUST',
    statement:
      'The FDO either succeeds IRP_MN_QUERY_STOP_DEVICE by setting STATUS_SUCCESS and passing it down, or fails it by completing it with an error status without passing it down.',
    sources: {
      facts: ['F108', 'F103'],
      docs: [
        'wdm-pnp/irp-mn-query-stop-device.md',
        'wdm-pnp/handling-an-irp-mn-query-stop-device-request--windows-2000-and-later-.md',
        'wdm-pnp/dispatchpnp-routines.md',
      ],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/dispatchpnp-routines.md',
      text: 'A function or filter driver must pass PnP IRPs down to the next driver in the device stack, unless the function or filter driver handles the IRP and encounters a failure (due to insufficient resources, for example).',
    },
  },
  {
    id: 'PNP-QSTOP-02',
    family: 'stop',
    level: 'DERIVED',
    statement:
      'The provider does not call NetDmaProviderStop or NetDmaDeregisterProvider while it handles IRP_MN_QUERY_STOP_DEVICE or IRP_MN_CANCEL_STOP_DEVICE, because a query can be cancelled and the device must then still be started.',
    sources: {
      facts: ['F108', 'F109', 'F100', 'F11a', 'F11e'],
      docs: [
        'wdm-pnp/handling-an-irp-mn-query-stop-device-request--windows-2000-and-later-.md',
        'wdm-pnp/handling-an-irp-mn-cancel-stop-device-request--windows-2000-and-later-.md',
        'conceptual/stopping-a-netdma-provider.md',
      ],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: ['A13'],
  },
  {
    id: 'PNP-STOP-01',
    family: 'stop',
    level: 'MUST',
    statement:
      'The FDO never fails IRP_MN_STOP_DEVICE: it sets STATUS_SUCCESS, passes the IRP down, and does not complete it itself.',
    sources: {
      facts: ['F107', 'F103'],
      docs: [
        'wdm-pnp/irp-mn-stop-device.md',
        'wdm-pnp/handling-an-irp-mn-stop-device-request--windows-2000-and-later-.md',
      ],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/irp-mn-stop-device.md',
      text: 'A driver must not fail this IRP.',
    },
  },
  {
    id: 'PNP-STOP-02',
    family: 'stop',
    level: 'DERIVED',
    statement:
      'The started provider calls NetDmaProviderStop while it handles IRP_MN_STOP_DEVICE, before it disconnects interrupts or unmaps registers, because NetDmaProviderStop waits for outstanding DMA and frees every channel.',
    sources: {
      facts: ['F11a', 'F11d', 'F122', 'F107', 'F124'],
      docs: [
        'conceptual/stopping-a-netdma-provider.md',
        'ddi/nf-netdma-netdmaproviderstop.md',
        'wdm-pnp/irp-mn-stop-device.md',
      ],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    reading:
      'The stopping page has the provider call NetDmaProviderStop when it stops the engine, and IRP_MN_STOP_DEVICE releases the hardware; the suite reads that the call comes before the resources go, since NetDmaProviderStop waits for outstanding DMA (no sentence names the IRP).',
  },
  {
    id: 'PNP-STOP-03',
    family: 'stop',
    level: 'MUST',
    statement:
      'The FDO has released the engine\'s hardware resources (interrupts disconnected, registers unmapped) by the time its IRP_MN_STOP_DEVICE dispatch routine returns.',
    sources: {
      facts: ['F107'],
      docs: [
        'wdm-pnp/irp-mn-stop-device.md',
        'wdm-pnp/handling-an-irp-mn-stop-device-request--windows-2000-and-later-.md',
        'wdm-pnp/stopping-a-device-to-rebalance-resources.md',
        'wdm-pnp/starting-a-device-in-a-function-driver.md',
      ],
    },
    checkedBy: ['lifecycle-model', 'kernel-verifier'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/starting-a-device-in-a-function-driver.md',
      text: 'When the driver receives an IRP_MN_STOP_DEVICE, IRP_MN_REMOVE_DEVICE, or IRP_MN_SURPRISE_REMOVAL request, it must release the mappings by calling MmUnmapIoSpace in a similar loop.',
    },
  },
  {
    id: 'PNP-CSTOP-01',
    family: 'stop',
    level: 'MUST',
    statement:
      'The FDO never fails IRP_MN_CANCEL_STOP_DEVICE: it handles the IRP after the lower drivers have completed it and completes it with STATUS_SUCCESS.',
    sources: {
      facts: ['F109', 'F103'],
      docs: [
        'wdm-pnp/irp-mn-cancel-stop-device.md',
        'wdm-pnp/handling-an-irp-mn-cancel-stop-device-request--windows-2000-and-later-.md',
      ],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/handling-an-irp-mn-cancel-stop-device-request--windows-2000-and-later-.md',
      text: 'Drivers must succeed a cancel-stop IRP.',
    },
  },
] as const satisfies readonly RuleInput[];
