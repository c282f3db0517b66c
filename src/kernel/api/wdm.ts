import type { NTSTATUS } from './ntstatus';

/** Physical addresses are 64-bit: `PHYSICAL_ADDRESS.QuadPart`. */
export type PHYSICAL_ADDRESS = bigint;
/** A kernel virtual address returned by MmMapIoSpace, used with READ_REGISTER_* / WRITE_REGISTER_*. */
export type PVOID_REGISTER = bigint;

/**
 * An output parameter (`T *Out` in C). The callee writes `value`; the caller allocates the box:
 * `const out: OUT<DEVICE_OBJECT> = {}; IoCreateDevice(..., out)`.
 */
export interface OUT<T> {
  value?: T;
}

/** `UNICODE_STRING`: lengths in bytes, as in C (two bytes per UTF-16 code unit). */
export interface UNICODE_STRING {
  Length: number;
  MaximumLength: number;
  Buffer: string;
}

// ---- major and minor function codes -------------------------------------------------------

/** IRP major function codes the simulated I/O manager sends. */
export const IRP_MJ_CREATE = 0x00;
export const IRP_MJ_CLOSE = 0x02;
export const IRP_MJ_DEVICE_CONTROL = 0x0e;
export const IRP_MJ_POWER = 0x16;
export const IRP_MJ_SYSTEM_CONTROL = 0x17;
export const IRP_MJ_PNP = 0x1b;
/** Highest major function code; `MajorFunction` has `IRP_MJ_MAXIMUM_FUNCTION + 1` slots. */
export const IRP_MJ_MAXIMUM_FUNCTION = 0x1b;

/** PnP minor codes (F101). */
export const IRP_MN_START_DEVICE = 0x00;
export const IRP_MN_QUERY_REMOVE_DEVICE = 0x01;
export const IRP_MN_REMOVE_DEVICE = 0x02;
export const IRP_MN_CANCEL_REMOVE_DEVICE = 0x03;
export const IRP_MN_STOP_DEVICE = 0x04;
export const IRP_MN_QUERY_STOP_DEVICE = 0x05;
export const IRP_MN_CANCEL_STOP_DEVICE = 0x06;
export const IRP_MN_QUERY_DEVICE_RELATIONS = 0x07;
export const IRP_MN_QUERY_CAPABILITIES = 0x09;
export const IRP_MN_FILTER_RESOURCE_REQUIREMENTS = 0x0d;
export const IRP_MN_QUERY_PNP_DEVICE_STATE = 0x14;
export const IRP_MN_SURPRISE_REMOVAL = 0x17;

/** Power minor codes. */
export const IRP_MN_WAIT_WAKE = 0x00;
export const IRP_MN_SET_POWER = 0x02;
export const IRP_MN_QUERY_POWER = 0x03;
/** Power minor code: IRP_MN_POWER_SEQUENCE (optional; bus drivers answer it). */
export const IRP_MN_POWER_SEQUENCE = 0x01;

// ---- device object flags and types --------------------------------------------------------

export const DO_BUFFERED_IO = 0x0000_0004;
export const DO_DIRECT_IO = 0x0000_0010;
/** Set by IoCreateDevice; AddDevice clears it before returning (DRV-ADD-02). */
export const DO_DEVICE_INITIALIZING = 0x0000_0080;
export const DO_POWER_PAGABLE = 0x0000_2000;
/**
 * The device needs inrush current when powered up: its power IRPs arrive at DISPATCH_LEVEL, one at
 * a time system-wide. A driver that sets it clears DO_POWER_PAGABLE.
 */
export const DO_POWER_INRUSH = 0x0000_4000;
export const FILE_DEVICE_UNKNOWN = 0x0000_0022;
export const FILE_DEVICE_SECURE_OPEN = 0x0000_0100;

// ---- stack location control bits -----------------------------------------------------------

export const SL_PENDING_RETURNED = 0x01;
export const SL_INVOKE_ON_CANCEL = 0x20;
export const SL_INVOKE_ON_SUCCESS = 0x40;
export const SL_INVOKE_ON_ERROR = 0x80;
/** Priority boost for IoCompleteRequest. */
export const IO_NO_INCREMENT = 0;

