/** dp-sync-only: taking and giving back the engine (START / STOP / SURPRISE_REMOVAL / REMOVE). */
import {
  CONNECT_LINE_BASED,
  CONNECT_MESSAGE_BASED,
  CmResourceTypeMemory,
  INTRCTRL,
  MmNonCached,
  NET_DMA_PROVIDER_ATTRIBUTES_SIZE,
  NT_SUCCESS,
  PCI_VENDOR_ID_OFFSET,
  PCI_WHICHSPACE_CONFIG,
  SIMULATED_DIRQL,
  STATUS_DEVICE_NOT_READY,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_SUCCESS,
  GENERAL_REGISTERS,
  type CM_RESOURCE_LIST,
  type IO_CONNECT_INTERRUPT_PARAMETERS,
  type IO_INTERRUPT_MESSAGE_INFO,
  type KINTERRUPT,
  type KernelServices,
  type NTSTATUS,
  type OUT,
} from '../../../src/candidate-api';
import { greg, hwReset } from './engine';
import { MAX_CHANNELS, type Engine } from './ext';
import type { InterruptRoutines } from './isr';

/** Lowest CPU in a KAFFINITY, 0 when empty. */
const firstCpu = (set: bigint): number => {
  for (let c = 0; c < 64; c++) if (((set >> BigInt(c)) & 1n) === 1n) return c;
  return 0;
};

export function startEngine(k: KernelServices, e: Engine, res: CM_RESOURCE_LIST, irqs: InterruptRoutines): NTSTATUS {
  const mem = res.List[0].PartialResourceList.PartialDescriptors.find((d) => d.Type === CmResourceTypeMemory);
  if (!mem || mem.Type !== CmResourceTypeMemory) return STATUS_DEVICE_NOT_READY;
  const bar = k.MmMapIoSpace(mem.u.Memory.Start, mem.u.Memory.Length, MmNonCached);
  if (bar === null) return STATUS_INSUFFICIENT_RESOURCES;
  e.bar = bar;
  e.barLength = mem.u.Memory.Length;
  const chancnt = k.READ_REGISTER_UCHAR(greg(bar, 'CHANCNT')) & 0x1f;
  const xfercap = k.READ_REGISTER_UCHAR(greg(bar, 'XFERCAP')) & 0x1f;
  const ver = k.READ_REGISTER_UCHAR(greg(bar, 'VER'));
  // The vendor id comes from configuration space (F18).
  const bus = k.IoGetBusInterfaceStandard(e.pdo);
  const id = new Uint8Array(2);
  const got = bus ? bus.GetBusData(bus.Context, PCI_WHICHSPACE_CONFIG, id, PCI_VENDOR_ID_OFFSET, 2) : 0;
  if (bus) bus.InterfaceDereference(bus.Context);
  if (got !== 2 || chancnt === 0) {
    releaseEngine(k, e);
    return STATUS_DEVICE_NOT_READY;
  }
  const out: OUT<{ InterruptMessageTable?: IO_INTERRUPT_MESSAGE_INFO; InterruptObject?: KINTERRUPT }> = {};
  const params: IO_CONNECT_INTERRUPT_PARAMETERS = {
    Version: CONNECT_MESSAGE_BASED,
    MessageBased: {
      PhysicalDeviceObject: e.pdo,
      ConnectionContext: out,
      MessageServiceRoutine: irqs.onMessage,
      ServiceContext: e,
      SynchronizeIrql: SIMULATED_DIRQL,
      FloatingSave: false,
      FallBackServiceRoutine: irqs.onLine,
    },
  };
  const st = k.IoConnectInterruptEx(params);
  if (!NT_SUCCESS(st)) {
    releaseEngine(k, e);
    return st;
  }
  e.messages = params.Version === CONNECT_MESSAGE_BASED ? out.value?.InterruptMessageTable ?? null : null;
  e.line = e.messages ? null : out.value?.InterruptObject ?? null;
  // Only channels that have their own MSI-X message are offered (one message per channel).
  let count = Math.min(chancnt, MAX_CHANNELS);
  if (e.messages) count = Math.min(count, e.messages.MessageCount);
  e.channelCount = count;
  e.slots = new Array(count).fill(null);
  e.messageCpu = [];
  for (let i = 0; i < count; i++) e.messageCpu.push(e.messages ? firstCpu(e.messages.MessageInfo[i]!.TargetProcessorSet) : 0);
  for (let i = 0; i < count; i++) {
    if (!hwReset(k, bar, i)) {
      releaseEngine(k, e);
      return STATUS_DEVICE_NOT_READY;
    }
  }
  k.WRITE_REGISTER_UCHAR(greg(bar, 'INTRCTRL'), INTRCTRL.MASTER_INT_EN);
  e.contextLost = false;
  e.started = true;
  k.NetDmaProviderStart(e.handle!, {
    MajorHwVersion: ver >> 4,
    MinorHwVersion: ver & 0xf,
    Size: NET_DMA_PROVIDER_ATTRIBUTES_SIZE,
    Flags: 0,
    VendorId: id[0]! | (id[1]! << 8),
    DmaChannelCount: count,
    // XFERCAP 0 means 32 GiB: the largest ULONG; otherwise 2^XFERCAP (at most 2^31).
    MaximumTransferSize: xfercap === 0 ? 0xffff_ffff : 2 ** xfercap,
    MaximumAddressSpace: 0x0000_ffff_ffff_ffffn,
  });
  return STATUS_SUCCESS;
}

/** NetDmaProviderStop while the ISR and DPCs still work (F11d, F122), then the hardware goes. */
export function stopEngine(k: KernelServices, e: Engine): void {
  if (e.started) {
    k.NetDmaProviderStop(e.handle!);
    e.started = false;
  }
  releaseEngine(k, e);
}

export function releaseEngine(k: KernelServices, e: Engine): void {
  if (e.messages || e.line) {
    if (e.bar !== null) k.WRITE_REGISTER_UCHAR(e.bar + BigInt(GENERAL_REGISTERS.INTRCTRL.offset), 0);
    const messageBased = e.messages !== null;
    k.IoDisconnectInterruptEx({
      Version: messageBased ? CONNECT_MESSAGE_BASED : CONNECT_LINE_BASED,
      ConnectionContext: messageBased ? { InterruptMessageTable: e.messages! } : { InterruptObject: e.line! },
    });
    e.messages = null;
    e.line = null;
  }
  if (e.bar !== null) {
    k.MmUnmapIoSpace(e.bar, e.barLength);
    e.bar = null;
  }
  e.channelCount = 0;
  e.slots = [];
}
