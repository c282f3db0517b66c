import type { KIRQL } from './irql';
import type {
  NET_DMA_CHANNEL_HANDLE,
  NET_DMA_PROVIDER_ATTRIBUTES,
  NET_DMA_PROVIDER_CHARACTERISTICS,
  NET_DMA_PROVIDER_HANDLE,
} from './netdma';
import type { NTSTATUS } from './ntstatus';
import type {
  BUS_INTERFACE_STANDARD,
  DEVICE_OBJECT,
  DRIVER_OBJECT,
  IO_COMPLETION_ROUTINE,
  IO_CONNECT_INTERRUPT_PARAMETERS,
  IO_DISCONNECT_INTERRUPT_PARAMETERS,
  IO_STACK_LOCATION,
  IO_WORKITEM,
  IO_WORKITEM_ROUTINE,
  IRP,
  KDEFERRED_ROUTINE,
  KDPC,
  KEVENT,
  KINTERRUPT,
  KSPIN_LOCK,
  KSYNCHRONIZE_ROUTINE,
  OUT,
  PHYSICAL_ADDRESS,
  POWER_STATE,
  PVOID_REGISTER,
  REQUEST_POWER_COMPLETE,
  UNICODE_STRING,
} from './wdm';
import type { GUID, IO_REMOVE_LOCK, KTIMER, LARGE_INTEGER, POOL_FLAGS, VOLATILE_LONG, VOLATILE_LONG64 } from './wdm-services';

/**
 * Everything a provider may call: the simulated Windows kernel, HAL, NDIS and NetDMA exports,
 * with the WDK's names and argument orders. A candidate's loader receives one of these per
 * driver image; it is the only way a candidate reaches the simulated machine.
 *
 * Every call is checked as Driver Verifier would (IRQL, handle validity, pairing, leaks). A
 * violation is recorded against a rule id and the run stops, as a bug check would stop a machine.
 *
 * Where C dereferences a pointer into ordinary memory, a candidate uses {@link KernelServices.RtlVirtualView}.
 */
export interface KernelServices {
  // ---- I/O manager ----
  IoCreateDevice(
    DriverObject: DRIVER_OBJECT,
    DeviceExtensionSize: number,
    DeviceName: UNICODE_STRING | null,
    DeviceType: number,
    DeviceCharacteristics: number,
    Exclusive: boolean,
    DeviceObject: OUT<DEVICE_OBJECT>,
  ): NTSTATUS;
  IoDeleteDevice(DeviceObject: DEVICE_OBJECT): void;
  /** Attaches `SourceDevice` on top of the stack that holds `TargetDevice`; returns the device it attached to. */
  IoAttachDeviceToDeviceStack(SourceDevice: DEVICE_OBJECT, TargetDevice: DEVICE_OBJECT): DEVICE_OBJECT | null;
  /** Detaches the device attached to `TargetDevice` (the argument is the LOWER device). */
  IoDetachDevice(TargetDevice: DEVICE_OBJECT): void;
  IoCallDriver(DeviceObject: DEVICE_OBJECT, Irp: IRP): NTSTATUS;
  /** Same as IoCallDriver (Vista and later), for power IRPs. */
  PoCallDriver(DeviceObject: DEVICE_OBJECT, Irp: IRP): NTSTATUS;
  /**
   * Asks the power manager to send a new power IRP (IRP_MN_SET_POWER, IRP_MN_QUERY_POWER or
   * IRP_MN_WAIT_WAKE) to the top of the device stack that holds `DeviceObject` (the PDO, or a
   * device attached to it). What a device's power-policy owner calls to turn a system power IRP
   * into device power IRPs. Returns STATUS_PENDING when the IRP was sent: `CompletionFunction`
   * (if any) runs once it has completed, and the power manager frees it then. `Irp` (may be null)
   * receives the IRP. Any other status: no IRP was sent and `CompletionFunction` never runs.
   * IRQL <= DISPATCH_LEVEL.
   */
  PoRequestPowerIrp(
    DeviceObject: DEVICE_OBJECT,
    MinorFunction: number,
    PowerState: POWER_STATE,
    CompletionFunction: REQUEST_POWER_COMPLETE | null,
    Context: unknown,
    Irp: OUT<IRP> | null,
  ): NTSTATUS;
  /**
   * Tells the power manager the device's new power state (`Type` DevicePowerState): after the
   * device is powered up (on the D0 IRP's way back up) and before it is powered down (while
   * handling the Dx IRP). Returns the previous state. IRQL <= DISPATCH_LEVEL.
   */
  PoSetPowerState(DeviceObject: DEVICE_OBJECT, Type: number, State: POWER_STATE): POWER_STATE;
  /**
   * Lets the next power IRP through before Windows Vista; since Vista it does nothing, and calls are
   * accepted. IRQL <= DISPATCH_LEVEL.
   */
  PoStartNextPowerIrp(Irp: IRP): void;
  IoGetCurrentIrpStackLocation(Irp: IRP): IO_STACK_LOCATION;
  IoGetNextIrpStackLocation(Irp: IRP): IO_STACK_LOCATION;
  IoSkipCurrentIrpStackLocation(Irp: IRP): void;
  IoCopyCurrentIrpStackLocationToNext(Irp: IRP): void;
  IoSetCompletionRoutine(
    Irp: IRP,
    CompletionRoutine: IO_COMPLETION_ROUTINE,
    Context: unknown,
    InvokeOnSuccess: boolean,
    InvokeOnError: boolean,
    InvokeOnCancel: boolean,
  ): void;
  IoCompleteRequest(Irp: IRP, PriorityBoost: number): void;
  IoMarkIrpPending(Irp: IRP): void;
  /** Allocates an IRP the driver builds itself (never a PnP minor IRP: only the PnP manager sends those). */
  IoAllocateIrp(StackSize: number, ChargeQuota: boolean): IRP | null;
  IoFreeIrp(Irp: IRP): void;
  IoAllocateWorkItem(DeviceObject: DEVICE_OBJECT): IO_WORKITEM | null;
  IoQueueWorkItem(IoWorkItem: IO_WORKITEM, WorkerRoutine: IO_WORKITEM_ROUTINE, QueueType: number, Context: unknown): void;
  IoFreeWorkItem(IoWorkItem: IO_WORKITEM): void;
  IoConnectInterruptEx(Parameters: IO_CONNECT_INTERRUPT_PARAMETERS): NTSTATUS;
  IoDisconnectInterruptEx(Parameters: IO_DISCONNECT_INTERRUPT_PARAMETERS): void;
  /**
   * The PDO's `BUS_INTERFACE_STANDARD` — what IRP_MN_QUERY_INTERFACE with GUID_BUS_INTERFACE_STANDARD
   * returns. The interface is referenced; call `InterfaceDereference` when done with it.
   */
  IoGetBusInterfaceStandard(PhysicalDeviceObject: DEVICE_OBJECT): BUS_INTERFACE_STANDARD | null;