// ---- power --------------------------------------------------------------------------------

/** `POWER_STATE_TYPE`. */
export const SystemPowerState = 0;
export const DevicePowerState = 1;
/** `DEVICE_POWER_STATE`. */
export const PowerDeviceD0 = 1;
export const PowerDeviceD1 = 2;
export const PowerDeviceD2 = 3;
export const PowerDeviceD3 = 4;
/** `DEVICE_POWER_STATE`: no state given. */
export const PowerDeviceUnspecified = 0;
/** `DEVICE_POWER_STATE`: one past the last state. */
export const PowerDeviceMaximum = 5;

/** `SYSTEM_POWER_STATE`: S0 is PowerSystemWorking, S1–S3 the sleeping states, S4 hibernate, S5 shutdown. */
export const PowerSystemUnspecified = 0;
export const PowerSystemWorking = 1;
export const PowerSystemSleeping1 = 2;
export const PowerSystemSleeping2 = 3;
export const PowerSystemSleeping3 = 4;
export const PowerSystemHibernate = 5;
export const PowerSystemShutdown = 6;
export const PowerSystemMaximum = 7;

/** `POWER_ACTION`: why the system changes state (`Parameters.Power.ShutdownType` of a system power IRP). */
export const PowerActionNone = 0;
export const PowerActionReserved = 1;
export const PowerActionSleep = 2;
export const PowerActionHibernate = 3;
export const PowerActionShutdown = 4;
export const PowerActionShutdownReset = 5;
export const PowerActionShutdownOff = 6;
export const PowerActionWarmEject = 7;

/**
 * `POWER_STATE`: a C union; the caller sets the member its `POWER_STATE_TYPE` names
 * (`{ DeviceState: PowerDeviceD3 }` for a device power IRP, `{ SystemState: PowerSystemSleeping3 }`
 * for a system one). The kernel's stack locations carry both.
 */
export interface POWER_STATE {
  DeviceState?: number;
  SystemState?: number;
}

/**
 * `REQUEST_POWER_COMPLETE`: the callback PoRequestPowerIrp calls once the power IRP it sent has
 * completed (every driver in the stack finished with it). `IoStatus` is the IRP's final status block.
 */
export type REQUEST_POWER_COMPLETE = (
  DeviceObject: DEVICE_OBJECT,
  MinorFunction: number,
  PowerState: POWER_STATE,
  Context: unknown,
  IoStatus: IO_STATUS_BLOCK,
) => void;

// ---- resources ----------------------------------------------------------------------------

/** `CM_RESOURCE_TYPE` values used here. */
export const CmResourceTypeMemory = 3;
export const CmResourceTypeInterrupt = 2;
/** `CM_RESOURCE_INTERRUPT_MESSAGE`: the interrupt descriptor is an MSI/MSI-X message. */
export const CM_RESOURCE_INTERRUPT_MESSAGE = 0x0002;
export const CM_RESOURCE_INTERRUPT_LATCHED = 0x0001;

/** `IRQ_DEVICE_POLICY` values. */
export const IrqPolicyMachineDefault = 0;
export const IrqPolicyAllCloseProcessors = 1;
export const IrqPolicyOneCloseProcessor = 2;
export const IrqPolicyAllProcessorsInMachine = 3;
export const IrqPolicySpecifiedProcessors = 4;
export const IrqPolicySpreadMessagesAcrossAllProcessors = 5;

/** A raw or translated resource (`CM_PARTIAL_RESOURCE_DESCRIPTOR`), as a tagged union on `Type`. */
export type CM_PARTIAL_RESOURCE_DESCRIPTOR =
  | {
      readonly Type: typeof CmResourceTypeMemory;
      readonly Flags: number;
      readonly u: { readonly Memory: { readonly Start: PHYSICAL_ADDRESS; readonly Length: number } };
    }
  | {
      readonly Type: typeof CmResourceTypeInterrupt;
      /** `CM_RESOURCE_INTERRUPT_MESSAGE` for an MSI-X message. */
      readonly Flags: number;
      readonly u: {
        readonly Interrupt: { readonly Level: number; readonly Vector: number; readonly Affinity: bigint };
        /** Present for message-signalled interrupts. */
        readonly MessageInterrupt?: { readonly MessageCount: number; readonly Vector: number; readonly Affinity: bigint };
      };
    };

