/**
 * Generic IRP-handling rules for the FDO's dispatch and completion routines.
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** IRP rules (family `irp`). */
export const IRP_RULES = [
  {
    id: 'IRP-01',
    family: 'irp',
    level: 'MUST',
    statement:
      'The FDO either completes or passes down each IRP it receives, exactly once, never both and never neither.',
    sources: {
      facts: ['F103', 'F104'],
      docs: ['wdm-pnp/dispatchpnp-routines.md', 'wdm-pnp/passing-pnp-irps-down-the-device-stack.md'],
    },
    checkedBy: ['lifecycle-model', 'kernel-verifier'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/dispatchpnp-routines.md',
      text: 'A function or filter driver must pass PnP IRPs down to the next driver in the device stack, unless the function or filter driver handles the IRP and encounters a failure (due to insufficient resources, for example).',
    },
  },
  {
    id: 'IRP-02',
    family: 'irp',
    level: 'MUST',
    statement:
      'The FDO never leaves STATUS_NOT_SUPPORTED in a PnP IRP that a PnP driver is required to handle (START, QUERY_STOP, STOP, CANCEL_STOP, QUERY_REMOVE, REMOVE, CANCEL_REMOVE or SURPRISE_REMOVAL).',
    sources: {
      facts: ['F101', 'F104'],
      docs: ['wdm-pnp/dispatchpnp-routines.md', 'wdm-pnp/plug-and-play-minor-irps.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/dispatchpnp-routines.md',
      text: 'A driver can fail a required PnP IRP with an appropriate error status, but a driver must not return STATUS_NOT_SUPPORTED for such an IRP.',
    },
  },
  {
    id: 'IRP-03',
    family: 'irp',
    level: 'MUST',
    statement:
      'The FDO sets Irp->IoStatus.Status to STATUS_SUCCESS on a PnP IRP it handles successfully before it passes the IRP down or completes it.',
    sources: {
      facts: ['F104', 'F103'],
      docs: ['wdm-pnp/dispatchpnp-routines.md', 'wdm-pnp/passing-pnp-irps-down-the-device-stack.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/dispatchpnp-routines.md',
      text: 'For consistency and robustness, a driver must set the IRP status to success for each PnP IRP it handles successfully.',
    },
  },
  // IRP-04 (issue 12, finding 10): in the standard pass-down-with-completion-routine pattern the
  // dispatch routine returns IoCallDriver's STATUS_PENDING and the completion routine calls
  // IoMarkIrpPending when Irp->PendingReturned; the mark comes after the dispatch routine returned.
  // The check now waits for completion to pass the driver's stack location before it judges.
  {
    id: 'IRP-04',
    family: 'irp',
    level: 'MUST',
    statement:
      'The FDO\'s dispatch routine that returns STATUS_PENDING has the IRP marked pending at its stack location — by IoMarkIrpPending before it returns or, when it returns the STATUS_PENDING of a lower driver, by its completion routine before completion moves past it — and one that does not pend returns the status the IRP was completed with or the status IoCallDriver returned.',
    sources: {
      facts: ['F103', 'F105'],
      docs: ['wdm-pnp/postponing-pnp-irp-processing-until-lower-drivers-finish.md', 'wdm-pnp/irp-mn-start-device.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/postponing-pnp-irp-processing-until-lower-drivers-finish.md',
      text: 'Instead, it must mark the IRP pending with IoMarkIrpPending and return STATUS_PENDING from its DispatchPnP routine.',
    },
  },
  {
    id: 'IRP-05',
    family: 'irp',
    level: 'DERIVED',
    statement: 'The FDO eventually completes or passes down every IRP it pended, so that no IRP is lost.',
    sources: {
      facts: ['F103', 'F105'],
      docs: ['wdm-pnp/postponing-pnp-irp-processing-until-lower-drivers-finish.md', 'wdm-pnp/irp-mn-start-device.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    reading:
      'An IRP that is never completed hangs the PnP manager, which waits for it for ever, and Driver Verifier\'s I/O verification reports it; the saved pages imply it (pended IRPs are completed later) without a must-sentence.',
  },
  // IRP-06 (issue 12, finding 4): QUERY_CAPABILITIES is optional for a function driver, which may
  // handle it (forward, edit the capabilities on the way up, complete); it is judged by PNP-SURF-02
  // now. IRP-06 is checked where the driver may not handle the IRP: the "No" minors of
  // plug-and-play-minor-irps.md, undefined minors, and IRP_MJ_SYSTEM_CONTROL for the PDO.
  {
    id: 'IRP-06',
    family: 'irp',
    level: 'MUST',
    statement:
      'The FDO passes down the IRPs it does not handle — PnP minor codes a function driver must not handle or does not know, and WMI requests for another device object — with Irp->IoStatus left untouched.',
    sources: {
      facts: ['F104', 'F114'],
      docs: ['wdm-pnp/dispatchpnp-routines.md', 'wdm-pnp/passing-pnp-irps-down-the-device-stack.md'],
    },
    checkedBy: ['lifecycle-model'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/dispatchpnp-routines.md',
      text: 'It must pass such an IRP down to the next driver without modifying the IRP\'s status.',
    },
  },
  // IRP-07 (issue 12): the cited page's "must" is about the wait-on-an-event technique only: "The
  // IoCompletion routine must return STATUS_MORE_PROCESSING_REQUIRED to prevent the I/O manager from
  // calling IoCompletion routines set by higher drivers at this time. The IoCompletion routine uses
  // this status to forestall completion so its driver's DispatchPnP routine can regain control."
  // Nothing in the docs restricts what a routine that lets completion go on returns (Microsoft's
  // IO_COMPLETION_ROUTINE page, not in ../shared: "should return STATUS_SUCCESS ... The I/O manager
  // only checks for the presence or absence of STATUS_MORE_PROCESSING_REQUIRED"). Decision: the rule
  // is the page's must, checked where its breach shows — the driver completes an IRP that its own
  // routine already let the I/O manager finish; any other NTSTATUS a routine returns continues
  // completion, and a value that is not an NTSTATUS fails KAPI-03.
  {
    id: 'IRP-07',
    family: 'irp',
    level: 'MUST',
    statement:
      'The FDO\'s IoCompletion routine returns STATUS_MORE_PROCESSING_REQUIRED when its dispatch routine goes on to complete the IRP itself (the wait-on-an-event technique); any other NTSTATUS lets the I/O manager finish completing the IRP.',
    sources: {
      facts: ['F103'],
      docs: ['wdm-pnp/postponing-pnp-irp-processing-until-lower-drivers-finish.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/postponing-pnp-irp-processing-until-lower-drivers-finish.md',
      text: 'The IoCompletion routine must return STATUS_MORE_PROCESSING_REQUIRED to prevent the I/O manager from calling IoCompletion routines set by higher drivers at this time.',
    },
  },
  {
    id: 'IRP-08',
    family: 'irp',
    level: 'MUST',
    statement: 'The provider never sends a PnP minor IRP itself, since only the PnP manager may send them.',
    sources: {
      facts: ['F102'],
      docs: ['wdm-pnp/irp-mn-start-device.md', 'wdm-pnp/irp-mn-filter-resource-requirements.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/irp-mn-start-device.md',
      text: 'Drivers must not send this IRP.',
    },
  },
  {
    id: 'IRP-09',
    family: 'irp',
    level: 'DERIVED',
    statement:
      'The FDO passes IRPs down to the device object that IoAttachDeviceToDeviceStack returned for it, not to the PDO or any other device object.',
    sources: {
      facts: ['F116', 'F103'],
      docs: ['wdm-pnp/adddevice-routines-in-function-or-filter-drivers.md', 'wdm-pnp/passing-pnp-irps-down-the-device-stack.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'The AddDevice page says to store the pointer IoAttachDeviceToDeviceStack returns because it is a required parameter to IoCallDriver and PoCallDriver when passing IRPs down the stack (a step AddDevice should take); the suite reads that IRPs go to that device object.',
  },
] as const satisfies readonly RuleInput[];