  // ---- executive ----
  ExAllocatePoolWithTag(PoolType: number, NumberOfBytes: number, Tag: number): Uint8Array | null;
  ExFreePoolWithTag(P: Uint8Array, Tag: number): void;

  // ---- kernel ----
  KeGetCurrentIrql(): KIRQL;
  KeGetCurrentProcessorNumber(): number;
  KeQueryActiveProcessorCount(): number;
  KeRaiseIrql(NewIrql: KIRQL): KIRQL;
  KeLowerIrql(NewIrql: KIRQL): void;
  KeInitializeSpinLock(SpinLock: KSPIN_LOCK): void;
  /** Raises to DISPATCH_LEVEL and acquires; returns the previous IRQL (the C macro's `OldIrql`). */
  KeAcquireSpinLock(SpinLock: KSPIN_LOCK): KIRQL;
  KeReleaseSpinLock(SpinLock: KSPIN_LOCK, NewIrql: KIRQL): void;
  KeAcquireSpinLockAtDpcLevel(SpinLock: KSPIN_LOCK): void;
  KeReleaseSpinLockFromDpcLevel(SpinLock: KSPIN_LOCK): void;
  KeInitializeEvent(Event: KEVENT, Type: number, State: boolean): void;
  KeSetEvent(Event: KEVENT, Increment: number, Wait: boolean): number;
  KeClearEvent(Event: KEVENT): void;
  /**
   * Waits at PASSIVE_LEVEL; the simulated system runs other work (completions, DPCs, the engine)
   * meanwhile. A `Timeout` (negative: relative, positive: absolute, in 100 ns; 0: test only) ends
   * the wait with STATUS_TIMEOUT when the simulated clock reaches it first; NULL waits forever.
   */
  KeWaitForSingleObject(Object: KEVENT, WaitReason: number, WaitMode: number, Alertable: boolean, Timeout: bigint | null): NTSTATUS;
  KeInitializeDpc(Dpc: KDPC, DeferredRoutine: KDEFERRED_ROUTINE, DeferredContext: unknown): void;
  KeSetTargetProcessorDpc(Dpc: KDPC, Number: number): void;
  KeInsertQueueDpc(Dpc: KDPC, SystemArgument1: unknown, SystemArgument2: unknown): boolean;
  KeRemoveQueueDpc(Dpc: KDPC): boolean;
  KeSynchronizeExecution(Interrupt: KINTERRUPT, SynchronizeRoutine: KSYNCHRONIZE_ROUTINE, SynchronizeContext: unknown): boolean;
  KeAcquireInterruptSpinLock(Interrupt: KINTERRUPT): KIRQL;
  KeReleaseInterruptSpinLock(Interrupt: KINTERRUPT, OldIrql: KIRQL): void;
  /**
   * Busy-waits `MicroSeconds`; the simulated clock advances by that much (timers may expire), and
   * other processors and the engine may make progress meanwhile.
   */
  KeStallExecutionProcessor(MicroSeconds: number): void;