/** `CM_RESOURCE_LIST`, flattened to its one full descriptor's partial list. */
export interface CM_RESOURCE_LIST {
  readonly Count: 1;
  readonly List: readonly [{ readonly PartialResourceList: { readonly Count: number; readonly PartialDescriptors: readonly CM_PARTIAL_RESOURCE_DESCRIPTOR[] } }];
}

/**
 * One entry of a resource requirements list (`IO_RESOURCE_DESCRIPTOR`). For interrupts a function
 * driver may change `AffinityPolicy` and `TargetedProcessors` while filtering requirements (F52).
 */
export type IO_RESOURCE_DESCRIPTOR =
  | {
      readonly Type: typeof CmResourceTypeMemory;
      /** IO_RESOURCE_PREFERRED / IO_RESOURCE_ALTERNATIVE (absent: preferred). */
      Option?: number;
      Flags: number;
      u: { Memory: { Length: number; Alignment: number; MinimumAddress: PHYSICAL_ADDRESS; MaximumAddress: PHYSICAL_ADDRESS } };
    }
  | {
      readonly Type: typeof CmResourceTypeInterrupt;
      /** IO_RESOURCE_PREFERRED / IO_RESOURCE_ALTERNATIVE (absent: preferred). */
      Option?: number;
      /** `CM_RESOURCE_INTERRUPT_MESSAGE` for an MSI-X message. */
      Flags: number;
      u: {
        Interrupt: {
          MinimumVector: number;
          MaximumVector: number;
          AffinityPolicy: number;
          PriorityPolicy: number;
          /** KAFFINITY of the processors this message should target (with IrqPolicySpecifiedProcessors). */
          TargetedProcessors: bigint;
          Group: number;
        };
      };
    };

/** `IO_RESOURCE_LIST`: one alternative set of resource descriptors. */
export interface IO_RESOURCE_LIST {
  Version: 1;
  Revision: 1;
  Count: number;
  Descriptors: IO_RESOURCE_DESCRIPTOR[];
}

/**
 * `IO_RESOURCE_REQUIREMENTS_LIST`: `AlternativeLists` alternative lists (the bus driver reports
 * one; a function driver filtering the requirements may add descriptors or lists, F52).
 */
export interface IO_RESOURCE_REQUIREMENTS_LIST {
  ListSize: number;
  AlternativeLists: number;
  List: [IO_RESOURCE_LIST, ...IO_RESOURCE_LIST[]];
}

// ---- objects ------------------------------------------------------------------------------

/** `DRIVER_INITIALIZE`: the entry point a candidate's loader returns. */
export type DRIVER_INITIALIZE = (DriverObject: DRIVER_OBJECT, RegistryPath: UNICODE_STRING) => NTSTATUS;
/** `DRIVER_ADD_DEVICE`. */
export type DRIVER_ADD_DEVICE = (DriverObject: DRIVER_OBJECT, PhysicalDeviceObject: DEVICE_OBJECT) => NTSTATUS;
/** `DRIVER_DISPATCH`. */
export type DRIVER_DISPATCH = (DeviceObject: DEVICE_OBJECT, Irp: IRP) => NTSTATUS;
/** `DRIVER_UNLOAD`. */
export type DRIVER_UNLOAD = (DriverObject: DRIVER_OBJECT) => void;
/** `IO_COMPLETION_ROUTINE`: returns STATUS_MORE_PROCESSING_REQUIRED or STATUS_CONTINUE_COMPLETION. */
export type IO_COMPLETION_ROUTINE = (DeviceObject: DEVICE_OBJECT | null, Irp: IRP, Context: unknown) => NTSTATUS;

/** `DRIVER_EXTENSION`. */
export interface DRIVER_EXTENSION {
  AddDevice: DRIVER_ADD_DEVICE | null;
}

