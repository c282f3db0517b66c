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
}

/** The faulty lifecycle providers: every rule family has at least one. */
export const FAULTY_LIFECYCLE: readonly FaultyEntry[] = [
  { name: 'entry-no-unload-routine', bug: 'DriverEntry never sets DriverUnload', expects: ['DRV-ENTRY-01'] },
  { name: 'entry-keeps-registry-path', bug: 'keeps the RegistryPath UNICODE_STRING and reads it in Unload', expects: ['DRV-ENTRY-02'] },
  { name: 'entry-leaks-on-failure', bug: 'a DriverEntry that fails its second allocation keeps the first', expects: ['DRV-ENTRY-03'] },
  { name: 'entry-registers-provider', bug: 'registers a NetDMA provider from DriverEntry instead of AddDevice', expects: ['DRV-ENTRY-04'] },
  { name: 'add-leaves-initializing', bug: 'AddDevice never clears DO_DEVICE_INITIALIZING', expects: ['DRV-ADD-02'] },
  { name: 'add-no-undo-on-register-failure', bug: 'a failed NetDmaRegisterProvider leaves the FDO attached', expects: ['DRV-ADD-04'] },
  { name: 'add-registers-twice', bug: 'AddDevice registers two providers for one engine', expects: ['DRV-ADD-03'] },
  { name: 'add-maps-registers', bug: 'maps BAR0 in AddDevice, before any resources exist', expects: ['DRV-ADD-05'] },
  { name: 'register-suspend-without-resume', bug: 'sets SuspendDma but leaves ResumeDma NULL', expects: ['NDMA-REG-07'] },
  { name: 'register-zero-max-channels', bug: 'MaxDmaChannelCount is 0', expects: ['NDMA-REG-05'] },
  { name: 'register-wrong-size', bug: 'Size of the wrong NET_DMA_PROVIDER_CHARACTERISTICS version', expects: ['NDMA-REG-02'] },
  { name: 'register-version-too-high', bug: 'always registers as 2.0, whatever NetDmaGetVersion says', expects: ['NDMA-REG-01'], versions: ['1.0', '1.1'] },
  { name: 'register-no-friendly-name', bug: 'a 2.0 provider with an empty FriendlyName', expects: ['NDMA-REG-08'], versions: ['2.0'] },
  { name: 'register-no-affinity-handler', bug: 'SetDmaChannelCpuAffinity NULL on an MSI-X machine', expects: ['NDMA-REG-09'] },
  { name: 'filter-ignores-affinities', bug: 'stores nothing in ProviderSetDmaChannelCpuAffinity, so FILTER_RESOURCE_REQUIREMENTS targets nothing', expects: ['PNP-FILTER-02'] },
  { name: 'filter-edits-on-way-down', bug: 'edits the requirements list before passing FILTER_RESOURCE_REQUIREMENTS down', expects: ['PNP-FILTER-01'] },
  { name: 'start-before-lower', bug: 'starts the hardware and calls NetDmaProviderStart before the bus driver finished START', expects: ['PNP-START-01'] },
  { name: 'start-continues-failed-start', bug: 'goes on with a START the bus driver failed', expects: ['PNP-START-02'] },
  { name: 'start-small-max-transfer', bug: 'MaximumTransferSize 2048', expects: ['PNP-START-09'] },
  { name: 'start-channel-count-above-max', bug: 'DmaChannelCount above MaxDmaChannelCount', expects: ['PNP-START-08'] },
  { name: 'start-wrong-vendor', bug: 'a hard-coded VendorId instead of the one in config space', expects: ['PNP-START-07'] },
  { name: 'start-before-interrupts', bug: 'NetDmaProviderStart before IoConnectInterruptEx', expects: ['PNP-START-04'] },
  { name: 'start-raw-resources', bug: 'maps the raw (bus-relative) BAR instead of the translated one', expects: ['PNP-START-11'] },
  { name: 'start-provider-twice', bug: 'calls NetDmaProviderStart twice per START', expects: ['NDMA-START-01', 'PNP-START-03'] },
  { name: 'stop-no-provider-stop', bug: 'releases the hardware on STOP (and REMOVE) without NetDmaProviderStop', expects: ['PNP-STOP-02', 'PNP-REM-02', 'PNP-SURP-02'] },
  { name: 'stop-completes-irp', bug: 'completes STOP itself instead of passing it down', expects: ['PNP-STOP-01'] },
  { name: 'stop-disconnect-before-provider-stop', bug: 'disconnects the interrupts before NetDmaProviderStop returns', expects: ['PNP-STOP-02', 'PNP-SURP-02'] },
  { name: 'stop-keeps-hardware', bug: 'stops the provider but keeps the registers mapped and interrupts connected', expects: ['PNP-STOP-03', 'PNP-SURP-02', 'PNP-REM-06'] },
  { name: 'query-stop-stops-provider', bug: 'stops the provider on QUERY_STOP', expects: ['PNP-QSTOP-02'] },
  { name: 'cancel-stop-fails', bug: 'fails CANCEL_STOP', expects: ['PNP-CSTOP-01'] },
  { name: 'remove-no-provider-stop', bug: 'deregisters a started provider without NetDmaProviderStop', expects: ['PNP-REM-02'] },
  { name: 'remove-no-detach', bug: 'deletes the FDO without IoDetachDevice', expects: ['PNP-REM-04'] },
  { name: 'remove-no-deregister', bug: 'never calls NetDmaDeregisterProvider', expects: ['PNP-REM-03', 'PNP-REM-05'] },
  { name: 'remove-delete-before-deregister', bug: 'IoDeleteDevice before NetDmaDeregisterProvider', expects: ['PNP-REM-05'] },
  { name: 'cancel-remove-fails', bug: 'fails CANCEL_REMOVE', expects: ['PNP-CREM-01'] },
  { name: 'query-remove-not-supported', bug: 'answers QUERY_REMOVE with STATUS_NOT_SUPPORTED', expects: ['IRP-02'] },
  { name: 'surprise-no-stop', bug: 'passes SURPRISE_REMOVAL down without stopping the provider', expects: ['PNP-SURP-02'] },
  { name: 'surprise-deletes-device', bug: 'detaches and deletes the FDO on SURPRISE_REMOVAL', expects: ['PNP-SURP-03', 'PNP-REM-05'] },
  { name: 'unload-leaks-registry-copy', bug: 'Unload forgets to free the registry path copy', expects: ['DRV-UNLOAD-01'] },
  { name: 'power-no-notify', bug: 'never calls NetDmaPnPEventNotify on power changes', expects: ['PWR-01'], versions: ['1.1', '2.0'] },
  { name: 'power-notify-after-pass-down', bug: 'notifies PowerDown after passing the D3 IRP down', expects: ['PWR-01'], versions: ['1.1', '2.0'] },
  { name: 'power-notify-on-1-0', bug: 'registers as 1.0 but calls NetDmaPnPEventNotify', expects: ['PWR-04'], versions: ['1.1', '2.0'] },
  { name: 'irql-lock-held-on-return', bug: 'AllocateDmaChannel returns holding its spin lock', expects: ['KE-IRQL-04'] },
  { name: 'irql-wait-at-dispatch', bug: 'waits for the START completion while holding a spin lock', expects: ['KE-IRQL-02'] },
  { name: 'irp-touches-unhandled-status', bug: 'sets STATUS_SUCCESS on IRPs it does not handle', expects: ['IRP-06'] },
  { name: 'irp-double-complete', bug: 'completes CANCEL_REMOVE twice', expects: ['IRP-01'] },
  { name: 'irp-pending-without-mark', bug: 'returns STATUS_PENDING from START without IoMarkIrpPending', expects: ['IRP-04'] },
  { name: 'kapi-double-free', bug: 'frees the provider context block twice at REMOVE', expects: ['KAPI-02'] },
  { name: 'kapi-throws-on-query-capabilities', bug: 'throws on an IRP it does not know', expects: ['KAPI-04'] },
  { name: 'kapi-returns-undefined', bug: 'the dispatch routine returns nothing for QUERY_REMOVE', expects: ['KAPI-03'] },
  { name: 'channel-cpu-outside-mask', bug: 'reports a CpuNumber outside ProcessorAffinityMask', expects: ['NDMA-CHAN-02'] },
  { name: 'channel-not-ready-at-start', bug: 'refuses channel allocation until START has returned', expects: ['NDMA-CHAN-01'] },
];