  // ---- remove locks (io) ----
  /**
   * Initialises a remove lock kept in the device extension. `AllocateTag` is a pool tag;
   * `MaxLockedMinutes` and `HighWatermark` bound how long and how many acquisitions Driver
   * Verifier's remove-lock tracking tolerates (0 = no bound). IRQL PASSIVE_LEVEL.
   */
  IoInitializeRemoveLock(Lock: IO_REMOVE_LOCK, AllocateTag: number, MaxLockedMinutes: number, HighWatermark: number): void;
  /**
   * Acquires the remove lock for `Tag` (any value identifying the acquisition, an IRP by custom):
   * STATUS_SUCCESS, or STATUS_DELETE_PENDING once IoReleaseRemoveLockAndWait has begun (then the
   * lock is not acquired and must not be released). IRQL <= DISPATCH_LEVEL.
   */
  IoAcquireRemoveLock(RemoveLock: IO_REMOVE_LOCK, Tag: unknown): NTSTATUS;
  /** Releases an acquisition made with the same `Tag`. IRQL <= DISPATCH_LEVEL. */
  IoReleaseRemoveLock(RemoveLock: IO_REMOVE_LOCK, Tag: unknown): void;
  /**
   * At REMOVE: releases the caller's acquisition (`Tag`) and the lock's initial bias, refuses new
   * acquisitions, and waits (the simulated system runs meanwhile) until every other acquisition is
   * released. Called once, at PASSIVE_LEVEL, holding an acquisition.
   */
  IoReleaseRemoveLockAndWait(RemoveLock: IO_REMOVE_LOCK, Tag: unknown): void;

  // ---- device interfaces and WMI (io) ----
  /**
   * Registers a device interface of class `InterfaceClassGuid` for the PDO and returns its symbolic
   * link name in `SymbolicLinkName`, which the caller frees with RtlFreeUnicodeString. The interface
   * starts disabled. Given a device object that is not a PDO (the FDO), it fails with
   * STATUS_INVALID_DEVICE_REQUEST, as in Windows. IRQL PASSIVE_LEVEL.
   */
  IoRegisterDeviceInterface(
    PhysicalDeviceObject: DEVICE_OBJECT,
    InterfaceClassGuid: GUID,
    ReferenceString: UNICODE_STRING | null,
    SymbolicLinkName: OUT<UNICODE_STRING>,
  ): NTSTATUS;
  /**
   * Enables or disables a registered interface: STATUS_SUCCESS, or STATUS_OBJECT_NAME_NOT_FOUND
   * for a name IoRegisterDeviceInterface did not return. The name must not have been freed yet
   * (disable first, then RtlFreeUnicodeString). IRQL PASSIVE_LEVEL.
   */
  IoSetDeviceInterfaceState(SymbolicLinkName: UNICODE_STRING, Enable: boolean): NTSTATUS;
  /**
   * Registers (WMIREG_ACTION_REGISTER) or deregisters (WMIREG_ACTION_DEREGISTER) the device object
   * as a WMI data provider; WMI then sends it IRP_MJ_SYSTEM_CONTROL requests. IRQL PASSIVE_LEVEL.
   */
  IoWMIRegistrationControl(DeviceObject: DEVICE_OBJECT, Action: number): NTSTATUS;
  /**
   * Tells the PnP manager that some aspect of the device's PnP state changed: it later (from its
   * own thread, never inside this call) sends IRP_MN_QUERY_PNP_DEVICE_STATE to the device's stack
   * and acts on the PNP_DEVICE_STATE bits the stack returns (PNP_DEVICE_RESOURCE_REQUIREMENTS_CHANGED:
   * FILTER_RESOURCE_REQUIREMENTS, then IRP_MN_START_DEVICE to the started device with new resources;
   * with PNP_DEVICE_FAILED too: a stop first; PNP_DEVICE_FAILED alone: surprise removal).
   * `PhysicalDeviceObject` is the PDO. IRQL <= DISPATCH_LEVEL.
   */
  IoInvalidateDeviceState(PhysicalDeviceObject: DEVICE_OBJECT): void;
  /**
   * Registers the device object to receive IRP_MJ_SHUTDOWN (at PASSIVE_LEVEL, in its
   * MajorFunction[IRP_MJ_SHUTDOWN] routine) when the system shuts down, before the S5 power IRPs.
   * IRQL PASSIVE_LEVEL.
   */
  IoRegisterShutdownNotification(DeviceObject: DEVICE_OBJECT): NTSTATUS;
  /** Removes the device object from the shutdown notification queue (IoDeleteDevice does so too). IRQL PASSIVE_LEVEL. */
  IoUnregisterShutdownNotification(DeviceObject: DEVICE_OBJECT): void;