/** `DRIVER_OBJECT`. The kernel keeps its own records; only the entry points are read back. */
export interface DRIVER_OBJECT {
  readonly Type: 4;
  /** The first device object the driver created (kept up to date by the kernel). */
  readonly DeviceObject: DEVICE_OBJECT | null;
  readonly DriverExtension: DRIVER_EXTENSION;
  DriverUnload: DRIVER_UNLOAD | null;
  /** Indexed by IRP_MJ_*; `null` slots complete with STATUS_INVALID_DEVICE_REQUEST. */
  readonly MajorFunction: (DRIVER_DISPATCH | null)[];
  readonly DriverName: UNICODE_STRING;
}

/** `DEVICE_OBJECT`. `DeviceExtension` is the driver's: an empty object it may fill. */
export interface DEVICE_OBJECT {
  readonly Type: 3;
  readonly DriverObject: DRIVER_OBJECT;
  /** DO_* flags; AddDevice clears DO_DEVICE_INITIALIZING. */
  Flags: number;
  readonly DeviceType: number;
  readonly Characteristics: number;
  readonly StackSize: number;
  // The extension is the driver's own storage; drivers cast it to their own type.
  readonly DeviceExtension: Record<string, unknown>;
  /** For diagnostics: `FDO#1`, `PDO#1`. */
  readonly Name: string;
}

/** `IO_STATUS_BLOCK`. */
export interface IO_STATUS_BLOCK {
  Status: NTSTATUS;
  /** For FILTER_RESOURCE_REQUIREMENTS: the IO_RESOURCE_REQUIREMENTS_LIST. */
  Information: unknown;
}

/** Parameters of the stack location, by IRP kind (a C union). */
export interface IO_STACK_PARAMETERS {
  StartDevice?: { AllocatedResources: CM_RESOURCE_LIST; AllocatedResourcesTranslated: CM_RESOURCE_LIST };
  FilterResourceRequirements?: { IoResourceRequirementList: IO_RESOURCE_REQUIREMENTS_LIST };
  /**
   * IRP_MJ_POWER: `Type` is SystemPowerState or DevicePowerState, `State` the state of that type.
   * On a system power IRP `ShutdownType` is its POWER_ACTION (PowerActionSleep, PowerActionHibernate,
   * PowerActionShutdownOff, ...) and `SystemContext` the power manager's; device power IRPs the
   * policy owner requests with PoRequestPowerIrp carry `ShutdownType` PowerActionNone.
   */
  Power?: { Type: number; State: { DeviceState: number; SystemState: number }; ShutdownType?: number; SystemContext?: number };
  /** IRP_MN_QUERY_DEVICE_RELATIONS: which relations (a `DEVICE_RELATION_TYPE`). */
  QueryDeviceRelations?: { Type: number };
  /** IRP_MN_QUERY_INTERFACE: the interface GUID, the caller's buffer (`Interface`) the exporter fills. */
  QueryInterface?: { InterfaceType: string; Size: number; Version: number; Interface: OUT<INTERFACE>; InterfaceSpecificData: unknown };
  /** IRP_MN_QUERY_CAPABILITIES: the structure the bus driver fills and drivers above may edit on the way up. */
  DeviceCapabilities?: { Capabilities: DEVICE_CAPABILITIES };
  /** IRP_MN_DEVICE_USAGE_NOTIFICATION: whether the device enters (`InPath`) or leaves the path of a `DEVICE_USAGE_NOTIFICATION_TYPE` file. */
  UsageNotification?: { InPath: boolean; Reserved: readonly [boolean, boolean, boolean]; Type: number };
  /** IRP_MN_QUERY_ID: a `BUS_QUERY_ID_TYPE`. */
  QueryId?: { IdType: number };
  /** IRP_MN_QUERY_DEVICE_TEXT: a `DEVICE_TEXT_TYPE` and the locale. */
  QueryDeviceText?: { DeviceTextType: number; LocaleId: number };
  /** IRP_MJ_CREATE. */
  Create?: { SecurityContext: unknown; Options: number; FileAttributes: number; ShareAccess: number; EaLength: number };
  /** IRP_MJ_DEVICE_CONTROL and IRP_MJ_INTERNAL_DEVICE_CONTROL. */
  DeviceIoControl?: { OutputBufferLength: number; InputBufferLength: number; IoControlCode: number; Type3InputBuffer: unknown };
  /** IRP_MJ_SYSTEM_CONTROL (WMI): `ProviderId` is the device object the request is for. */
  WMI?: { ProviderId: unknown; DataPath: unknown; BufferSize: number; Buffer: Uint8Array | null };
}

