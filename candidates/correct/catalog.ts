/**
 * The correct providers: complete NetDMA providers written only against the candidate API and
 * independently of src/reference, each with a different design — except `caps-edit-pending` and
 * `filter-fails` (issue 12), which wrap the reference's DriverEntry to show one allowed way of
 * handling the PnP and I/O surface each (their headers say which). The suite must accept every one
 * of them on every interface version; a rejection is a false positive of the suite (or a bug in
 * the provider, to be decided against FACTS.md).
 *
 * @module
 */
import type { DriverImageLoader } from '../../src/candidate-api';
import dpAffinity64 from './dp-affinity-64';
import dpAnyCpu from './dp-any-cpu';
import dpCpuDpc from './dp-cpu-dpc';
import dpDpcReads from './dp-dpc-reads';
import dpIsrRearm from './dp-isr-rearm';
import dpSyncOnly from './dp-sync-only';
import dpV11Linked from './dp-v11-linked';
import filterInCompletion from './filter-in-completion';
import latePowerup from './late-powerup';
import noRebalance from './no-rebalance';
import notifyRegistered from './notify-registered';
import v11Linked from './v11-linked';
import busyVetoCaps from './busy-veto-caps';
import interruptLock from './interrupt-lock';
import mandatoryOnly from './mandatory-only';
import pagingVeto10 from './paging-veto-10';
import pendedStart from './pended-start';
import referencePolicyOwner from './reference-policy-owner';
import stopAlways from './stop-always';
import surpriseTeardown from './surprise-teardown';
import wdmServices from './wdm-services';
import capsEditPending from './caps-edit-pending';
import restartShutdown from './restart-shutdown';
import dpHoldStop from './dp-hold-stop';
import filterFails from './filter-fails';
import removeLock from './remove-lock';
import wmiInterface from './wmi-interface';
import policyOwner from './policy-owner';
import pagingUsage10 from './paging-usage-10';
import timerWatchdog from './timer-watchdog';
import capsEditor from './caps-editor';
import filterAlternatives from './filter-alternatives';
import pool2Lockfree from './pool2-lockfree';
import wideEngine from './wide-engine';
import dma32Engine from './dma32-engine';
import sharedIsr from './shared-isr';

/** One correct provider. */
export interface CorrectEntry {
  /** Folder under candidates/correct/. */
  readonly name: string;
  readonly loader: DriverImageLoader;
  /** How it differs from the reference, in a line. */
  readonly differs: string;
  /**
   * Who wrote it: `project` (the suite's authors, independently of the reference) or `blind`
   * (authors who read only ../shared and the candidate API, never the checks; its folder's
   * DESIGN.md gives the doc sentences behind the design).
   */
  readonly origin: 'project' | 'blind';
}