  // ---- executive pool, POOL_FLAGS ----
  /**
   * Allocates `NumberOfBytes` of pool described by `Flags` (exactly one of POOL_FLAG_NON_PAGED,
   * POOL_FLAG_NON_PAGED_EXECUTE, POOL_FLAG_PAGED; zeroed unless POOL_FLAG_UNINITIALIZED), or
   * returns NULL (also for flags it cannot honour). `Tag` is nonzero. Freed with ExFreePoolWithTag
   * (or ExFreePool). IRQL <= DISPATCH_LEVEL (paged: <= APC_LEVEL).
   */
  ExAllocatePool2(Flags: POOL_FLAGS, NumberOfBytes: number, Tag: number): Uint8Array | null;
  /** Frees a block from ExAllocatePoolWithTag or ExAllocatePool2 without checking its tag. */
  ExFreePool(P: Uint8Array): void;

  // ---- interlocked operations (any IRQL) ----
  /** `++*Addend` atomically (32-bit wrap); returns the new value. */
  InterlockedIncrement(Addend: VOLATILE_LONG): number;
  /** `--*Addend` atomically; returns the new value. */
  InterlockedDecrement(Addend: VOLATILE_LONG): number;
  /** Stores `Value`; returns the previous value. */
  InterlockedExchange(Target: VOLATILE_LONG, Value: number): number;
  /** Stores `Exchange` if `*Destination == Comperand`; returns the previous value. */
  InterlockedCompareExchange(Destination: VOLATILE_LONG, Exchange: number, Comperand: number): number;
  /** Adds `Value`; returns the previous value. */
  InterlockedExchangeAdd(Addend: VOLATILE_LONG, Value: number): number;
  /** `*Destination &= Value`; returns the previous value. */
  InterlockedAnd(Destination: VOLATILE_LONG, Value: number): number;
  /** `*Destination |= Value`; returns the previous value. */
  InterlockedOr(Destination: VOLATILE_LONG, Value: number): number;
  /** 64-bit `++*Addend`; returns the new value. */
  InterlockedIncrement64(Addend: VOLATILE_LONG64): bigint;
  /** 64-bit `--*Addend`; returns the new value. */
  InterlockedDecrement64(Addend: VOLATILE_LONG64): bigint;
  /** 64-bit exchange; returns the previous value. */
  InterlockedExchange64(Target: VOLATILE_LONG64, Value: bigint): bigint;
  /** 64-bit compare-exchange; returns the previous value. */
  InterlockedCompareExchange64(Destination: VOLATILE_LONG64, Exchange: bigint, Comperand: bigint): bigint;
  /** 64-bit add; returns the previous value. */
  InterlockedExchangeAdd64(Addend: VOLATILE_LONG64, Value: bigint): bigint;

