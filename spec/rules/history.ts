/**
 * Rules held against history (issue 13): what the provider tells NetDMA and the I/O manager,
 * compared with what the engine and the lower drivers really did — a completion reported twice,
 * the Halted completion word an abort leaves, the FDO's device characteristics, and the status a
 * REMOVE dispatch routine returns against the one IoCallDriver gave it. Each array holds one
 * family's rules; `spec/rules/index.ts` places each after its family's other rules (the catalog
 * lists rules in family order).
 * @packageDocumentation
 */
import type { RuleInput } from '../schema';

/** History rules of family `add-device`. */
export const HISTORY_ADD_DEVICE_RULES = [
  {
    id: 'DRV-ADD-07',
    family: 'add-device',
    level: 'SHOULD',
    statement: 'AddDevice creates the FDO with FILE_DEVICE_SECURE_OPEN in the DeviceCharacteristics argument of IoCreateDevice.',
    sources: {
      facts: ['F116'],
      docs: ['wdm-pnp/adddevice-routines-in-function-or-filter-drivers.md', 'wdm-pnp/linked/nf-wdm-iocreatedevice.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    quote: {
      doc: 'wdm-pnp/adddevice-routines-in-function-or-filter-drivers.md',
      text: 'An AddDevice routine in a function or filter driver should take the following steps:',
    },
    reading:
      'Step 1 of that list reads "Include FILE_DEVICE_SECURE_OPEN in the DeviceCharacteristics parameter." (and the IoCreateDevice page: "Most drivers specify FILE_DEVICE_SECURE_OPEN for this parameter."). The sentence is one of the steps the page says an AddDevice routine should take (an imperative under "should", no must), so the rule is SHOULD, not MUST. It holds for an unnamed FDO as well: the page gives no exception, and the flag makes the I/O manager check the device object\'s security on relative and trailing-name opens through the PDO\'s name, which an unnamed FDO receives too. Checked at every IoCreateDevice made while AddDevice runs.',
  },
] as const satisfies readonly RuleInput[];

/** History rules of family `remove`. */
export const HISTORY_REMOVE_RULES = [
  {
    id: 'PNP-REM-07',
    family: 'remove',
    level: 'DERIVED',
    statement:
      'The FDO\'s dispatch routine for IRP_MN_REMOVE_DEVICE, having passed the IRP down, returns the status IoCallDriver returned to it (STATUS_PENDING when the lower drivers pended the IRP), unless the IRP has already completed and it returns the status the IRP completed with.',
    sources: {
      facts: ['F113', 'F103'],
      docs: ['wdm-pnp/removing-a-device-in-a-function-driver.md', 'wdm-pnp/handling-an-irp-mn-remove-device-request.md'],
    },
    checkedBy: ['kernel-verifier'],
    ambiguities: [],
    reading:
      'removing-a-device-in-a-function-driver.md gives the procedure ("a procedure such as the following"), whose step 12 reads "Return from the DispatchPnP routine, propagating the return status from IoCallDriver." — an imperative without must, so DERIVED. The suite holds it where it matters on Windows: the same page says a driver "is not required to wait for underlying drivers to finish their remove operations", so a lower driver (a bus filter, or the bus driver) may pend REMOVE; the simulated lower stack does so in some runs. A dispatch routine that then returns anything but STATUS_PENDING tells the PnP manager the IRP is done while it is still in flight. When the IRP has completed by the time the routine returns (the lower drivers completed it synchronously, or the FDO waited for it), the completion status is as good (IRP-04 judges that case).',
  },
] as const satisfies readonly RuleInput[];

/** History rules of family `data-path`. */
export const HISTORY_DATA_PATH_RULES = [
  {
    id: 'NDMA-HIST-02',
    family: 'data-path',
    level: 'DERIVED',
    statement:
      'When ProviderAbortDma halts a channel on which NetDMA uses completion status (it submitted descriptors with NET_DMA_STATUS_UPDATE_ON_COMPLETION since the channel was allocated), the channel\'s completion word then holds the NetDmaTransferStatusHalted status.',
    sources: {
      facts: ['F31', 'F33'],
      docs: ['conceptual/aborting-a-dma-transfer.md', 'ddi/nc-netdma-dma_abort_handler.md', 'ddi/ns-netdma-_net_dma_channel_parameters.md'],
    },
    checkedBy: ['datapath-property'],
    ambiguities: [],
    reading:
      'aborting-a-dma-transfer.md: "If completion status reporting is enabled, the DMA engine writes the NetDmaTransferStatusHalted status in the address that is specified in the CompletionVirtualAddress and CompletionPhysicalAddress members" — a description of what the abort does, without must, so DERIVED. "Completion status reporting is enabled" is read as NetDMA using the completion word on the channel (status updates requested in its descriptors); the provider cannot switch it off on its own, so an engine the provider leaves without halt-status writes (I/OAT: CHANCTRL.ERR_COMPLETION_EN clear) breaks it. Judged after ProviderAbortDma returns with the engine channel halted by the abort (a provider that resets the channel instead is not judged here).',
  },
] as const satisfies readonly RuleInput[];

/** History rules of family `interrupt`. */
export const HISTORY_INTERRUPT_RULES = [
  {
    id: 'NDMA-HIST-01',
    family: 'interrupt',
    level: 'DERIVED',
    statement:
      'The provider reports each completion to NetDmaInterruptDpc once: a non-NULL DmaDescriptor names a descriptor the engine completed after the one the channel\'s previous non-NULL NetDmaInterruptDpc named, or the same one only after a new NetDmaIsr for the channel (an interrupt that found no newer completion); never an older one.',
    sources: {
      facts: ['F13', 'F13a', 'F12c', 'F41'],
      docs: ['conceptual/handling-a-netdma-interrupt-dpc.md', 'ddi/nf-netdma-netdmainterruptdpc.md', 'conceptual/completing-a-dma-transfer.md'],
    },
    checkedBy: ['interrupt-property'],
    ambiguities: [],
    reading:
      'handling-a-netdma-interrupt-dpc.md: the DPC passes "the physical address of the last completed DMA descriptor"; the NetDmaInterruptDpc page: it "notifies the NetDMA interface that a DMA transfer deferred procedure call (DPC) has completed". A descriptor older than one NetDMA was already given is not the last completed one, and NetDMA would complete the descriptors between them a second time. The same descriptor again is still the last completed one, but one interrupt is one DPC notification: it is allowed after a new NetDmaIsr (the engine raises an interrupt left pending while disarmed when the DPC re-arms, and that interrupt may find nothing newer), not twice for one interrupt. Judged at each call against the engine\'s own completion order.',
  },
] as const satisfies readonly RuleInput[];