/** `IO_STACK_LOCATION`. */
export interface IO_STACK_LOCATION {
  MajorFunction: number;
  MinorFunction: number;
  Flags: number;
  Control: number;
  Parameters: IO_STACK_PARAMETERS;
  DeviceObject: DEVICE_OBJECT | null;
  CompletionRoutine: IO_COMPLETION_ROUTINE | null;
  Context: unknown;
  /** The file object of IRP_MJ_CREATE / CLEANUP / CLOSE / DEVICE_CONTROL; null for PnP, power and WMI IRPs. */
  FileObject: FILE_OBJECT | null;
}

/** `IRP`. Stack locations are reached with IoGetCurrentIrpStackLocation / IoGetNextIrpStackLocation. */
export interface IRP {
  readonly Type: 6;
  IoStatus: IO_STATUS_BLOCK;
  /** Set by the I/O manager before calling a completion routine when a lower driver returned STATUS_PENDING. */
  PendingReturned: boolean;
  /** `AssociatedIrp.SystemBuffer`: the buffer of a METHOD_BUFFERED IRP_MJ_DEVICE_CONTROL (null otherwise). */
  readonly AssociatedIrp: { SystemBuffer: Uint8Array | null };
  /** For diagnostics: `IRP#3`. */
  readonly Name: string;
}

// ---- synchronisation objects (driver-allocated storage, initialised by the kernel) ------------

/** `KEVENT`: driver-allocated (`const ev: KEVENT = {}`), initialised by KeInitializeEvent. */
export interface KEVENT {
  readonly __brand_kevent?: never;
}
/** `KSPIN_LOCK`: driver-allocated, initialised by KeInitializeSpinLock. */
export interface KSPIN_LOCK {
  readonly __brand_kspinlock?: never;
}
/** `KDPC`: driver-allocated, initialised by KeInitializeDpc. */
export interface KDPC {
  readonly __brand_kdpc?: never;
}
/** `EVENT_TYPE`. */
export const NotificationEvent = 0;
export const SynchronizationEvent = 1;
/** `KDEFERRED_ROUTINE`. */
export type KDEFERRED_ROUTINE = (Dpc: KDPC, DeferredContext: unknown, SystemArgument1: unknown, SystemArgument2: unknown) => void;

/** `PIO_WORKITEM`, from IoAllocateWorkItem. */
export interface IO_WORKITEM {
  readonly __brand_workitem?: never;
}
/** `WORK_QUEUE_TYPE` values for IoQueueWorkItem. */
export const CriticalWorkQueue = 0;
export const DelayedWorkQueue = 1;
/** `IO_WORKITEM_ROUTINE`, runs at PASSIVE_LEVEL in a system thread. */
export type IO_WORKITEM_ROUTINE = (DeviceObject: DEVICE_OBJECT, Context: unknown) => void;

// ---- interrupts -----------------------------------------------------------------------------

/** `KINTERRUPT`, from IoConnectInterruptEx. */
export interface KINTERRUPT {
  readonly __brand_kinterrupt?: never;
}
/** `KMESSAGE_SERVICE_ROUTINE`: runs at DIRQL on the message's target processor. */
export type KMESSAGE_SERVICE_ROUTINE = (Interrupt: KINTERRUPT, ServiceContext: unknown, MessageID: number) => boolean;
/** `KSERVICE_ROUTINE` (line-based). */
export type KSERVICE_ROUTINE = (Interrupt: KINTERRUPT, ServiceContext: unknown) => boolean;
/** `KSYNCHRONIZE_ROUTINE`. */
export type KSYNCHRONIZE_ROUTINE = (SynchronizeContext: unknown) => boolean;

