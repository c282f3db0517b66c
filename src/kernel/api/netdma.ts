import type { NTSTATUS } from './ntstatus';
import type { DEVICE_OBJECT, OUT, PHYSICAL_ADDRESS, UNICODE_STRING } from './wdm';

/** Opaque provider handle written by NetDmaRegisterProvider. */
export interface NET_DMA_PROVIDER_HANDLE {
  readonly __brand_provider_handle?: never;
}
/** Opaque channel handle passed to ProviderAllocateDmaChannel, for NetDmaIsr / NetDmaInterruptDpc. */
export interface NET_DMA_CHANNEL_HANDLE {
  readonly __brand_channel_handle?: never;
}

/** `NET_DMA_CHANNEL_CPU_AFFINITY` (F20). */
export interface NET_DMA_CHANNEL_CPU_AFFINITY {
  readonly DmaChannel: number;
  readonly CpuNumber: number;
}
/** sizeof(NET_DMA_CHANNEL_CPU_AFFINITY): the handler's array size argument is in bytes (F24). */
export const NET_DMA_CHANNEL_CPU_AFFINITY_SIZE = 8;

/** `GROUP_AFFINITY`. */
export interface GROUP_AFFINITY {
  readonly Mask: bigint;
  readonly Group: number;
}

/** `NET_DMA_CHANNEL_PARAMETERS` (F19), filled by NetDMA; the provider writes `CpuNumber`. */
export interface NET_DMA_CHANNEL_PARAMETERS {
  readonly Revision: number;
  readonly Size: number;
  readonly Flags: number;
  /** Virtual address of the completion word (a view of simulated memory). */
  readonly CompletionVirtualAddress: bigint;
  readonly CompletionPhysicalAddress: PHYSICAL_ADDRESS;
  readonly ProcessorAffinityMask: number;
  readonly ChannelPriority: number;
  /** OUTPUT: the CPU that runs this channel's DPCs (F19f). */
  CpuNumber: number;
  /** Revision 2 only (Windows 7): check Revision before reading it (F19a). */
  readonly ProcessorAffinityMaskEx?: GROUP_AFFINITY;
}
export const NET_DMA_CHANNEL_PARAMETERS_REVISION_1 = 1;
export const NET_DMA_CHANNEL_PARAMETERS_REVISION_2 = 2;

/** `NET_DMA_DESCRIPTOR` as the provider sees it through DescriptorVirtualAddress (a 64-byte view). */
export type PNET_DMA_DESCRIPTOR = bigint;

// ---- provider handlers (DMA_*_HANDLER) --------------------------------------------------------

/** `DMA_CHANNELS_CPU_AFFINITY_HANDLER` — PASSIVE_LEVEL; `CpuAffinityArraySize` is in bytes (F24). */
export type DMA_CHANNELS_CPU_AFFINITY_HANDLER = (
  ProviderContext: unknown,
  CpuAffinityArray: readonly NET_DMA_CHANNEL_CPU_AFFINITY[],
  CpuAffinityArraySize: number,
) => NTSTATUS;
/** `DMA_CHANNEL_ALLOCATE_HANDLER` — IRQL <= DISPATCH_LEVEL (F25). */
export type DMA_CHANNEL_ALLOCATE_HANDLER = (
  ProviderContext: unknown,
  ChannelParameters: NET_DMA_CHANNEL_PARAMETERS,
  NetDmaChannelHandle: NET_DMA_CHANNEL_HANDLE,
  pProviderChannelContext: OUT<unknown>,
) => NTSTATUS;
/** `DMA_CHANNEL_FREE_HANDLER` — IRQL <= DISPATCH_LEVEL (F26). */
export type DMA_CHANNEL_FREE_HANDLER = (ProviderChannelContext: unknown) => void;
/** `DMA_START_HANDLER` — IRQL <= DISPATCH_LEVEL (F27). */
export type DMA_START_HANDLER = (
  ProviderChannelContext: unknown,
  DescriptorVirtualAddress: PNET_DMA_DESCRIPTOR,
  DescriptorPhysicalAddress: PHYSICAL_ADDRESS,
  DescriptorCount: number,
) => NTSTATUS;
/** `DMA_APPEND_HANDLER` — same signature as Start (F28). */
export type DMA_APPEND_HANDLER = DMA_START_HANDLER;
/** `DMA_SUSPEND_HANDLER` — writes the last processed descriptor's PA (F29, decision A5). */
export type DMA_SUSPEND_HANDLER = (ProviderChannelContext: unknown, pLastDescriptor: OUT<PHYSICAL_ADDRESS>) => NTSTATUS;
/** `DMA_RESUME_HANDLER` (F30). */
export type DMA_RESUME_HANDLER = (ProviderChannelContext: unknown) => NTSTATUS;
/** `DMA_ABORT_HANDLER` (F31). */
export type DMA_ABORT_HANDLER = (ProviderChannelContext: unknown) => NTSTATUS;
/** `DMA_RESET_HANDLER` (F32). */
export type DMA_RESET_HANDLER = (ProviderChannelContext: unknown) => NTSTATUS;

