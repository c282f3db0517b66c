/**
 * Deliberate, realistic bugs that can be switched into a copy of the reference provider. The
 * faulty-provider catalog (candidates/faulty/) is built from these: each faulty provider is the
 * reference with one (or two) of them on, and declares the rule ids it must be rejected with.
 * The reference itself runs with none.
 */
export type Mutation =
  // driver-entry
  | 'entry-no-unload-routine' // forgets DriverObject->DriverUnload
  | 'entry-keeps-registry-path' // keeps the RegistryPath UNICODE_STRING and reads it at Unload
  | 'entry-leaks-on-failure' // a failed DriverEntry keeps its first pool allocation
  | 'entry-registers-provider' // registers a NetDMA provider from DriverEntry
  // add-device
  | 'add-leaves-initializing' // never clears DO_DEVICE_INITIALIZING
  | 'add-no-undo-on-register-failure' // a failed NetDmaRegisterProvider leaves the FDO attached
  | 'add-registers-twice' // registers two providers for one engine
  | 'add-maps-registers' // maps BAR0 in AddDevice (no resources yet)
  // register
  | 'register-suspend-without-resume' // sets SuspendDma but not ResumeDma
  | 'register-zero-max-channels' // MaxDmaChannelCount 0
  | 'register-wrong-size' // Size of the 2.0 structure for a 1.x provider (or the reverse)
  | 'register-version-too-high' // always registers as 2.0, whatever the interface says
  | 'register-no-friendly-name' // a 2.0 provider with an empty FriendlyName
  | 'register-no-affinity-handler' // SetDmaChannelCpuAffinity NULL on an MSI-X machine
  | 'register-affinity-not-supported' // the affinity handler returns STATUS_NOT_SUPPORTED, a status its page does not list
  | 'register-context-freed-early' // registers its per-engine pool block as ProviderContext and frees it at REMOVE before NetDmaDeregisterProvider
  // filter-resources
  | 'filter-ignores-affinities' // the affinity handler stores nothing, FILTER edits nothing
  | 'filter-edits-on-way-down' // edits the requirements before passing the IRP down
  // start
  | 'start-before-lower' // starts the hardware and NetDMA before the bus driver finished START
  | 'start-continues-failed-start' // ignores a START failed by the bus driver
  | 'start-small-max-transfer' // MaximumTransferSize 2048
  | 'start-channel-count-above-max' // DmaChannelCount above MaxDmaChannelCount
  | 'start-wrong-vendor' // a hard-coded vendor id instead of config space
  | 'start-before-interrupts' // NetDmaProviderStart before IoConnectInterruptEx
  | 'start-raw-resources' // maps the raw (bus-relative) BAR address
  | 'start-provider-twice' // calls NetDmaProviderStart twice on START
  | 'start-address-space-size' // MaximumAddressSpace 2^64, the size of a 64-bit address space, not its largest address
  | 'restart-keeps-old-resources' // on a START to a started device, stops the provider but keeps the old mapping and interrupts (and starts on the new ones too)
  // stop / query-stop
  | 'stop-no-provider-stop' // releases the hardware on STOP without NetDmaProviderStop
  | 'stop-completes-irp' // completes STOP instead of passing it down
  | 'stop-disconnect-before-provider-stop' // disconnects interrupts before NetDmaProviderStop
  | 'stop-keeps-hardware' // NetDmaProviderStop on STOP but keeps the registers mapped
  | 'stop-masks-interrupts-first' // masks the engine's interrupts (INTRCTRL 0) before NetDmaProviderStop, which waits for outstanding DMA
  | 'query-stop-stops-provider' // stops the provider on QUERY_STOP
  | 'cancel-stop-fails' // fails CANCEL_STOP
  // remove
  | 'remove-no-provider-stop' // deregisters a started provider without NetDmaProviderStop
  | 'remove-no-detach' // deletes the FDO without IoDetachDevice
  | 'remove-no-deregister' // never deregisters
  | 'remove-stop-after-deregister' // at REMOVE calls NetDmaProviderStop (always, started or not) after NetDmaDeregisterProvider instead of before
  | 'remove-delete-before-deregister' // IoDeleteDevice before NetDmaDeregisterProvider
  | 'cancel-remove-fails' // fails CANCEL_REMOVE
  | 'query-remove-not-supported' // returns STATUS_NOT_SUPPORTED for QUERY_REMOVE
  // surprise removal
  | 'surprise-no-stop' // passes SURPRISE_REMOVAL down without stopping the provider
  | 'surprise-deletes-device' // detaches and deletes the FDO on SURPRISE_REMOVAL
  | 'surprise-deregisters-twice' // deregisters the provider during SURPRISE_REMOVAL and again at REMOVE
  | 'surprise-forgets-deregister' // after a surprise removal, REMOVE only passes the IRP down (as if SURPRISE_REMOVAL had cleaned up everything): never deregisters, detaches or deletes
  // unload
  | 'unload-leaks-registry-copy' // Unload forgets to free the registry path copy
  // power
  | 'power-no-notify' // never calls NetDmaPnPEventNotify
  | 'power-notify-after-pass-down' // notifies PowerDown after passing the D3 IRP down
  | 'power-notify-on-1-0' // looks up NetDmaPnPEventNotify even as a 1.0 provider
  // irql / kernel api / irp
  | 'irql-lock-held-on-return' // AllocateDmaChannel returns holding its spin lock
  | 'irql-wait-at-dispatch' // waits for the START completion while holding a spin lock
  | 'irql-handler-paged-pool' // AllocateDmaChannel takes its channel block from PagedPool
  | 'irp-touches-unhandled-status' // sets STATUS_SUCCESS on IRPs it does not handle
  | 'irp-double-complete' // completes CANCEL_REMOVE twice
  | 'irp-pending-without-mark' // returns STATUS_PENDING from START without IoMarkIrpPending
  | 'irp-completion-continues' // the START completion routine signals its event but returns STATUS_SUCCESS, and the dispatch routine completes the IRP again
  | 'kapi-double-free' // frees the provider context block twice at REMOVE
  | 'kapi-throws-on-query-capabilities' // throws (an unhandled exception) on an IRP it does not know
  | 'kapi-returns-undefined' // the dispatch routine returns nothing for QUERY_REMOVE
  // channel
  | 'lowres-alloc-leaks-ring' // ProviderAllocateDmaChannel allocates a descriptor ring first and returns the channel allocation's failure without freeing it (candidates/faulty/low-resources-bugs.ts)
  | 'lowres-start-fail-keeps-mapping' // a START that fails after MmMapIoSpace leaves the registers mapped until REMOVE (candidates/faulty/low-resources-bugs.ts)
  | 'lowres-start-keeps-bus-interface' // dereferences the START's BUS_INTERFACE_STANDARD only once START succeeded (candidates/faulty/low-resources-bugs.ts)
  | 'lowres-start-ignores-hardware' // completes START with STATUS_SUCCESS when MmMapIoSpace, IoConnectInterruptEx or the bus interface failed (candidates/faulty/low-resources-bugs.ts)
  | 'channel-cpu-outside-mask' // reports CpuNumber outside ProcessorAffinityMask
  | 'channel-not-ready-at-start' // refuses AllocateDmaChannel until START has returned
  | 'channel-ignores-interrupt-cpu' // AllocateDmaChannel hands out the first free channel, wherever its interrupt goes
  | 'channel-cpu-lowest-in-mask' // AllocateDmaChannel reports the lowest CPU of the mask, not the one its channel's interrupt targets
  // data path (issue #3)
  | 'dp-start-skips-null-head' // ProviderStartDma skips a leading NULL descriptor (nothing to copy), losing its completion
  | 'dp-append-no-command' // 1.x ProviderAppendDma never writes CHANCMD APPEND, so an idle engine never re-reads the tail
  | 'dp-dmacount-miscounted' // 2.0 ProviderAppendDma adds DescriptorCount - 1 to DMACOUNT
  | 'dp-suspend-reports-head' // ProviderSuspendDma reports the head of the last Start/Append, not the last processed descriptor
  | 'dp-suspend-reads-before-suspend' // ProviderSuspendDma reads CHANSTS before writing SUSPEND (the engine may go on meanwhile)
  | 'dp-abort-is-suspend' // ProviderAbortDma writes SUSPEND instead of ABORT
  | 'dp-reset-no-reset' // ProviderResetChannel only aborts: the channel is not back in its just-allocated state
  | 'dp-isr-stale-descriptor' // the ISR passes NetDmaIsr the descriptor it saw at the previous interrupt
  | 'dp-dpc-wrong-cpu' // the DPC is targeted at the interrupt's CPU, not the one NetDmaIsr returned
  | 'dp-no-null-after-error' // the DPC reports the last descriptor even after an error, never NULL
  | 'dp-dpc-null-when-idle' // the DPC passes NULL when it finds the channel idle ("nothing to report"), hiding the batch's last completion
  | 'dp-error-sticky' // the software error flag is never cleared: after an error every completion is reported as NULL
  | 'dp-no-rearm' // the DPC never re-arms the channel interrupt (CHANCTRL.INT_REARM)
  | 'dp-isr-resets-channel' // the ISR resets a channel it finds halted on an error (CHANCMD RESET) instead of leaving recovery to ProviderResetChannel
  | 'dp-start-writes-user-context' // ProviderStartDma keeps its bookkeeping in the head descriptor's UserContext1
  | 'dp-append-races-isr' // Append read-modify-writes a flags word the ISR also sets, across a register write, without KeSynchronizeExecution
  | 'dp-flagless-gets-defaults' // Start/Append read ControlFlags 0 as "the defaults" and set STATUS_UPDATE_ON_COMPLETION | INTERRUPT_ON_COMPLETION
  | 'dp-max-transfer-exclusive' // Start/Append refuse a descriptor of exactly MaximumTransferSize (the bound taken as exclusive)
  // DCA and power context loss
  | 'dca-binds-current-cpu' // DCACTRL binds completion writes to the CPU running ProviderAllocateDmaChannel, not to CpuNumber
  | 'dca-context-change-as-null' // ProviderStartDma turns a context-change descriptor into a NULL transfer (the engine never retargets)
  | 'power-no-reinit' // back in D0 the provider notifies PowerUp (1.1+) but never re-programs the engine that lost its context in D3
  // the machine drawn per run (issue 13): switched on by candidates/faulty/machine-faults.ts at the reference's register and interrupt services
  | 'machine-chancmp-ulong' // writes CHANCMP with WRITE_REGISTER_ULONG: the completion address keeps its low 32 bits only
  | 'machine-chainaddr-ulong' // writes CHAINADDR with WRITE_REGISTER_ULONG: the descriptor address keeps its low 32 bits only
  | 'machine-isr-four-channels' // its ISR has a table of 4 channels: messages 4 and up, and ATTNSTATUS bits 4 and up, are never serviced
  // kernel services: switched on in candidates/correct/wdm-services (the reference plus a remove
  // lock, a watchdog timer, ExAllocatePool2, a device interface and WMI); the reference has none of these
  | 'svc-rlock-release-twice' // releases the remove lock a second time for an IRP it only passes down
  | 'svc-rlock-leak-on-query-remove' // QUERY_REMOVE returns without releasing its remove lock acquisition
  | 'svc-timer-not-cancelled-at-remove' // cancels the watchdog timer at STOP and SURPRISE_REMOVAL but not at REMOVE
  | 'svc-pool2-zero-tag' // allocates its statistics block with ExAllocatePool2 and a zero pool tag
  | 'svc-interface-link-freed-first' // at REMOVE frees the interface's symbolic link name, then disables the interface through it
  | 'svc-wmi-no-deregister' // never deregisters from WMI before IoDeleteDevice
  // the rest of the PnP and I/O surface (issue 12)
  | 'query-id-completes-itself' // answers IRP_MN_QUERY_ID itself (its own device id, STATUS_SUCCESS) instead of passing it to the bus driver
  | 'caps-completes-without-bus' // completes IRP_MN_QUERY_CAPABILITIES itself without passing it down, so the bus driver never fills the capabilities
  | 'usage-completed-here' // completes IRP_MN_DEVICE_USAGE_NOTIFICATION with STATUS_SUCCESS without passing it down
  | 'paging-keeps-pagable' // as a 1.0 provider takes part in the paging path and sets DO_POWER_PAGABLE on its FDO
  | 'paging-no-veto' // as a 1.0 provider takes part in the paging path (DEVICE_USAGE_NOTIFICATION) but still grants QUERY_STOP and QUERY_REMOVE
  | 'create-after-query-remove' // has create/cleanup/close routines that succeed every create, even after a granted QUERY_REMOVE
  | 'hold-never-released' // sets its hold on channel allocations at QUERY_STOP and never clears it: not at CANCEL_STOP, not at the START after a rebalance
  | 'filter-reorders-descriptors' // moves BAR0 behind the interrupt descriptors of the filtered requirements
  | 'rebalance-start-count-drift' // a start budget of two, spent by successful starts too and never reset at a rebalance: the third START skips NetDmaProviderStart (candidates/faulty/long-chain.ts)
  | 'filter-edits-not-success' // targets the messages on the way up but completes FILTER_RESOURCE_REQUIREMENTS with STATUS_NOT_SUPPORTED
  | 'completion-no-mark' // passes QUERY_CAPABILITIES down with a completion routine that never marks the IRP pending, returning IoCallDriver's STATUS_PENDING

  // history (issue 13; candidates/faulty/history-faults.ts, on the kernel services, the reference's source untouched)
  | 'dp-dpc-reports-twice' // the DPC calls NetDmaInterruptDpc twice with the same descriptor
  | 'dp-dpc-null-then-faulting' // after an error's NULL the DPC also reports the descriptor the ISR saw (the faulting one)
  | 'chanctrl-no-halt-status' // the channel run value leaves CHANCTRL.ERR_COMPLETION_EN out
  | 'add-without-secure-open' // IoCreateDevice without FILE_DEVICE_SECURE_OPEN
  | 'remove-returns-success' // REMOVE returns STATUS_SUCCESS whatever IoCallDriver returned

  // system power and the power-policy owner (power-policy.ts; issue 12)
  | 'power-owner-completes-early' // as power-policy owner, passes the system SET_POWER down right after requesting D3, without waiting for the D-IRP
  | 'power-owner-powerdown-late' // as power-policy owner, announces PowerDown from the D3 IRP's completion function, after the device is already in D3
  | 'power-owner-never-completes' // as power-policy owner, never completes the S0 system IRP once its D0 IRP has completed
  | 'power-query-completes-success' // completes a system QUERY_POWER with STATUS_SUCCESS itself, without asking the lower drivers
  | 'power-clears-pagable' // sets DO_POWER_PAGABLE when it creates the FDO but clears it at START, then calls NetDmaPnPEventNotify (PASSIVE_LEVEL only) in its power dispatch
  // engine timing (issue 13; switched on by candidates/faulty/engine-timing.ts around the reference's kernel services)
  | 'eng-reset-no-poll' // the RESET wait tests the wrong CHANCMD bit, so every channel is programmed while its RESET is still in progress
  | 'eng-append-skips-when-active'; // 1.x Append skips CHANCMD APPEND while CHANSTS says ACTIVE ("the engine has not reached the old tail yet")

/** The kernel-service mutations, which apply to candidates/correct/wdm-services rather than the reference. */
export const SERVICE_MUTATIONS: ReadonlySet<Mutation> = new Set<Mutation>([
  'svc-rlock-release-twice',
  'svc-rlock-leak-on-query-remove',
  'svc-timer-not-cancelled-at-remove',
  'svc-pool2-zero-tag',
  'svc-interface-link-freed-first',
  'svc-wmi-no-deregister',
]);

/** Convenience: the empty mutation set of the conformant reference. */
export const NO_MUTATIONS: ReadonlySet<Mutation> = new Set();

/** The low-resources mutations, which wrap the reference's kernel services (candidates/faulty/low-resources-bugs.ts). */
export const LOW_RESOURCE_MUTATIONS: ReadonlySet<Mutation> = new Set<Mutation>(['lowres-alloc-leaks-ring', 'lowres-start-ignores-hardware', 'lowres-start-fail-keeps-mapping', 'lowres-start-keeps-bus-interface']);