export const CONNECT_FULLY_SPECIFIED = 1;
export const CONNECT_LINE_BASED = 2;
export const CONNECT_MESSAGE_BASED = 3;

/** `IO_INTERRUPT_MESSAGE_INFO_ENTRY`. */
export interface IO_INTERRUPT_MESSAGE_INFO_ENTRY {
  readonly MessageAddress: PHYSICAL_ADDRESS;
  readonly TargetProcessorSet: bigint;
  readonly InterruptObject: KINTERRUPT;
  readonly MessageData: number;
  readonly Vector: number;
  readonly Irql: number;
}
/** `IO_INTERRUPT_MESSAGE_INFO`. */
export interface IO_INTERRUPT_MESSAGE_INFO {
  readonly UnifiedIrql: number;
  readonly MessageCount: number;
  readonly MessageInfo: readonly IO_INTERRUPT_MESSAGE_INFO_ENTRY[];
}

/** `IO_CONNECT_INTERRUPT_PARAMETERS` (message-based or line-based). */
export type IO_CONNECT_INTERRUPT_PARAMETERS =
  | {
      /** On return, CONNECT_MESSAGE_BASED, or CONNECT_LINE_BASED when the machine fell back to a line interrupt. */
      Version: typeof CONNECT_MESSAGE_BASED | typeof CONNECT_LINE_BASED;
      MessageBased: {
        PhysicalDeviceObject: DEVICE_OBJECT;
        /** Written by the kernel: the message table (message-based) or the interrupt object (fallback). */
        ConnectionContext: OUT<{ InterruptMessageTable?: IO_INTERRUPT_MESSAGE_INFO; InterruptObject?: KINTERRUPT }>;
        MessageServiceRoutine: KMESSAGE_SERVICE_ROUTINE;
        ServiceContext: unknown;
        SynchronizeIrql: number;
        FloatingSave: boolean;
        FallBackServiceRoutine: KSERVICE_ROUTINE | null;
      };
    }
  | {
      Version: typeof CONNECT_LINE_BASED;
      LineBased: {
        PhysicalDeviceObject: DEVICE_OBJECT;
        InterruptObject: OUT<KINTERRUPT>;
        ServiceRoutine: KSERVICE_ROUTINE;
        ServiceContext: unknown;
        SynchronizeIrql: number;
        FloatingSave: boolean;
      };
    };

/** `IO_DISCONNECT_INTERRUPT_PARAMETERS`. */
export interface IO_DISCONNECT_INTERRUPT_PARAMETERS {
  Version: typeof CONNECT_MESSAGE_BASED | typeof CONNECT_LINE_BASED;
  ConnectionContext: { InterruptMessageTable?: IO_INTERRUPT_MESSAGE_INFO; InterruptObject?: KINTERRUPT };
}

/** `BUS_INTERFACE_STANDARD` (the parts a function driver uses to read PCI config space). */
export interface BUS_INTERFACE_STANDARD {
  readonly Size: number;
  readonly Version: number;
  readonly Context: unknown;
  readonly InterfaceReference: (Context: unknown) => void;
  readonly InterfaceDereference: (Context: unknown) => void;
  /** Reads `Length` bytes of config space at `Offset` into `Buffer`; returns the number of bytes read. */
  readonly GetBusData: (Context: unknown, DataType: number, Buffer: Uint8Array, Offset: number, Length: number) => number;
}
/** `PCI_WHICHSPACE_CONFIG`. */
export const PCI_WHICHSPACE_CONFIG = 0;
/** Offset of the vendor id in PCI config space. */
export const PCI_VENDOR_ID_OFFSET = 0;

/** `POOL_TYPE` values. */
export const NonPagedPool = 0;
export const PagedPool = 1;
export const NonPagedPoolNx = 512;
/** `MEMORY_CACHING_TYPE` values. */
export const MmNonCached = 0;
export const MmCached = 1;

// ---- the rest of the PnP and I/O surface a function driver meets ---------------------------

/** Major function codes beyond the ones above. */
export const IRP_MJ_READ = 0x03;
export const IRP_MJ_WRITE = 0x04;
export const IRP_MJ_INTERNAL_DEVICE_CONTROL = 0x0f;
export const IRP_MJ_SHUTDOWN = 0x10;
export const IRP_MJ_CLEANUP = 0x12;