/** `NET_DMA_PROVIDER_CHARACTERISTICS` (F17). */
export interface NET_DMA_PROVIDER_CHARACTERISTICS {
  MajorVersion: number;
  MinorVersion: number;
  Size: number;
  Flags: number;
  PhysicalDeviceObject: DEVICE_OBJECT | null;
  MaxDmaChannelCount: number;
  SetDmaChannelCpuAffinity: DMA_CHANNELS_CPU_AFFINITY_HANDLER | null;
  AllocateDmaChannel: DMA_CHANNEL_ALLOCATE_HANDLER | null;
  FreeDmaChannel: DMA_CHANNEL_FREE_HANDLER | null;
  StartDma: DMA_START_HANDLER | null;
  SuspendDma: DMA_SUSPEND_HANDLER | null;
  ResumeDma: DMA_RESUME_HANDLER | null;
  AbortDma: DMA_ABORT_HANDLER | null;
  AppendDma: DMA_APPEND_HANDLER | null;
  ResetChannel: DMA_RESET_HANDLER | null;
  /** NetDMA 2.0 and later: a non-empty friendly name (F17f). */
  FriendlyName?: UNICODE_STRING;
}
/** sizeof(NET_DMA_PROVIDER_CHARACTERISTICS) on x64 for a 1.x provider (no FriendlyName). */
export const NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1 = 96;
/** sizeof(NET_DMA_PROVIDER_CHARACTERISTICS) on x64 for a 2.0 provider (with FriendlyName). */
export const NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2 = 112;
/** Flags (FACTS section g). */
export const NET_DMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED = 0x1;
export const NET_DMA_PROVIDER_SUPPORTS_PROC_GROUPS = 0x2;

/** `NET_DMA_PROVIDER_ATTRIBUTES` (F18). */
export interface NET_DMA_PROVIDER_ATTRIBUTES {
  MajorHwVersion: number;
  MinorHwVersion: number;
  Size: number;
  Flags: number;
  VendorId: number;
  DmaChannelCount: number;
  MaximumTransferSize: number;
  MaximumAddressSpace: PHYSICAL_ADDRESS;
}
/** sizeof(NET_DMA_PROVIDER_ATTRIBUTES) on x64. */
export const NET_DMA_PROVIDER_ATTRIBUTES_SIZE = 32;

/** `NET_DMA_PNP_NOTIFICATION_CODE` (F22). */
export const NetDmaNotificationProviderRegistered = 1;
export const NetDmaNotificationProviderArrival = 2;
export const NetDmaNotificationProviderRemoval = 3;
export const NetDmaNotificationChannelArrival = 4;
export const NetDmaNotificationProviderPowerDown = 5;
export const NetDmaNotificationProviderPowerUp = 6;
export const NetDmaNotificationMax = 7;

/** `NET_DMA_PNP_NOTIFICATION` (F21). */
export interface NET_DMA_PNP_NOTIFICATION {
  StructureRevision: number;
  StructureSize: number;
  NotificationCode: number;
  Buffer: unknown;
  BufferLength: number;
}
export const NET_DMA_PNP_NOTIFICATION_REVISION_1 = 1;
/** sizeof(NET_DMA_PNP_NOTIFICATION) on x64. */
export const NET_DMA_PNP_NOTIFICATION_SIZE = 32;

/** `NetDmaGetVersion`, reached through NdisGetRoutineAddress (F14a). */
export type NET_DMA_GET_VERSION = () => number;
/** `NetDmaPnPEventNotify`, reached through NdisGetRoutineAddress (F15a). */
export type NET_DMA_PNP_EVENT_NOTIFY = (NetDmaProviderHandle: NET_DMA_PROVIDER_HANDLE, PnPEvent: NET_DMA_PNP_NOTIFICATION) => void;

/** Interface versions as NetDmaGetVersion returns them: major in the high 16 bits. */
export const NETDMA_VERSION_1_0 = 0x0001_0000;
export const NETDMA_VERSION_1_1 = 0x0001_0001;
export const NETDMA_VERSION_2_0 = 0x0002_0000;
