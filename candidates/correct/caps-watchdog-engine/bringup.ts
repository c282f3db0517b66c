/**
 * The hardware bring-up and release that caps-editor and timer-watchdog (one blind author's two
 * providers) wrote identically in their engines: map BAR0, read the engine's shape and the vendor id,
 * reset the channels, connect the interrupts (message-based, line fallback), enable them, then
 * NetDmaProviderStart; and the reverse. Moved here unchanged; each engine passes its own ISRs and
 * MaxDmaChannelCount.
 *
 * @module
 */
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
  type CM_RESOURCE_LIST,
  type DEVICE_OBJECT,
  type IO_CONNECT_INTERRUPT_PARAMETERS,
  type IO_INTERRUPT_MESSAGE_INFO,
  type KINTERRUPT,
  type KMESSAGE_SERVICE_ROUTINE,
  type KSERVICE_ROUTINE,
  type KernelServices,
  type NET_DMA_PROVIDER_HANDLE,
  type NTSTATUS,
} from '../../../src/candidate-api';
import { genReg, resetChannel } from './regs';

/** The FDO extension fields the bring-up and release use (both providers' extensions have them). */
export interface HardwareFdo {
  readonly pdo: DEVICE_OBJECT;
  provider: NET_DMA_PROVIDER_HANDLE | null;
  providerStarted: boolean;
  regs: bigint | null;
  regsLength: number;
  messageTable: IO_INTERRUPT_MESSAGE_INFO | null;
  lineInterrupt: KINTERRUPT | null;
  connectedMessageBased: boolean;
  channelCount: number;
  messageCpus: number[];
  channels: (object | null)[];
}

/** One message per channel when the table has enough; otherwise (MSI with fewer messages) ATTNSTATUS says which. */
export const perChannelMessages = (fdo: HardwareFdo) => fdo.messageTable !== null && fdo.messageTable.MessageCount >= fdo.channelCount;

/** The bring-up (START) and release (STOP / SURPRISE_REMOVAL / REMOVE / failed START) of one engine's hardware. */
export function createBringUp(k: KernelServices, messageIsr: KMESSAGE_SERVICE_ROUTINE, lineIsr: KSERVICE_ROUTINE, maxChannels: number) {
  const stopHardware = (fdo: HardwareFdo) => {
    if (fdo.messageTable || fdo.lineInterrupt) {
      if (fdo.regs !== null) k.WRITE_REGISTER_UCHAR(genReg(fdo.regs, 'INTRCTRL'), 0);
      k.IoDisconnectInterruptEx({
        Version: fdo.connectedMessageBased ? CONNECT_MESSAGE_BASED : CONNECT_LINE_BASED,
        ConnectionContext: fdo.messageTable ? { InterruptMessageTable: fdo.messageTable } : { InterruptObject: fdo.lineInterrupt! },
      });
      fdo.messageTable = null;
      fdo.lineInterrupt = null;
    }
    if (fdo.regs !== null) {
      k.MmUnmapIoSpace(fdo.regs, fdo.regsLength);
      fdo.regs = null;
    }
  };

  const startHardware = (fdo: HardwareFdo, translated: CM_RESOURCE_LIST): NTSTATUS => {
    let mem = null;
    for (const full of translated.List) {
      for (const d of full.PartialResourceList.PartialDescriptors) if (d.Type === CmResourceTypeMemory && !mem) mem = d;
    }
    if (!mem || mem.Type !== CmResourceTypeMemory) return STATUS_DEVICE_NOT_READY;
    const regs = k.MmMapIoSpace(mem.u.Memory.Start, mem.u.Memory.Length, MmNonCached);
    if (regs === null) return STATUS_INSUFFICIENT_RESOURCES;
    fdo.regs = regs;
    fdo.regsLength = mem.u.Memory.Length;
    const chancnt = k.READ_REGISTER_UCHAR(genReg(regs, 'CHANCNT')) & 0x1f;
    const xfercap = k.READ_REGISTER_UCHAR(genReg(regs, 'XFERCAP')) & 0x1f;
    const ver = k.READ_REGISTER_UCHAR(genReg(regs, 'VER'));
    const bus = k.IoGetBusInterfaceStandard(fdo.pdo);
    const cfg = new Uint8Array(2);
    const got = bus ? bus.GetBusData(bus.Context, PCI_WHICHSPACE_CONFIG, cfg, PCI_VENDOR_ID_OFFSET, 2) : 0;
    bus?.InterfaceDereference(bus.Context);
    if (got !== 2 || chancnt === 0) {
      stopHardware(fdo);
      return STATUS_DEVICE_NOT_READY;
    }
    fdo.channelCount = Math.min(chancnt, maxChannels);
    fdo.channels = new Array(fdo.channelCount).fill(null);
    const ctxOut: IO_CONNECT_INTERRUPT_PARAMETERS extends infer P ? (P extends { MessageBased: { ConnectionContext: infer C } } ? C : never) : never = {};
    const params: IO_CONNECT_INTERRUPT_PARAMETERS = {
      Version: CONNECT_MESSAGE_BASED,
      MessageBased: {
        PhysicalDeviceObject: fdo.pdo,
        ConnectionContext: ctxOut,
        MessageServiceRoutine: messageIsr,
        ServiceContext: fdo,
        SynchronizeIrql: SIMULATED_DIRQL,
        FloatingSave: false,
        FallBackServiceRoutine: lineIsr,
      },
    };
    // Channels reset, interrupts masked, before they are connected.
    for (let i = 0; i < fdo.channelCount; i++) {
      if (!resetChannel(k, regs, i)) {
        stopHardware(fdo);
        return STATUS_DEVICE_NOT_READY;
      }
    }
    const st = k.IoConnectInterruptEx(params);
    if (!NT_SUCCESS(st)) {
      stopHardware(fdo);
      return st;
    }
    fdo.connectedMessageBased = params.Version === CONNECT_MESSAGE_BASED;
    fdo.messageTable = ctxOut.value?.InterruptMessageTable ?? null;
    fdo.lineInterrupt = ctxOut.value?.InterruptObject ?? null;
    if (!fdo.messageTable && !fdo.lineInterrupt) {
      stopHardware(fdo);
      return STATUS_DEVICE_NOT_READY;
    }
    fdo.messageCpus = [];
    for (let i = 0; i < fdo.channelCount; i++) {
      const entry = perChannelMessages(fdo) ? fdo.messageTable!.MessageInfo[i] : undefined;
      let cpu = 0;
      if (entry && entry.TargetProcessorSet !== 0n) while (((entry.TargetProcessorSet >> BigInt(cpu)) & 1n) === 0n) cpu++;
      fdo.messageCpus.push(cpu);
    }
    k.WRITE_REGISTER_UCHAR(genReg(regs, 'INTRCTRL'), INTRCTRL.MASTER_INT_EN);
    const maxTransfer = xfercap === 0 ? 0x8000_0000 : Math.min(2 ** xfercap, 0x8000_0000);
    fdo.providerStarted = true;
    k.NetDmaProviderStart(fdo.provider!, {
      MajorHwVersion: ver >> 4,
      MinorHwVersion: ver & 0xf,
      Size: NET_DMA_PROVIDER_ATTRIBUTES_SIZE,
      Flags: 0,
      VendorId: cfg[0]! | (cfg[1]! << 8),
      DmaChannelCount: fdo.channelCount,
      MaximumTransferSize: maxTransfer, // what XFERCAP says (the engine never sees a longer descriptor)
      MaximumAddressSpace: 0xffff_ffff_ffffn,
    });
    return STATUS_SUCCESS;
  };

  return { startHardware, stopHardware };
}
