import type { RuleId } from '../../spec';
import type { Mutation } from '../../src/reference/mutations';

/** Interface versions a faulty provider's bug can show on. */
export type Version = '1.0' | '1.1' | '2.0';

/** One faulty provider: the reference with a realistic bug, and the rule(s) that must reject it. */
export interface FaultyEntry {
  /** File name under candidates/faulty/ (without .ts) and the mutation it switches on. */
  readonly name: Mutation;
  /** The bug, as a driver author would describe it. */
  readonly bug: string;
  /** The suite must reject it with one of these rule ids. */
  readonly expects: readonly RuleId[];
  /** Versions on which the bug is observable (default: all). */
  readonly versions?: readonly Version[];
  /**
   * The shortest lifecycle counterexample that can show the bug, in steps as `failure.steps`
   * counts them (DriverEntry and AddDevice are steps; so are the teardown's IRPs and Unload when
   * the bug only shows there). The kill matrix and properties/power hold the shrunk
   * counterexample against it.
   */
  readonly minimalSteps?: number;
}

/** The faulty lifecycle providers: every rule family has at least one. */
export const FAULTY_LIFECYCLE: readonly FaultyEntry[] = [
  { name: 'entry-no-unload-routine', bug: 'DriverEntry never sets DriverUnload', expects: ['DRV-ENTRY-01'], minimalSteps: 1 }, // DriverEntry alone: checked when it returns
  { name: 'entry-keeps-registry-path', bug: 'keeps the RegistryPath UNICODE_STRING and reads it in Unload', expects: ['DRV-ENTRY-02'], minimalSteps: 3 }, // DriverEntry, an AddDevice made to fail (nothing to remove), Unload reads the kept path
  { name: 'entry-leaks-on-failure', bug: 'a DriverEntry that fails its second allocation keeps the first', expects: ['DRV-ENTRY-03'], minimalSteps: 1 }, // DriverEntry with its second allocation failing
  { name: 'entry-registers-provider', bug: 'registers a NetDMA provider from DriverEntry instead of AddDevice', expects: ['DRV-ENTRY-04'], minimalSteps: 1 }, // DriverEntry alone
  { name: 'add-leaves-initializing', bug: 'AddDevice never clears DO_DEVICE_INITIALIZING', expects: ['DRV-ADD-02'], minimalSteps: 2 }, // DriverEntry, AddDevice
  { name: 'add-no-undo-on-register-failure', bug: 'a failed NetDmaRegisterProvider leaves the FDO attached', expects: ['DRV-ADD-04'], minimalSteps: 2 }, // DriverEntry, the first AddDevice with registration failing
  { name: 'add-registers-twice', bug: 'AddDevice registers two providers for one engine', expects: ['DRV-ADD-03'], minimalSteps: 2 }, // DriverEntry, AddDevice
  { name: 'add-maps-registers', bug: 'maps BAR0 in AddDevice, before any resources exist', expects: ['DRV-ADD-05'], minimalSteps: 2 }, // DriverEntry, AddDevice
  { name: 'register-suspend-without-resume', bug: 'sets SuspendDma but leaves ResumeDma NULL', expects: ['NDMA-REG-07'], minimalSteps: 2 }, // DriverEntry, AddDevice (checked at registration)
  { name: 'register-zero-max-channels', bug: 'MaxDmaChannelCount is 0', expects: ['NDMA-REG-05'], minimalSteps: 2 }, // DriverEntry, AddDevice
  { name: 'register-wrong-size', bug: 'Size of the wrong NET_DMA_PROVIDER_CHARACTERISTICS version', expects: ['NDMA-REG-02'], minimalSteps: 2 }, // DriverEntry, AddDevice
  { name: 'register-version-too-high', bug: 'always registers as 2.0, whatever NetDmaGetVersion says', expects: ['NDMA-REG-01'], versions: ['1.0', '1.1'], minimalSteps: 2 }, // DriverEntry, AddDevice
  { name: 'register-no-friendly-name', bug: 'a 2.0 provider with an empty FriendlyName', expects: ['NDMA-REG-08'], versions: ['2.0'], minimalSteps: 2 }, // DriverEntry, AddDevice
  { name: 'register-no-affinity-handler', bug: 'SetDmaChannelCpuAffinity NULL on an MSI-X machine', expects: ['NDMA-REG-09'], minimalSteps: 2 }, // DriverEntry, AddDevice (NetDMA calls the handler inside registration)
  { name: 'register-affinity-not-supported', bug: 'ProviderSetDmaChannelCpuAffinity returns STATUS_NOT_SUPPORTED, which its page does not list (STATUS_SUCCESS, STATUS_RESOURCES, STATUS_UNSUCCESSFUL)', expects: ['NDMA-REG-09'], minimalSteps: 2 }, // DriverEntry, AddDevice (NetDMA calls the handler inside registration on an MSI-X machine)
  { name: 'register-context-freed-early', bug: 'registers its per-engine pool block as ProviderContext and frees it at REMOVE before NetDmaDeregisterProvider', expects: ['NDMA-REG-11'], minimalSteps: 3 }, // DriverEntry, AddDevice, REMOVE (legal before START)
  { name: 'filter-ignores-affinities', bug: 'stores nothing in ProviderSetDmaChannelCpuAffinity, so FILTER_RESOURCE_REQUIREMENTS targets nothing', expects: ['PNP-FILTER-02'], minimalSteps: 3 }, // DriverEntry, AddDevice, FILTER_RESOURCE_REQUIREMENTS
  { name: 'filter-edits-on-way-down', bug: 'edits the requirements list before passing FILTER_RESOURCE_REQUIREMENTS down', expects: ['PNP-FILTER-01'], minimalSteps: 3 }, // DriverEntry, AddDevice, FILTER_RESOURCE_REQUIREMENTS
  { name: 'start-before-lower', bug: 'starts the hardware and calls NetDmaProviderStart before the bus driver finished START', expects: ['PNP-START-01'], minimalSteps: 3 }, // DriverEntry, AddDevice, START (no FILTER needed)
  { name: 'start-continues-failed-start', bug: 'goes on with a START the bus driver failed', expects: ['PNP-START-02'], minimalSteps: 3 }, // DriverEntry, AddDevice, START failed by the bus
  { name: 'start-small-max-transfer', bug: 'MaximumTransferSize 2048', expects: ['PNP-START-09'], minimalSteps: 3 }, // DriverEntry, AddDevice, START
  { name: 'start-channel-count-above-max', bug: 'DmaChannelCount above MaxDmaChannelCount', expects: ['PNP-START-08'], minimalSteps: 3 }, // DriverEntry, AddDevice, START
  { name: 'start-wrong-vendor', bug: 'a hard-coded VendorId instead of the one in config space', expects: ['PNP-START-07'], minimalSteps: 3 }, // DriverEntry, AddDevice, START
  { name: 'start-before-interrupts', bug: 'NetDmaProviderStart before IoConnectInterruptEx', expects: ['PNP-START-04'], minimalSteps: 3 }, // DriverEntry, AddDevice, START
  { name: 'start-raw-resources', bug: 'maps the raw (bus-relative) BAR instead of the translated one', expects: ['PNP-START-11'], minimalSteps: 3 }, // DriverEntry, AddDevice, START
  { name: 'start-provider-twice', bug: 'calls NetDmaProviderStart twice per START', expects: ['NDMA-START-01', 'PNP-START-03'], minimalSteps: 3 }, // DriverEntry, AddDevice, START
  { name: 'start-address-space-size', bug: 'MaximumAddressSpace 2^64, the size of a 64-bit address space, where the field asks for the largest address (2^64 - 1)', expects: ['PNP-START-12'], minimalSteps: 3 }, // DriverEntry, AddDevice, START
  { name: 'stop-no-provider-stop', bug: 'releases the hardware on STOP (and REMOVE) without NetDmaProviderStop', expects: ['PNP-STOP-02', 'PNP-REM-02', 'PNP-SURP-02'], minimalSteps: 4 }, // DriverEntry, AddDevice, START, SURPRISE_REMOVAL (PNP-SURP-02); STOP or REMOVE need one more IRP
  { name: 'stop-completes-irp', bug: 'completes STOP itself instead of passing it down', expects: ['PNP-STOP-01'], minimalSteps: 5 }, // DriverEntry, AddDevice, START, QUERY_STOP, STOP: STOP is only sent after a granted QUERY_STOP
  { name: 'stop-disconnect-before-provider-stop', bug: 'disconnects the interrupts before NetDmaProviderStop returns', expects: ['PNP-STOP-02', 'PNP-SURP-02'], minimalSteps: 4 }, // DriverEntry, AddDevice, START, SURPRISE_REMOVAL (PNP-SURP-02)
  { name: 'stop-keeps-hardware', bug: 'stops the provider but keeps the registers mapped and interrupts connected', expects: ['PNP-STOP-03', 'PNP-SURP-02', 'PNP-REM-06'], minimalSteps: 4 }, // DriverEntry, AddDevice, START, SURPRISE_REMOVAL (PNP-SURP-02)
  { name: 'query-stop-stops-provider', bug: 'stops the provider on QUERY_STOP', expects: ['PNP-QSTOP-02'], minimalSteps: 4 }, // DriverEntry, AddDevice, START, QUERY_STOP: QUERY_STOP is only sent to a started device
  { name: 'cancel-stop-fails', bug: 'fails CANCEL_STOP', expects: ['PNP-CSTOP-01'], minimalSteps: 4 }, // DriverEntry, AddDevice, START, a spurious CANCEL_STOP
  { name: 'remove-no-provider-stop', bug: 'deregisters a started provider without NetDmaProviderStop', expects: ['PNP-REM-02'], minimalSteps: 5 }, // DriverEntry, AddDevice, START, QUERY_REMOVE, REMOVE: a started device is removed only after QUERY_REMOVE
  { name: 'remove-no-detach', bug: 'deletes the FDO without IoDetachDevice', expects: ['PNP-REM-04'], minimalSteps: 3 }, // DriverEntry, AddDevice, REMOVE
  { name: 'remove-stop-after-deregister', bug: 'at REMOVE calls NetDmaProviderStop, started or not, but after NetDmaDeregisterProvider', expects: ['NDMA-STOP-01', 'PNP-REM-02'], minimalSteps: 3 }, // DriverEntry, AddDevice, REMOVE (a never-started provider stopped after deregistering)
  { name: 'remove-no-deregister', bug: 'never calls NetDmaDeregisterProvider', expects: ['PNP-REM-03', 'PNP-REM-05'], minimalSteps: 3 }, // DriverEntry, AddDevice, REMOVE
  { name: 'remove-delete-before-deregister', bug: 'IoDeleteDevice before NetDmaDeregisterProvider', expects: ['PNP-REM-05'], minimalSteps: 3 }, // DriverEntry, AddDevice, REMOVE
  { name: 'cancel-remove-fails', bug: 'fails CANCEL_REMOVE', expects: ['PNP-CREM-01'], minimalSteps: 4 }, // DriverEntry, AddDevice, QUERY_REMOVE, CANCEL_REMOVE
  { name: 'query-remove-not-supported', bug: 'answers QUERY_REMOVE with STATUS_NOT_SUPPORTED', expects: ['IRP-02'], minimalSteps: 3 }, // DriverEntry, AddDevice, QUERY_REMOVE (legal before START)
  { name: 'surprise-no-stop', bug: 'passes SURPRISE_REMOVAL down without stopping the provider', expects: ['PNP-SURP-02'], minimalSteps: 4 }, // DriverEntry, AddDevice, START, SURPRISE_REMOVAL
  { name: 'surprise-deletes-device', bug: 'detaches and deletes the FDO on SURPRISE_REMOVAL', expects: ['PNP-SURP-03', 'PNP-REM-05'], minimalSteps: 3 }, // DriverEntry, AddDevice, SURPRISE_REMOVAL (legal before START)
  { name: 'surprise-deregisters-twice', bug: 'deregisters the provider during SURPRISE_REMOVAL and again at REMOVE', expects: ['NDMA-DEREG-01', 'PNP-REM-03'], minimalSteps: 4 }, // DriverEntry, AddDevice, SURPRISE_REMOVAL, REMOVE
  { name: 'surprise-forgets-deregister', bug: 'after a surprise removal, REMOVE only passes the IRP down, as if SURPRISE_REMOVAL had cleaned up everything (it stopped the provider and released the hardware, but did not deregister)', expects: ['PNP-REM-03'], minimalSteps: 4 }, // DriverEntry, AddDevice, SURPRISE_REMOVAL, REMOVE
  { name: 'unload-leaks-registry-copy', bug: 'Unload forgets to free the registry path copy', expects: ['DRV-UNLOAD-01'], minimalSteps: 3 }, // DriverEntry, an AddDevice made to fail, Unload
  { name: 'power-no-notify', bug: 'never calls NetDmaPnPEventNotify on power changes', expects: ['PWR-01'], versions: ['1.1', '2.0'], minimalSteps: 4 }, // DriverEntry, AddDevice, START, SET_POWER(D3)
  { name: 'power-notify-after-pass-down', bug: 'notifies PowerDown after passing the D3 IRP down', expects: ['PWR-01'], versions: ['1.1', '2.0'], minimalSteps: 4 }, // DriverEntry, AddDevice, START, SET_POWER(D3)
  { name: 'power-notify-on-1-0', bug: 'registers as 1.0 but calls NetDmaPnPEventNotify', expects: ['PWR-04'], versions: ['1.1', '2.0'], minimalSteps: 4 }, // DriverEntry, AddDevice, START, SET_POWER(D3)
  { name: 'power-owner-completes-early', bug: 'as power-policy owner, passes the system SET_POWER down right after requesting the D3 IRP with PoRequestPowerIrp, so the system IRP completes while the device is still powered', expects: ['PWR-10'], minimalSteps: 4 }, // DriverEntry, AddDevice, START, system sleep (system IRPs are sent to started devices)
  { name: 'power-owner-powerdown-late', bug: 'as power-policy owner, announces PowerDown from the D3 IRP\'s completion function, after the device is already off', expects: ['PWR-01'], versions: ['1.1', '2.0'], minimalSteps: 4 }, // DriverEntry, AddDevice, START, system sleep
  { name: 'power-owner-never-completes', bug: 'as power-policy owner, never completes the S0 system IRP once the D0 IRP it requested has completed', expects: ['IRP-05'], minimalSteps: 4 }, // DriverEntry, AddDevice, START, system sleep and resume
  { name: 'power-query-completes-success', bug: 'completes a system QUERY_POWER with STATUS_SUCCESS itself, without asking the lower drivers', expects: ['PWR-11'], minimalSteps: 4 }, // DriverEntry, AddDevice, START, system sleep (its query)
  { name: 'power-clears-pagable', bug: 'creates the FDO with DO_POWER_PAGABLE, clears it at START, and still calls NetDmaPnPEventNotify (PASSIVE_LEVEL only) in its power dispatch, which may now run at DISPATCH_LEVEL', expects: ['KE-IRQL-01'], versions: ['1.1', '2.0'], minimalSteps: 4 }, // DriverEntry, AddDevice, START, a power IRP leaving D0 at DISPATCH_LEVEL
  { name: 'lowres-alloc-leaks-ring', bug: 'ProviderAllocateDmaChannel allocates its descriptor ring first and, when the channel allocation then fails (a pool allocation failing under low resources), returns the failure without freeing the ring', expects: ['DRV-UNLOAD-01'], minimalSteps: 6 }, // DriverEntry, AddDevice, START with NetDMA allocating inside NetDmaProviderStart and the handler's pool allocation failing, SURPRISE_REMOVAL, REMOVE, Unload (where the leak is counted)
  { name: 'lowres-start-ignores-hardware', bug: 'logs a failed MmMapIoSpace, IoConnectInterruptEx or BUS_INTERFACE_STANDARD query at START and completes START with STATUS_SUCCESS anyway', expects: ['PNP-START-03'], minimalSteps: 3 }, // DriverEntry, AddDevice, START with MmMapIoSpace failing
  { name: 'lowres-start-fail-keeps-mapping', bug: 'a START that fails after MmMapIoSpace (IoConnectInterruptEx failing, configuration space unreadable, a channel that does not reset) returns with the registers still mapped, leaving the unmapping to REMOVE', expects: ['LOWRES-START-01'], minimalSteps: 3 }, // DriverEntry, AddDevice, START with IoConnectInterruptEx failing
  { name: 'lowres-start-keeps-bus-interface', bug: 'dereferences the BUS_INTERFACE_STANDARD it queried at START only once START has succeeded, so a START that fails later leaks the reference', expects: ['LOWRES-REM-01'], minimalSteps: 4 }, // DriverEntry, AddDevice, START with configuration space unreadable, the REMOVE the PnP manager sends after a failed START
  { name: 'irql-lock-held-on-return', bug: 'AllocateDmaChannel returns holding its spin lock', expects: ['KE-IRQL-04'], minimalSteps: 3 }, // DriverEntry, AddDevice, START with NetDMA allocating inside NetDmaProviderStart
  { name: 'irql-wait-at-dispatch', bug: 'waits for the START completion while holding a spin lock', expects: ['KE-IRQL-02'], minimalSteps: 3 }, // DriverEntry, AddDevice, START
  { name: 'irql-handler-paged-pool', bug: 'ProviderAllocateDmaChannel takes its channel block from PagedPool, though NetDMA may call it at DISPATCH_LEVEL', expects: ['KE-IRQL-06'], minimalSteps: 3 }, // DriverEntry, AddDevice, START with NetDMA allocating inside NetDmaProviderStart (at either IRQL)
  { name: 'irp-touches-unhandled-status', bug: 'sets STATUS_SUCCESS on IRPs it does not handle', expects: ['IRP-06'], minimalSteps: 3 }, // DriverEntry, AddDevice, an undefined PnP minor (QUERY_CAPABILITIES, which a function driver may handle, no longer shows it)
  { name: 'irp-double-complete', bug: 'completes CANCEL_REMOVE twice', expects: ['IRP-01'], minimalSteps: 4 }, // DriverEntry, AddDevice, QUERY_REMOVE, CANCEL_REMOVE
  { name: 'irp-completion-continues', bug: 'the completion routine of an IRP handled on the way up signals its event but returns STATUS_SUCCESS, then the dispatch routine completes the IRP again', expects: ['IRP-07'], minimalSteps: 3 }, // DriverEntry, AddDevice, START (or FILTER)
  { name: 'irp-pending-without-mark', bug: 'returns STATUS_PENDING from START without IoMarkIrpPending', expects: ['IRP-04'], minimalSteps: 3 }, // DriverEntry, AddDevice, START
  { name: 'kapi-double-free', bug: 'frees the provider context block twice at REMOVE', expects: ['KAPI-02'], minimalSteps: 3 }, // DriverEntry, AddDevice, REMOVE
  { name: 'kapi-throws-on-query-capabilities', bug: 'throws on an IRP it does not know', expects: ['KAPI-04'], minimalSteps: 3 }, // DriverEntry, AddDevice, QUERY_CAPABILITIES
  { name: 'kapi-returns-undefined', bug: 'the dispatch routine returns nothing for QUERY_REMOVE', expects: ['KAPI-03'], minimalSteps: 3 }, // DriverEntry, AddDevice, QUERY_REMOVE (legal before START)
  { name: 'channel-cpu-outside-mask', bug: 'reports a CpuNumber outside ProcessorAffinityMask', expects: ['NDMA-CHAN-02', 'KAPI-01'], minimalSteps: 3 }, // DriverEntry, AddDevice, START with NetDMA allocating inside NetDmaProviderStart
  { name: 'channel-not-ready-at-start', bug: 'refuses channel allocation until START has returned', expects: ['NDMA-CHAN-01'], minimalSteps: 3 }, // DriverEntry, AddDevice, START with NetDMA allocating inside NetDmaProviderStart
  { name: 'channel-ignores-interrupt-cpu', bug: 'ProviderAllocateDmaChannel hands out the first free channel, even when another free one has its interrupt on a CPU in ProcessorAffinityMask', expects: ['NDMA-CHAN-05'], minimalSteps: 3 }, // DriverEntry, AddDevice, START with NetDMA allocating inside NetDmaProviderStart (a mask without channel 0's CPU)
  // The rest of the PnP and I/O surface (issue 12).
  { name: 'query-id-completes-itself', bug: 'answers IRP_MN_QUERY_ID itself instead of passing it to the bus driver', expects: ['PNP-SURF-01'], minimalSteps: 3 }, // DriverEntry, AddDevice, QUERY_ID
  { name: 'caps-completes-without-bus', bug: 'completes IRP_MN_QUERY_CAPABILITIES without passing it down, so the bus driver never fills the capabilities', expects: ['PNP-SURF-02'], minimalSteps: 3 }, // DriverEntry, AddDevice, QUERY_CAPABILITIES
  { name: 'usage-completed-here', bug: 'completes IRP_MN_DEVICE_USAGE_NOTIFICATION with STATUS_SUCCESS without passing it down', expects: ['PNP-SURF-03'], minimalSteps: 4 }, // DriverEntry, AddDevice, START, DEVICE_USAGE_NOTIFICATION
  { name: 'paging-no-veto', bug: 'a 1.0 provider that takes the engine into the paging path but still grants QUERY_STOP and QUERY_REMOVE', expects: ['PNP-SURF-04'], versions: ['1.0'], minimalSteps: 5 }, // DriverEntry, AddDevice, START, DEVICE_USAGE_NOTIFICATION(Paging, InPath), QUERY_STOP
  { name: 'paging-keeps-pagable', bug: 'a 1.0 provider that takes the engine into the paging path and sets DO_POWER_PAGABLE on its FDO', expects: ['PNP-SURF-06'], versions: ['1.0'], minimalSteps: 4 }, // DriverEntry, AddDevice, START, DEVICE_USAGE_NOTIFICATION(Paging, InPath)
  { name: 'rebalance-start-count-drift', bug: 'a per-provider budget of two start attempts, spent by successful starts too and never reset when a rebalance restarts the device: the third START (after two rebalances) skips NetDmaProviderStart and still succeeds', expects: ['PNP-START-03'], minimalSteps: 9 }, // DriverEntry, AddDevice, START, QUERY_STOP, STOP, START, QUERY_STOP, STOP, START (no shorter way to a third START)
  { name: 'restart-keeps-old-resources', bug: 'on a START to the started device (which it asked for with IoInvalidateDeviceState), stops the provider but keeps the old register mapping and interrupts, and starts on the new ones as well', expects: ['PNP-START-13'], minimalSteps: 6 }, // DriverEntry, AddDevice, START, then the PnP manager's QUERY_PNP_DEVICE_STATE, FILTER_RESOURCE_REQUIREMENTS, START
  { name: 'create-after-query-remove', bug: 'succeeds every IRP_MJ_CREATE, even after a granted QUERY_REMOVE', expects: ['PNP-SURF-05'], minimalSteps: 4 }, // DriverEntry, AddDevice, QUERY_REMOVE, CREATE
  { name: 'hold-never-released', bug: 'holds channel allocations from QUERY_STOP on and never releases the hold, not at CANCEL_STOP nor at the START that ends a rebalance', expects: ['NDMA-CHAN-01'], minimalSteps: 6 }, // DriverEntry, AddDevice, START, QUERY_STOP, CANCEL_STOP, NetDMA allocates
  { name: 'filter-reorders-descriptors', bug: 'moves BAR0 behind the interrupt descriptors of the filtered requirements', expects: ['PNP-FILTER-03', 'PNP-FILTER-04'], minimalSteps: 3 }, // DriverEntry, AddDevice, FILTER_RESOURCE_REQUIREMENTS (PNP-FILTER-04 on a machine without MSI-X, where the bus driver leaves the IRP STATUS_NOT_SUPPORTED and the provider edits the list anyway)
  { name: 'filter-edits-not-success', bug: 'targets the MSI-X messages on the way up but completes FILTER_RESOURCE_REQUIREMENTS with STATUS_NOT_SUPPORTED', expects: ['PNP-FILTER-04'], minimalSteps: 3 }, // DriverEntry, AddDevice, FILTER_RESOURCE_REQUIREMENTS
  { name: 'completion-no-mark', bug: 'passes QUERY_CAPABILITIES down with a completion routine that never marks the IRP pending, and returns the lower driver\'s STATUS_PENDING', expects: ['IRP-04'], minimalSteps: 3 }, // DriverEntry, AddDevice, QUERY_CAPABILITIES (bus pends)
  { name: 'channel-cpu-lowest-in-mask', bug: 'ProviderAllocateDmaChannel reports the lowest CPU of ProcessorAffinityMask as CpuNumber, not the CPU its channel\'s interrupt targets', expects: ['NDMA-INT-08'], minimalSteps: 4 }, // DriverEntry, AddDevice, FILTER, START allocating inside NetDmaProviderStart: without FILTER message n targets CPU n, so the first channel in the mask has its lowest CPU
  // History (issue 13): the FDO's characteristics, the REMOVE status against IoCallDriver's.
  { name: 'add-without-secure-open', bug: 'creates the FDO with DeviceCharacteristics 0 ("it is unnamed, nobody can open it"), without FILE_DEVICE_SECURE_OPEN', expects: ['DRV-ADD-07'], minimalSteps: 2 }, // DriverEntry, AddDevice
  { name: 'remove-returns-success', bug: 'returns STATUS_SUCCESS from REMOVE ("REMOVE cannot fail") instead of the status IoCallDriver returned, STATUS_PENDING when the lower drivers pend it', expects: ['PNP-REM-07'], minimalSteps: 3 }, // DriverEntry, AddDevice, REMOVE (the lower drivers pend it)
  // kernel services (candidates/correct/wdm-services with one bug each)
  { name: 'svc-rlock-release-twice', bug: 'releases its remove lock a second time for an IRP it only passes down (IRP_MN_QUERY_CAPABILITIES)', expects: ['KSVC-01'], minimalSteps: 3 }, // DriverEntry, AddDevice, QUERY_CAPABILITIES
  { name: 'svc-rlock-leak-on-query-remove', bug: 'returns from QUERY_REMOVE without releasing its remove lock, so IoReleaseRemoveLockAndWait at REMOVE waits forever', expects: ['KSVC-02'], minimalSteps: 4 }, // DriverEntry, AddDevice, QUERY_REMOVE, REMOVE (legal before START)
  { name: 'svc-timer-not-cancelled-at-remove', bug: 'cancels its watchdog timer at STOP and SURPRISE_REMOVAL but not at REMOVE, so IoDeleteDevice frees the extension with the timer set', expects: ['KSVC-03'], minimalSteps: 5 }, // DriverEntry, AddDevice, START (arms it), QUERY_REMOVE, REMOVE: a started device is removed only after QUERY_REMOVE
  { name: 'svc-pool2-zero-tag', bug: 'allocates its per-device block with ExAllocatePool2 and a pool tag of zero (the tag argument of an untagged ExAllocatePool call carried over)', expects: ['KSVC-04'], minimalSteps: 2 }, // DriverEntry, AddDevice
  { name: 'svc-interface-link-freed-first', bug: 'at REMOVE frees its interface\'s symbolic link name with RtlFreeUnicodeString, then disables the interface through the freed name', expects: ['KSVC-05'], minimalSteps: 3 }, // DriverEntry, AddDevice, REMOVE
  { name: 'svc-wmi-no-deregister', bug: 'never deregisters its FDO from WMI, so IoDeleteDevice deletes a registered device object', expects: ['KSVC-06'], minimalSteps: 3 }, // DriverEntry, AddDevice, REMOVE
];