  // ---- kernel timers and time ----
  /** Initialises a notification timer (KeInitializeTimerEx(Timer, NotificationTimer)). IRQL <= DISPATCH_LEVEL. */
  KeInitializeTimer(Timer: KTIMER): void;
  /** Initialises a timer of `Type` (NotificationTimer or SynchronizationTimer). IRQL <= DISPATCH_LEVEL. */
  KeInitializeTimerEx(Timer: KTIMER, Type: number): void;
  /**
   * Sets the timer to expire at `DueTime` (negative: relative, in 100 ns; positive: absolute system
   * time), queuing `Dpc` (if not NULL) at expiry. Returns TRUE when the timer was already set
   * (it is reset). IRQL <= DISPATCH_LEVEL.
   */
  KeSetTimer(Timer: KTIMER, DueTime: LARGE_INTEGER, Dpc: KDPC | null): boolean;
  /** As KeSetTimer; a nonzero `Period` (milliseconds) re-arms the timer after each expiry. */
  KeSetTimerEx(Timer: KTIMER, DueTime: LARGE_INTEGER, Period: number, Dpc: KDPC | null): boolean;
  /** Cancels a set timer; returns TRUE when it was set. A DPC it already queued stays queued. IRQL <= DISPATCH_LEVEL. */
  KeCancelTimer(Timer: KTIMER): boolean;
  /** Whether the timer is signaled (has expired since it was last set). */
  KeReadStateTimer(Timer: KTIMER): boolean;
  /** Interrupt time: 100 ns units since boot, on the simulated clock (it moves only when the simulation lets time pass). */
  KeQueryInterruptTime(): bigint;
  /** System time (100 ns units since 1601-01-01 UTC) on the simulated clock: a fixed boot time plus interrupt time. */
  KeQuerySystemTime(CurrentTime: OUT<LARGE_INTEGER>): void;
  /** As KeQuerySystemTime, at full precision. */
  KeQuerySystemTimePrecise(CurrentTime: OUT<LARGE_INTEGER>): void;

  // ---- memory manager and HAL ----
  MmMapIoSpace(PhysicalAddress: PHYSICAL_ADDRESS, NumberOfBytes: number, CacheType: number): PVOID_REGISTER | null;
  MmUnmapIoSpace(BaseAddress: PVOID_REGISTER, NumberOfBytes: number): void;
  /** Returns a kernel virtual address of physically contiguous, nonpaged memory, or null. */
  MmAllocateContiguousMemory(NumberOfBytes: number, HighestAcceptableAddress: PHYSICAL_ADDRESS): bigint | null;
  MmFreeContiguousMemory(BaseAddress: bigint): void;
  MmGetPhysicalAddress(BaseAddress: bigint): PHYSICAL_ADDRESS;
  /** Stands in for dereferencing a C pointer: a DataView over `Length` bytes of kernel memory at `VirtualAddress`. */
  RtlVirtualView(VirtualAddress: bigint, Length: number): DataView;
  READ_REGISTER_UCHAR(Register: PVOID_REGISTER): number;
  READ_REGISTER_USHORT(Register: PVOID_REGISTER): number;
  READ_REGISTER_ULONG(Register: PVOID_REGISTER): number;
  READ_REGISTER_ULONG64(Register: PVOID_REGISTER): bigint;
  WRITE_REGISTER_UCHAR(Register: PVOID_REGISTER, Value: number): void;
  WRITE_REGISTER_USHORT(Register: PVOID_REGISTER, Value: number): void;
  WRITE_REGISTER_ULONG(Register: PVOID_REGISTER, Value: number): void;
  WRITE_REGISTER_ULONG64(Register: PVOID_REGISTER, Value: bigint): void;

  // ---- NDIS ----
  /** `NetDmaGetVersion` and `NetDmaPnPEventNotify` are found here, or null on a NetDMA 1.0 interface (F14a). */
  NdisGetRoutineAddress(FunctionName: UNICODE_STRING): unknown;

  // ---- NetDMA ----
  NetDmaRegisterProvider(
    ProviderContext: unknown,
    pNetDmaProviderHandle: OUT<NET_DMA_PROVIDER_HANDLE>,
    ProviderCharacteristics: NET_DMA_PROVIDER_CHARACTERISTICS,
  ): NTSTATUS;
  NetDmaDeregisterProvider(NetDmaProviderHandle: NET_DMA_PROVIDER_HANDLE): void;
  NetDmaProviderStart(NetDmaProviderHandle: NET_DMA_PROVIDER_HANDLE, ProviderAttributes: NET_DMA_PROVIDER_ATTRIBUTES): void;
  NetDmaProviderStop(NetDmaProviderHandle: NET_DMA_PROVIDER_HANDLE): void;
  NetDmaIsr(NetDmaChannelHandle: NET_DMA_CHANNEL_HANDLE, DmaDescriptor: PHYSICAL_ADDRESS, pCpuNumber: OUT<number>): void;
  /** `DmaDescriptor` is 0n (NULL) when reporting an error (F13a). */
  NetDmaInterruptDpc(NetDmaChannelHandle: NET_DMA_CHANNEL_HANDLE, DmaDescriptor: PHYSICAL_ADDRESS): void;

  // ---- runtime library / debugging ----
  RtlInitUnicodeString(Source: string): UNICODE_STRING;
  /** Frees a string the system allocated for the caller (the SymbolicLinkName of IoRegisterDeviceInterface). */
  RtlFreeUnicodeString(UnicodeString: UNICODE_STRING): void;
  DbgPrint(Message: string): void;
}
