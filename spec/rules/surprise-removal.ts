/**
 * Rules for IRP_MN_SURPRISE_REMOVAL.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** Surprise-removal rules (family `surprise-removal`). */
export const SURPRISE_REMOVAL_RULES = [
  {
    id: 'PNP-SURP-01',
    family: 'surprise-removal',
    level: 'MUST',
    statement: 'The FDO never fails IRP_MN_SURPRISE_REMOVAL: it sets STATUS_SUCCESS and passes the IRP down.',
    sources: {
      facts: ['F114', 'F103'],
      docs: ['wdm-pnp/irp-mn-surprise-removal.md', 'wdm-pnp/handling-an-irp-mn-surprise-removal-request.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/irp-mn-surprise-removal.md',
      text: 'A driver must not fail this IRP.',
    },
  },
  {
    id: 'PNP-SURP-02',
    family: 'surprise-removal',
    level: 'DERIVED',
    statement:
      'The started provider calls NetDmaProviderStop and then releases its hardware resources while it handles IRP_MN_SURPRISE_REMOVAL, leaving NetDmaDeregisterProvider to IRP_MN_REMOVE_DEVICE.',
    sources: {
      facts: ['F114', 'F11e', 'F122', 'F113'],
      docs: [
        'wdm-pnp/handling-an-irp-mn-surprise-removal-request.md',
        'conceptual/stopping-a-netdma-provider.md',
        'ddi/nf-netdma-netdmaproviderstop.md',
      ],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: ['A13'],
  },
  {
    id: 'PNP-SURP-03',
    family: 'surprise-removal',
    level: 'MUST',
    statement:
      'The FDO stays attached to the device stack and is not deleted while it handles IRP_MN_SURPRISE_REMOVAL, and only IRP_MN_REMOVE_DEVICE detaches and deletes it.',
    sources: {
      facts: ['F114'],
      docs: ['wdm-pnp/handling-an-irp-mn-surprise-removal-request.md', 'wdm-pnp/irp-mn-surprise-removal.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/handling-an-irp-mn-surprise-removal-request.md',
      text: 'In response to IRP_MN_SURPRISE_REMOVAL, a driver must do the following, in the listed order:',
    },
  },
] as const satisfies readonly RuleInput[];