/** PnP minor codes beyond F101's (plug-and-play-minor-irps.md; values of wdm.h). */
export const IRP_MN_QUERY_INTERFACE = 0x08;
export const IRP_MN_QUERY_RESOURCES = 0x0a;
export const IRP_MN_QUERY_RESOURCE_REQUIREMENTS = 0x0b;
export const IRP_MN_QUERY_DEVICE_TEXT = 0x0c;
export const IRP_MN_READ_CONFIG = 0x0f;
export const IRP_MN_WRITE_CONFIG = 0x10;
export const IRP_MN_EJECT = 0x11;
export const IRP_MN_SET_LOCK = 0x12;
export const IRP_MN_QUERY_ID = 0x13;
export const IRP_MN_QUERY_BUS_INFORMATION = 0x15;
export const IRP_MN_DEVICE_USAGE_NOTIFICATION = 0x16;
export const IRP_MN_QUERY_LEGACY_BUS_INFORMATION = 0x18;
export const IRP_MN_DEVICE_ENUMERATED = 0x19;

/** WMI minor codes of IRP_MJ_SYSTEM_CONTROL. */
export const IRP_MN_QUERY_ALL_DATA = 0x00;
export const IRP_MN_QUERY_SINGLE_INSTANCE = 0x01;
export const IRP_MN_CHANGE_SINGLE_INSTANCE = 0x02;
export const IRP_MN_CHANGE_SINGLE_ITEM = 0x03;
export const IRP_MN_ENABLE_EVENTS = 0x04;
export const IRP_MN_DISABLE_EVENTS = 0x05;
export const IRP_MN_ENABLE_COLLECTION = 0x06;
export const IRP_MN_DISABLE_COLLECTION = 0x07;
export const IRP_MN_REGINFO = 0x08;
export const IRP_MN_EXECUTE_METHOD = 0x09;
export const IRP_MN_REGINFO_EX = 0x0b;

/** `DEVICE_RELATION_TYPE`. */
export const BusRelations = 0;
export const EjectionRelations = 1;
export const PowerRelations = 2;
export const RemovalRelations = 3;
export const TargetDeviceRelation = 4;
export const SingleBusRelations = 5;
export const TransportRelations = 6;

/** `DEVICE_RELATIONS`: what IRP_MN_QUERY_DEVICE_RELATIONS returns in IoStatus.Information (each object referenced). */
export interface DEVICE_RELATIONS {
  Count: number;
  Objects: DEVICE_OBJECT[];
}

/** `BUS_QUERY_ID_TYPE`. */
export const BusQueryDeviceID = 0;
export const BusQueryHardwareIDs = 1;
export const BusQueryCompatibleIDs = 2;
export const BusQueryInstanceID = 3;
export const BusQueryDeviceSerialNumber = 4;
export const BusQueryContainerID = 5;

/** `DEVICE_TEXT_TYPE`. */
export const DeviceTextDescription = 0;
export const DeviceTextLocationInformation = 1;

/** `DEVICE_USAGE_NOTIFICATION_TYPE`. */
export const DeviceUsageTypeUndefined = 0;
export const DeviceUsageTypePaging = 1;
export const DeviceUsageTypeHibernation = 2;
export const DeviceUsageTypeDumpFile = 3;
export const DeviceUsageTypeBoot = 4;
export const DeviceUsageTypePostDisplay = 5;
export const DeviceUsageTypeGuestAssigned = 6;

/** `PNP_DEVICE_STATE` bits (IRP_MN_QUERY_PNP_DEVICE_STATE's IoStatus.Information). */
export const PNP_DEVICE_DISABLED = 0x0000_0001;
export const PNP_DEVICE_DONT_DISPLAY_IN_UI = 0x0000_0002;
export const PNP_DEVICE_FAILED = 0x0000_0004;
export const PNP_DEVICE_REMOVED = 0x0000_0008;
export const PNP_DEVICE_RESOURCE_REQUIREMENTS_CHANGED = 0x0000_0010;
export const PNP_DEVICE_NOT_DISABLEABLE = 0x0000_0020;

