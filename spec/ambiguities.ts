/**
 * The suite's decision on each ambiguity A1–A16 indexed at the end of
 * `shared/wdk-netdma/FACTS.md`, with the rules that encode it.
 * @packageDocumentation
 */
import type { AmbiguityDecisionInput } from './schema';

/** Unvalidated decisions, one per ambiguity, in id order. Validate through `spec/index.ts` (`AMBIGUITIES`). */
export const AMBIGUITY_DATA = [
  {
    id: 'A1',
    title: 'Descriptor alignment',
    question:
      'The docs say descriptors are aligned to "64-bit boundaries" and therefore have six free low bits for the completion status; 8-byte alignment frees only three bits.',
    decision:
      'Descriptors are 64-byte aligned: the simulated NetDMA places every descriptor on a 64-byte boundary, so the low 6 bits of a descriptor physical address are zero and the completion word is PA | status, with the status in the bits of NET_DMA_TRANSFER_STATUS_MASK (0x7) and the remaining low bits 0.',
    rationale:
      'Six free bits need 64-byte alignment, sizeof(NET_DMA_DESCRIPTOR) is 64 bytes, and the Crystal Beach engine the descriptor is modelled on fetches 64-byte descriptors; "64-bit" is the documentation slip, "six bits" is the contract engines are built on.',
    facts: ['F33', 'F23'],
    rules: ['NDMA-DP-03'],
  },
  {
    id: 'A2',
    title: 'Missing numeric values',
    question:
      'The docs give no numbers for the ControlFlags bits, the NetDmaTransferStatus* codes, the *_REVISION_* constants or NET_DMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED.',
    decision:
      'The suite uses the values of the public netdma.h header listed in FACTS.md section g as the wire values (for example NET_DMA_STATUS_UPDATE_ON_COMPLETION 0x8, NetDmaTransferStatusIdle 1, NET_DMA_PNP_NOTIFICATION_REVISION_1 1, DCA_SUPPORTED 0x1).',
    rationale:
      'A provider binary is compiled against netdma.h, so the header values are what it actually exchanges with NetDMA; the docs only omit them.',
    facts: ['F17c', 'F19a', 'F21', 'F33', 'F35'],
    rules: ['NDMA-REG-03', 'NDMA-DP-03', 'NDMA-DP-04', 'PWR-03', 'NDMA-DCA-01'],
  },
  {
    id: 'A3',
    title: 'No Revision member in the provider structures',
    question:
      'NET_DMA_PROVIDER_CHARACTERISTICS and NET_DMA_PROVIDER_ATTRIBUTES have no Revision member and no documented NET_DMA_PROVIDER_CHARACTERISTICS_REVISION_* constant, so how are they versioned?',
    decision:
      'The structures are versioned by MajorVersion.MinorVersion plus Size: the suite checks Size against sizeof for the registered version (the 2.0 characteristics include FriendlyName, the 1.x ones do not) and does not look for a Revision field.',
    rationale:
      'That is the only versioning information the structures carry; NET_DMA_PROVIDER_REVISION_1/2 exist in the header but have no member to go into.',
    facts: ['F17g', 'F17b', 'F18'],
    rules: ['NDMA-REG-02', 'PNP-START-05'],
  },
  {
    id: 'A4',
    title: 'STATUS_RESOURCES',
    question: 'Several pages list "STATUS_RESOURCES" as a return value, which is not a standard NTSTATUS name.',
    decision:
      'STATUS_RESOURCES means STATUS_INSUFFICIENT_RESOURCES (0xC000009A): the suite accepts it where the docs list STATUS_RESOURCES and rejects any other undocumented status, and a failure return from the affinity handler fails the registration.',
    rationale:
      'STATUS_INSUFFICIENT_RESOURCES is the NTSTATUS the docs describe ("insufficient resources") and the one WDM drivers return for allocation failures; no other constant fits.',
    facts: ['F8a', 'F24', 'F25', 'F27'],
    rules: ['KAPI-06', 'NDMA-CHAN-03', 'NDMA-REG-09'],
  },
  {
    id: 'A5',
    title: 'Parameter direction and type errors',
    question:
      'pNetDmaProviderHandle is annotated [in] but is an output; ProviderSuspendDma takes PPHYSICAL_ADDRESS *; DescriptorPhysicalAddress and the NetDmaInterruptDpc descriptor are called pointers but passed as PHYSICAL_ADDRESS values; NULL is undefined for a PHYSICAL_ADDRESS; and the conceptual page has the provider pass NULL to NetDmaInterruptDpc "when there is an error", while the DDI page marks DmaDescriptor [in, optional] (_In_opt_) and netdma.h calls it optional "if this is called for reasons other than DMA completion", and nothing lets NetDMA tell the two NULLs apart.',
    decision:
      'The suite follows the semantics, not the annotations: NetDMA writes the provider handle through pNetDmaProviderHandle just before NetDmaRegisterProvider returns (after any affinity callback); pLastDescriptor is one level of indirection to a PHYSICAL_ADDRESS the provider fills; descriptor addresses are passed by value; a NULL PHYSICAL_ADDRESS is QuadPart == 0. NetDmaInterruptDpc may be called with NULL with or without an error: after an error (seen since the previous DPC) it reports the error (F13a); without one it is a call for another reason (a spurious or duplicate interrupt, housekeeping) that reports nothing, so it must not take the place of a completion: every completed descriptor that asked for an interrupt must still be reported by address (its own or a later one) by some NetDmaInterruptDpc, else NDMA-INT-03 fails.',
    rationale:
      'These readings are the only ones consistent with the described behaviour and with how the parameters are used; the annotations are documentation errors. The conceptual sentence says what the provider passes on an error, not that NULL is reserved to errors, and the header and the DDI page make the argument optional for calls that are not about a completion; since NetDMA cannot tell such a NULL from an error NULL, the one thing a provider cannot rely on is a NULL reporting a completion, which is what the suite checks.',
    facts: ['F8c', 'F29', 'F27c', 'F13a', 'F13'],
    rules: ['NDMA-REG-09', 'NDMA-DEREG-01', 'NDMA-DP-06', 'NDMA-DP-09', 'NDMA-DP-18', 'NDMA-INT-03'],
  },
  {
    id: 'A6',
    title: 'When Start is required; when the Reset state is reached',
    question:
      'Start is required after "reset or stop" (conceptual) or after Abort, Reset and Allocate (DDI); the Reset state is reached "before" or "after" the reset operation completes.',
    decision:
      'The simulated NetDMA issues ProviderStartDma as the first operation after Allocate, Abort and Reset, and never Append before it; the channel must be in its just-allocated state, with the engine stopped, when ProviderResetChannel (and ProviderAbortDma) returns.',
    rationale:
      'The DDI list is the complete one (a freshly allocated channel has no list to append to), and a caller can only rely on a state that holds when the call returns, so "before the reset completes" is the reading that lets NetDMA reuse descriptor memory safely.',
    facts: ['F27a', 'F28', 'F31', 'F32'],
    rules: ['NDMA-DP-12', 'NDMA-DP-13', 'NDMA-CHAN-06'],
  },
  {
    id: 'A7',
    title: 'Readiness before NetDmaProviderStart: MUST or SHOULD',
    question: 'The conceptual page says the provider "must be ready" before NetDmaProviderStart; the DDI page says "should".',
    decision:
      'Readiness is treated as MUST: from the moment NetDmaProviderStart is called, channel allocation up to DmaChannelCount and transfers must succeed, so the simulated NetDMA allocates and copies immediately, even from inside the call.',
    rationale:
      'NetDMA may hand the provider to clients as soon as it is started, and nothing tells NetDMA to wait; a provider that is not ready loses or fails client copies.',
    facts: ['F10b', 'F121'],
    rules: ['PNP-START-04', 'NDMA-CHAN-01'],
  },
  {
    id: 'A8',
    title: 'The affinity handler during registration',
    question:
      'NetDMA "calls" or "can call" ProviderSetDmaChannelCpuAffinity inside NetDmaRegisterProvider; whether the handler may be NULL; what a failure return does.',
    decision:
      'On an MSI-X machine the simulated NetDMA always calls the handler during registration, so it MUST be non-NULL there and MAY be NULL otherwise; a documented failure return from it (STATUS_RESOURCES read as STATUS_INSUFFICIENT_RESOURCES, A4, or STATUS_UNSUCCESSFUL) is a legal answer, not a violation, and fails NetDmaRegisterProvider with STATUS_UNSUCCESSFUL, after which the provider must undo AddDevice as for any failed registration; any other return value is a violation.',
    rationale:
      'Testing the "calls" reading is the stricter one and costs a correct provider nothing; the handler is on neither the mandatory nor the optional list, but F47 makes setting the affinities a MUST on MSI-X machines, which a NULL handler cannot do; without MSI-X there is nothing for it to set. The handler\'s page lists STATUS_RESOURCES ("insufficient resources") and STATUS_UNSUCCESSFUL ("failed for unspecified reasons") as returns beside STATUS_SUCCESS (F24), so a handler that cannot keep the array may say so; the page is silent on the effect, and failing the registration is the only reading under which NetDMA does not go on with affinities the provider never stored.',
    facts: ['F8e', 'F17h', 'F24', 'F47'],
    rules: ['NDMA-REG-09', 'PNP-FILTER-02', 'NDMA-CHAN-05'],
  },
  {
    id: 'A9',
    title: 'NULL-terminated or counted descriptor lists',
    question:
      'The descriptor page says the last NextDescriptor is NULL, while the 2.0 pages say 2.0 lists are not NULL-terminated.',
    decision:
      'Providers registered as 1.0 or 1.1 get NULL-terminated lists and Append patches the old tail; providers registered as 2.0 get counted lists whose tail NextDescriptor points at the next Append\'s first descriptor, and they must honour DescriptorCount.',
    rationale:
      'The NULL-terminator sentence predates 2.0 and was not updated; the 2.0 extension pages describe the counter mechanism in detail and explain why NetDMA no longer patches the tail.',
    facts: ['F36', 'F27d', 'F28'],
    rules: ['NDMA-DP-07', 'NDMA-DP-08'],
  },
  {
    id: 'A10',
    title: 'Operation type bits and empty ControlFlags',
    question:
      'NET_DMA_OP_TYPE_MASK bits are said to be set to zero by NetDMA, yet NET_DMA_OP_TYPE_CONTEXT_CHANGE is an operation type; whether ControlFlags may be 0.',
    decision:
      'Operation type 0 (NET_DMA_OP_TYPE_STANDARD_DMA) is a standard copy and NET_DMA_OP_TYPE_CONTEXT_CHANGE (0xFF000000) is the only other value, sent only to providers that set DCA_SUPPORTED; ControlFlags 0 is legal and means a plain copy with no status write and no interrupt. The simulated NetDMA sends a DCA provider a context change (ControlFlags NET_DMA_OP_TYPE_CONTEXT_CHANGE | NET_DMA_DCA_CONTEXT_CHANGE | NET_DMA_STATUS_UPDATE_ON_COMPLETION, DCAContext8 = the APIC id of a target CPU; in the simulated machine the APIC id of CPU n is n) as the only descriptor of a ProviderStartDma right after allocation, after ProviderResetChannel and after power-up. The per-descriptor flag NET_DMA_DESTINATION_DCA_ENABLE is not a context change: the simulated 2.0 NetDMA sets it on some copies for every provider, and one without DCA_SUPPORTED must ignore it (NDMA-DCA-02). Whether an engine does DCA is the hardware\'s to say: the simulated engine advertises it in a vendor-specific PCI capability (ENGINE_FEATURE_DCA), the data-path runs draw engines with and without it, and an engine without it has no DCACTRL, so a provider declares DCA_SUPPORTED only when its engine has the capability.',
    rationale:
      '"Set to zero" describes standard descriptors, which is what 1.x NetDMA sends; a zero flag word just selects every documented "flag clear" behaviour, each of which is defined.',
    facts: ['F35', 'F40'],
    rules: ['NDMA-DP-20', 'NDMA-DCA-02', 'NDMA-DCA-03'],
  },
  {
    id: 'A11',
    title: 'Concurrency and re-entrancy of callbacks',
    question:
      'The docs do not say whether callbacks on one channel, on different channels, or against the ISR/DPC can run at the same time, or whether Start/Append can be called from inside NetDmaInterruptDpc.',
    decision:
      'The simulated NetDMA never calls two handlers of one channel at the same time, but handlers of different channels and the provider\'s own ISR and DPC may interleave with them on other processors; Start and Append are not called from inside NetDmaInterruptDpc.',
    rationale:
      'Per-channel serialization is what a single client owning a channel naturally provides (a channel is not shared), while cross-channel and interrupt concurrency is what a multiprocessor kernel produces anyway, so a provider must lock shared state; re-entrant submission from the DPC is excluded because the docs give a provider no way to expect it.',
    facts: ['F32a', 'F6'],
    rules: ['NDMA-CHAN-09', 'KE-IRQL-05'],
  },
  {
    id: 'A12',
    title: 'Power: blocking, IRP mapping, channels, 1.0 paging path',
    question:
      'Whether NetDmaPnPEventNotify(PowerDown) blocks until outstanding copies drain, which power IRPs map to PowerDown/PowerUp, whether channels stay allocated across power-down, and how the 1.0 paging-path trick fits the WDM query rules.',
    decision:
      'PowerDown does not block: the simulated NetDMA quiesces its clients before returning from the call; an IRP_MN_SET_POWER whose DevicePowerState leaves D0 maps to PowerDown and one returning to D0 maps to PowerUp; channels stay allocated across power-down and NetDMA restarts each with ProviderStartDma (a context change for a DCA provider, else a NULL operation) inside the PowerUp call; the engine loses its register context when the D3 IRP reaches the bus driver (a function reset), so the provider re-initializes it on its way back to D0; for 1.0 providers, which cannot notify, NetDMA lets outstanding copies finish before the D3 IRP (the effect of the paging path) and restarts each channel with a NULL-operation Start once the D0 IRP has completed (F39); 1.0 providers are not checked for the paging-path declaration itself. System power (issue 12): the simulated power manager sends system IRPs to the top of the stack — IRP_MN_QUERY_POWER for S1–S4 (a refusal, by the FDO or a lower driver, cancels the transition with IRP_MN_SET_POWER(S0)), then IRP_MN_SET_POWER for S1, S3, S4 or S5 with Parameters.Power.ShutdownType, then (but after S5, which ends the run) IRP_MN_SET_POWER(S0); an FDO that requests a device IRP with PoRequestPowerIrp while it holds the system IRP is that transition\'s power-policy owner and completes the system IRP only after its device IRP completed (PWR-10); when the FDO requests none, the stack\'s owner sends the D3 (or D0) IRP itself once the system IRP completed, as the device power steps do; "leaving the working state" is the device reaching D3 at the bus driver and "returning" is the D0 IRP having reached it, whichever IRP\'s path the provider announces PowerDown and PowerUp in (the system IRP\'s, or the device IRP\'s); a PowerDown is followed by PowerUp before the transition is over; a system query is granted by passing it down and refused by failing it (PWR-11); power IRPs arrive at PASSIVE_LEVEL unless the FDO sets DO_POWER_INRUSH (DISPATCH_LEVEL) or sets DO_POWER_PAGABLE and clears it again (either IRQL, drawn from the seed); PoSetPowerState and PoStartNextPowerIrp are accepted and not required.',
    rationale:
      'The PowerUp text restarts "all of the allocated channels", so channels survive; D-state changes of the device are what "low-power state" means for a function driver; the paging-path declaration conflicts with WDM query-stop/remove rules and cannot be judged from the NetDMA docs, so the suite does not test it. Who owns the device\'s power policy is not in the saved pages; in WDM it is normally the FDO, converting system IRPs into device IRPs with PoRequestPowerIrp, while the suite\'s harness has always sent the device IRPs itself: both designs are what Windows runs, so both are accepted, and the NetDMA notifications are tied to what the device does (reaching D3, being back in D0), not to which IRP the provider handles when it announces them (finding 12). The IRQL follows the DO_POWER_PAGABLE page\'s rule (a pageable driver is called at PASSIVE_LEVEL; a non-pageable one may be called at DISPATCH_LEVEL), narrowed to a driver that cleared the flag it had set, since IoCreateDevice leaves it clear and no saved page requires a NetDMA provider to set it.',
    facts: ['F50', 'F51', 'F39'],
    rules: ['PWR-01', 'PWR-02', 'PWR-04', 'PWR-06', 'PWR-07', 'PWR-09', 'PWR-10', 'PWR-11'],
  },
  {
    id: 'A13',
    title: 'NetDMA and SURPRISE_REMOVAL, QUERY_STOP, QUERY_REMOVE; never-started providers',
    question:
      'The NetDMA docs give no guidance for SURPRISE_REMOVAL, QUERY_STOP or QUERY_REMOVE, and do not say whether NetDmaProviderStop is needed for a provider that was registered but never started.',
    decision:
      'A started provider calls NetDmaProviderStop during SURPRISE_REMOVAL; NetDmaDeregisterProvider is called once, at REMOVE or already during a SURPRISE_REMOVAL that precedes it; queries and cancels never stop or deregister; a provider that is not started (never started, or already stopped) may be deregistered with or without a NetDmaProviderStop before it — both readings are accepted — but Stop is never called after NetDmaDeregisterProvider.',
    rationale:
      'WDM requires hardware resources to be released on surprise removal and NetDmaProviderStop must precede releasing them; queries can be cancelled, after which the device must still work. "The NetDMA provider driver must call NetDmaProviderStop before it deregisters a provider" has no exception and Stop and Start may be called "as many times as the application requires after the driver registers the NetDMA provider and before it deregisters" it, so a Stop of a never-started provider is allowed (issue 12, stop-always); the same pages say Stop announces that "a previously started" provider is gone, so omitting it for a provider that never started is allowed too. The deregistering page says a provider "typically" deregisters at REMOVE (the DDI page: "usually"), and the surprise-removal page has the driver release its resources and "clean up any device-specific allocations" there, keeping only the device object until REMOVE, so deregistering during SURPRISE_REMOVAL is allowed (issue 12, surprise-teardown); deregistering twice or never is not.',
    facts: ['F9', 'F11e', 'F114', 'F122', 'F108', 'F111'],
    rules: ['PNP-SURP-02', 'NDMA-STOP-01', 'PNP-QSTOP-02', 'PNP-QREM-02', 'PNP-REM-03'],
  },
  {
    id: 'A14',
    title: 'ProcessorAffinityMask is 32 bits wide',
    question:
      'ProcessorAffinityMask is a ULONG, so only CPUs 0–31 fit; NetDMA 2.1 (more than 64 CPUs) is mentioned only in passing.',
    decision:
      'The suite simulates machines with 1 to 64 processors in group 0 (issue 13: the machine is drawn per run). NetDMA\'s ProcessorAffinityMask names processors 0–31 only (a machine with more has its NetDMA channels on those), ProcessorAffinityMaskEx says the same when NET_DMA_CHANNEL_PARAMETERS_REVISION_2 is passed, and CpuNumber is checked against ProcessorAffinityMask. Interrupt affinities (KAFFINITY: the resources\' Affinity, TargetedProcessors, TargetProcessorSet) are 64 bits wide and name processors 32–63 on larger machines, where NetDMA\'s affinity array (NET_DMA_CHANNEL_CPU_AFFINITY.CpuNumber, a ULONG) can name them too.',
    rationale:
      'Within 32 CPUs both masks say the same thing, so a provider is judged only on documented behaviour; NetDMA 2.1 processor groups are undocumented and out of scope. Machines with 33 to 64 processors in one group are ordinary x64 Windows systems: a provider there must not shift a 32-bit mask by a processor number of 32 or more.',
    facts: ['F19d', 'F19g', 'F4'],
    rules: ['NDMA-CHAN-02'],
  },
  {
    id: 'A15',
    title: 'MSI versus MSI-X; DmaChannelCount bound',
    question:
      'The interrupt page mixes "MSI" and "MSI-X" and does not cover a machine with MSI but not MSI-X; the docs never say DmaChannelCount ≤ MaxDmaChannelCount.',
    decision:
      'On an MSI-X machine the provider must use MSI-X; on a machine with MSI but not MSI-X it must use message-signaled interrupts (and NetDMA does not call the affinity handler); line-based interrupts are allowed only without MSI; DmaChannelCount must not exceed MaxDmaChannelCount.',
    rationale:
      'The page\'s intent is "message-signaled whenever the machine can, with per-channel vectors when it can"; and a "maximum" that the actual count may exceed would not be a maximum (NetDMA sizes its affinity array by it).',
    facts: ['F46', 'F18', 'F17e', 'F24'],
    rules: ['NDMA-INT-04', 'NDMA-INT-08', 'PNP-START-08', 'PNP-FILTER-02'],
  },
  {
    id: 'A16',
    title: 'Resume page names Suspend as optional',
    question: 'The ProviderResumeDma page says "The ProviderSuspendDma function is an optional function".',
    decision:
      'The remark is a copy-paste error: ProviderResumeDma is optional only together with ProviderSuspendDma, so a non-NULL Suspend requires a non-NULL Resume, and a provider with neither is valid.',
    rationale:
      'Both the Suspend/Resume conceptual page and the Resume DDI text state that Resume is required when Suspend is provided; the remark repeats the Suspend page verbatim.',
    facts: ['F30', 'F17h'],
    rules: ['NDMA-REG-07', 'NDMA-DP-10'],
  },
] as const satisfies readonly AmbiguityDecisionInput[];