export const CORRECT_PROVIDERS: readonly CorrectEntry[] = [
  {
    name: 'wdm-services',
    loader: wdmServices,
    origin: 'project',
    differs: 'the reference wrapped in the kernel services of a WDM function driver: a remove lock per IRP (IoReleaseRemoveLockAndWait at REMOVE), a periodic watchdog timer and DPC armed at START and cancelled at STOP/SURPRISE_REMOVAL/REMOVE, an ExAllocatePool2 block, a device interface enabled at START and disabled at removal, WMI registration from AddDevice to REMOVE, Interlocked counts',
  },
  {
    name: 'reference-policy-owner',
    loader: referencePolicyOwner,
    origin: 'project',
    differs: 'the power-policy owner: on a system SET_POWER it announces PowerDown, requests D3 with PoRequestPowerIrp and passes the system IRP down from the D3 IRP\'s completion; on S0 it requests D0 on the way up and completes the system IRP from the D0 IRP\'s completion (built on the reference, src/reference/power-policy.ts)',
  },
  {
    name: 'pended-start',
    loader: pendedStart,
    origin: 'project',
    differs: 'pends START and every bottom-up IRP; START (and the engine restore after a power loss) finishes in a PASSIVE_LEVEL work item queued from the completion routine',
  },
  {
    name: 'interrupt-lock',
    loader: interruptLock,
    origin: 'project',
    differs: 'channel slots guarded by the interrupt spin lock (KeSynchronizeExecution), table-driven PnP dispatch; the engine is re-programmed in the D0 completion routine under that lock',
  },
  {
    name: 'mandatory-only',
    loader: mandatoryOnly,
    origin: 'project',
    differs: 'only Allocate/Free/Start/Append (Suspend/Resume/Abort/Reset NULL), highest interface version, 2 channels, 64 KiB transfers; re-binds live channels as at allocation after a power loss',
  },
  {
    name: 'dp-any-cpu',
    loader: dpAnyCpu,
    origin: 'blind',
    differs: 'minimal ISR, DPC bookkeeping, per-channel locks; MSI-X messages targeted at any processor group (cpu / 64, bit cpu % 64), ProcessorAffinityMaskEx, 64-bit register writes',
  },
  {
    name: 'dp-cpu-dpc',
    loader: dpCpuDpc,
    origin: 'blind',
    differs: "one drain DPC per processor instead of one per channel: the ISR marks the channel pending for the CPU NetDmaIsr returned, that CPU's DPC reports every channel pending there",
  },
  {
    name: 'dp-dpc-reads',
    loader: dpDpcReads,
    origin: 'blind',
    differs: 'the ISR only reads CHANSTS, calls NetDmaIsr and queues the DPC; the DPC re-reads CHANSTS/CHANERR, reports and re-arms; one spin lock per channel; 64-bit registers written as two 32-bit halves',
  },
  {
    name: 'dp-isr-rearm',
    loader: dpIsrRearm,
    origin: 'blind',
    differs: 'the ISR re-arms the channel interrupt at once and queues the single per-channel DPC only when it is not queued; the DPC never touches CHANCTRL',
  },
  {
    name: 'dp-sync-only',
    loader: dpSyncOnly,
    origin: 'blind',
    differs: "no executive spin lock: every shared state and register sequence runs inside KeSynchronizeExecution on the channel's own interrupt; the ISR does the bookkeeping, the DPC only reports",
  },
  {
    name: 'dp-v11-linked',
    loader: dpV11Linked,
    origin: 'blind',
    differs: 'dp-dpc-reads registering NetDMA 1.1 at most, also on a 2.0 interface: linked NULL-terminated chains everywhere, power notifications kept',
  },
  {
    name: 'filter-in-completion',
    loader: filterInCompletion,
    origin: 'blind',
    differs: 'FILTER_RESOURCE_REQUIREMENTS pended and edited in its completion routine (or a work item when that runs above PASSIVE_LEVEL), no waiting in the dispatch routine',
  },
  {
    name: 'late-powerup',
    loader: latePowerup,
    origin: 'blind',
    differs: 'completes the D0 IRP first, then re-initializes the engine and announces PowerUp from a work item (a 1.0 provider re-initializes before completing)',
  },
  {
    name: 'no-rebalance',
    loader: noRebalance,
    origin: 'blind',
    differs: 'fails every QUERY_STOP_DEVICE (keeps no queue across a stop), so the device is never stopped for rebalancing; removal as usual',
  },
  {
    name: 'notify-registered',
    loader: notifyRegistered,
    origin: 'blind',
    differs: 'announces PowerDown/PowerUp whenever it is registered, started or not',
  },
  {
    name: 'v11-linked',
    loader: v11Linked,
    origin: 'blind',
    differs: 'registers as NetDMA 1.1 whenever the interface offers 1.1 or later: PowerDown/PowerUp announced, linked NULL-terminated chains also on 2.0',
  },
  {
    name: 'dp-affinity-64',
    loader: dpAffinity64,
    origin: 'blind',
    differs: 'minimal ISR, per-channel locks; an affinity handler that keeps a nonpaged copy and fails registration with STATUS_INSUFFICIENT_RESOURCES when it cannot (A8), any CPU/group targeted; MaximumAddressSpace 0xFFFFFFFFFFFFFFFF with 64-bit address register writes',
  },
  {
    name: 'stop-always',
    loader: stopAlways,
    origin: 'blind',
    differs: 'calls NetDmaProviderStop before every NetDmaDeregisterProvider, also for a provider that never started (REMOVE before START, after a failed START); own engine code, slot array under a spin lock (issue 12, A13)',
  },
  {
    name: 'surprise-teardown',
    loader: surpriseTeardown,
    origin: 'blind',
    differs: 'does all NetDMA and hardware clean-up in SURPRISE_REMOVAL (NetDmaProviderStop, release, NetDmaDeregisterProvider); the REMOVE that follows only frees, detaches and deletes (issue 12, A13)',
  },
  {
    name: 'busy-veto-caps',
    loader: busyVetoCaps,
    origin: 'blind',
    differs: 'refuses QUERY_STOP and QUERY_REMOVE while a channel is allocated; handles QUERY_CAPABILITIES on the way up with a completion routine that returns the IRP\'s own status (issue 12: IRP-07, teardown after a refused QUERY_REMOVE)',
  },
  {
    name: 'paging-veto-10',
    loader: pagingVeto10,
    origin: 'blind',
    differs: 'a NetDMA 1.0 provider on every interface version, in the paging path: fails every QUERY_STOP and QUERY_REMOVE while started (F108, F111), so it leaves only by surprise removal (issue 12: teardown after a refused QUERY_REMOVE)',
  },
  {
    name: 'dp-hold-stop',
    loader: dpHoldStop,
    origin: 'blind',
    differs: 'holds new channel requests while stop-pending (refuses ProviderAllocateDmaChannel after a granted QUERY_STOP until CANCEL_STOP or START, F108); only Suspend/Resume among the optional handlers; 4 channels, 4 KiB transfers (issue 12, finding 11: NDMA-CHAN-01 exempts stop-pending)',
  },
  {
    name: 'caps-edit-pending',
    loader: capsEditPending,
    origin: 'project',
    differs: 'the reference wrapped: passes every PnP query down with a completion routine that marks the IRP pending when the bus pends it, sets SurpriseRemovalOK in QUERY_CAPABILITIES on the way up, returns FILTER_RESOURCE_REQUIREMENTS as a new list with an added descriptor and a second alternative list, and fails creates while remove-pending (issue 12, findings 4, 6, 10)',
  },
  {
    name: 'restart-shutdown',
    loader: restartShutdown,
    origin: 'project',
    differs: 'the reference wrapped: calls IoInvalidateDeviceState after its first START and answers the QUERY_PNP_DEVICE_STATE that follows with PNP_DEVICE_RESOURCE_REQUIREMENTS_CHANGED, so the PnP manager sends START to the started device with new resources; registers for IRP_MJ_SHUTDOWN at START, unregisters at REMOVE, completes the shutdown IRP itself (issue 12)',
  },
  {
    name: 'filter-fails',
    loader: filterFails,
    origin: 'project',
    differs: 'the reference wrapped: fails FILTER_RESOURCE_REQUIREMENTS on the way up with STATUS_INSUFFICIENT_RESOURCES (issue 12, finding 6)',
  },
  {
    name: 'remove-lock',
    loader: removeLock,
    origin: 'blind',
    differs: 'an IO_REMOVE_LOCK taken by every dispatch routine, channel handler and the DPC, IoReleaseRemoveLockAndWait at REMOVE (STATUS_DELETE_PENDING after); an Interlocked request count with an event drains work at QUERY_STOP, STOP and SURPRISE_REMOVAL; every other major function passed down (issue 12)',
  },
  {
    name: 'wmi-interface',
    loader: wmiInterface,
    origin: 'blind',
    differs: 'a device interface registered on the PDO in AddDevice, enabled after START and disabled at STOP/SURPRISE_REMOVAL/REMOVE; WMI registration from AddDevice to REMOVE; its own CREATE/CLOSE/CLEANUP/DEVICE_CONTROL (creates failed before START and while removal is pending); ExAllocatePool2 only (issue 12)',
  },
  {
    name: 'policy-owner',
    loader: policyOwner,
    origin: 'blind',
    differs: 'the FDO as power-policy owner: holds each system QUERY/SET_POWER pending, requests the matching device IRP with PoRequestPowerIrp and passes the system IRP down from its completion; PoSetPowerState; usage-notification counts veto QUERY_STOP/REMOVE; DO_POWER_PAGABLE per the paging rules (issue 12, finding 12)',
  },
  {
    name: 'paging-usage-10',
    loader: pagingUsage10,
    origin: 'blind',
    differs: 'a NetDMA 1.0 provider on every interface that learns it is on a paging/hibernation/dump path from DEVICE_USAGE_NOTIFICATION (counted only when the lower drivers succeed) and fails QUERY_STOP/QUERY_REMOVE only while on such a path (F51, F108, F111; issue 12)',
  },
  {
    name: 'timer-watchdog',
    loader: timerWatchdog,
    origin: 'blind',
    differs: 'a periodic KTIMER+KDPC channel watchdog (KeSetTimerEx, KeQueryInterruptTime) that acts only on hardware evidence (error bits, an unreported halt) and re-rings the doorbell on long silence; cancelled before STOP, SURPRISE_REMOVAL, REMOVE and D3 (issue 12)',
  },
  {
    name: 'caps-editor',
    loader: capsEditor,
    origin: 'blind',
    differs: 'edits DEVICE_CAPABILITIES on the way up (D1/D2 off, SurpriseRemovalOK), adds PNP_DEVICE_NOT_DISABLEABLE to QUERY_PNP_DEVICE_STATE while channels are held, passes the other queries and unknown minors down; an ISR that only latches status with interlocked operations (issue 12, finding 4)',
  },
  {
    name: 'filter-alternatives',
    loader: filterAlternatives,
    origin: 'blind',
    differs: 'FILTER_RESOURCE_REQUIREMENTS on the way up: targets each MSI-X message and adds a one-message fallback alternative list built in paged pool (the old list freed), failing the IRP when it cannot allocate; starts with whichever alternative was chosen (issue 12, finding 6)',
  },
  {
    name: 'pool2-lockfree',
    loader: pool2Lockfree,
    origin: 'blind',
    differs: 'ExAllocatePool2 only, channel slots claimed with InterlockedCompareExchange (no spin lock), bounded waits on CHANSTS measured with KeQueryInterruptTime; one DPC per channel targeted at the CPU NetDmaIsr returned (issue 12)',
  },
  {
    name: 'wide-engine',
    loader: wideEngine,
    origin: 'blind',
    differs: 'any engine: 1-16 channels sized from CHANCNT and BAR0, MSI-X / MSI (down to one shared message) / line interrupts, 64-bit registers written whole, every command followed by a bounded poll, every failure undone (issue 13; its abort of an error-halted channel fixed after measurement, see DESIGN.md)',
  },
  {
    name: 'dma32-engine',
    loader: dma32Engine,
    origin: 'blind',
    differs: 'deliberately 32-bit DMA: MaximumAddressSpace 0xFFFFFFFF, its own memory below 4 GiB (MmAllocateContiguousMemory HighestAcceptableAddress), address registers written as halves with the high half zero, a bring-up self-test descriptor before NetDmaProviderStart (issue 13)',
  },
  {
    name: 'shared-isr',
    loader: sharedIsr,
    origin: 'blind',
    differs: 'one ISR for the whole engine over any message or a line interrupt (ATTNSTATUS, CHANSTS read as 64 bits), DPC targeted from NetDmaIsr before queuing, SUSPEND/ABORT polled (issue 13; channel choice by message CPU fixed after measurement, see DESIGN.md)',
  },
];