/** `INTERFACE_TYPE` value of a PCI bus. */
export const PCIBus = 5;
/** `GUID_BUS_TYPE_PCI`, as its registry string. */
export const GUID_BUS_TYPE_PCI = '{c8ebdfb0-b510-11d0-80e5-00a0c92542e3}';
/** `GUID_BUS_INTERFACE_STANDARD`, as its registry string (IRP_MN_QUERY_INTERFACE). */
export const GUID_BUS_INTERFACE_STANDARD = '{496b8280-6f25-11d0-beaf-08002be2092f}';

/** `PNP_BUS_INFORMATION`: IRP_MN_QUERY_BUS_INFORMATION's IoStatus.Information (GUIDs as registry strings). */
export interface PNP_BUS_INFORMATION {
  readonly BusTypeGuid: string;
  readonly LegacyBusType: number;
  readonly BusNumber: number;
}

/** `INTERFACE`: the header every interface of IRP_MN_QUERY_INTERFACE starts with. */
export interface INTERFACE {
  readonly Size: number;
  readonly Version: number;
  readonly Context: unknown;
  readonly InterfaceReference: (Context: unknown) => void;
  readonly InterfaceDereference: (Context: unknown) => void;
}

/**
 * `DEVICE_CAPABILITIES` (IRP_MN_QUERY_CAPABILITIES): filled by the bus driver; a function driver
 * may change fields on the way up, after the bus driver has set them. The C bit fields are
 * booleans; `DeviceState` is indexed by SYSTEM_POWER_STATE (0..6) and holds DEVICE_POWER_STATEs.
 */
export interface DEVICE_CAPABILITIES {
  Size: number;
  Version: number;
  DeviceD1: boolean;
  DeviceD2: boolean;
  LockSupported: boolean;
  EjectSupported: boolean;
  Removable: boolean;
  DockDevice: boolean;
  UniqueID: boolean;
  SilentInstall: boolean;
  RawDeviceOK: boolean;
  SurpriseRemovalOK: boolean;
  WakeFromD0: boolean;
  WakeFromD1: boolean;
  WakeFromD2: boolean;
  WakeFromD3: boolean;
  HardwareDisabled: boolean;
  NonDynamic: boolean;
  WarmEjectSupported: boolean;
  NoDisplayInUI: boolean;
  Address: number;
  UINumber: number;
  DeviceState: number[];
  SystemWake: number;
  DeviceWake: number;
  D1Latency: number;
  D2Latency: number;
  D3Latency: number;
}
/** `sizeof(DEVICE_CAPABILITIES)` on x64. */
export const DEVICE_CAPABILITIES_SIZE = 64;

/** `FILE_OBJECT` (the parts a function driver reads): one per open handle, from IRP_MJ_CREATE to IRP_MJ_CLOSE. */
export interface FILE_OBJECT {
  readonly Type: 5;
  readonly DeviceObject: DEVICE_OBJECT;
  readonly FileName: UNICODE_STRING;
  /** The driver's per-open context. */
  FsContext: unknown;
  FsContext2: unknown;
}

/** `IO_RESOURCE_DESCRIPTOR.Option` values. */
export const IO_RESOURCE_PREFERRED = 0x01;
export const IO_RESOURCE_DEFAULT = 0x02;
export const IO_RESOURCE_ALTERNATIVE = 0x08;

/** I/O control codes: `CTL_CODE(DeviceType, Function, Method, Access)`. */
export const METHOD_BUFFERED = 0;
export const METHOD_IN_DIRECT = 1;
export const METHOD_OUT_DIRECT = 2;
export const METHOD_NEITHER = 3;
export const FILE_ANY_ACCESS = 0;
export const FILE_READ_ACCESS = 1;
export const FILE_WRITE_ACCESS = 2;
/** The `CTL_CODE` macro. */
export function CTL_CODE(DeviceType: number, Function: number, Method: number, Access: number): number {
  return ((DeviceType << 16) | (Access << 14) | (Function << 2) | Method) >>> 0;
}
