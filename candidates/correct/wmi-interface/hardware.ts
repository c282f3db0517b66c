import {

  CONNECT_LINE_BASED,
  CONNECT_MESSAGE_BASED,
  CmResourceTypeMemory,
  GENERAL_REGISTERS,
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
  type IO_CONNECT_INTERRUPT_PARAMETERS,
  type KernelServices,
  type NET_DMA_PROVIDER_ATTRIBUTES,
  type NTSTATUS,
  type OUT,
} from '../../../src/candidate-api';
import { REFERENCE_MAX_CHANNELS, type FdoExtension } from './device-extension';
import type { Interrupts } from './interrupts';
import type { Mutation } from './mutations';
import { resetChannel } from './registers';

/**
 * START's hardware half: map BAR0 from the translated resources, read the engine's shape and the
 * vendor id, connect the interrupts, reset every channel, enable interrupts, then tell NetDMA
 * (NetDmaProviderStart) — only once all of that is done (F10a, F121).
 */
export function startHardware(k: KernelServices, fdo: FdoExtension, translated: CM_RESOURCE_LIST, isr: Interrupts, bug: (x: Mutation) => boolean): NTSTATUS {
  const mem = translated.List[0].PartialResourceList.PartialDescriptors.find((d) => d.Type === CmResourceTypeMemory);
  if (!mem || mem.Type !== CmResourceTypeMemory) return STATUS_DEVICE_NOT_READY;
  const regs = k.MmMapIoSpace(mem.u.Memory.Start, mem.u.Memory.Length, MmNonCached);
  if (regs === null) return STATUS_INSUFFICIENT_RESOURCES;
  fdo.regs = regs;
  fdo.regsLength = mem.u.Memory.Length;
  const chancnt = k.READ_REGISTER_UCHAR(regs + BigInt(GENERAL_REGISTERS.CHANCNT.offset)) & 0x1f;
  const xfercap = k.READ_REGISTER_UCHAR(regs + BigInt(GENERAL_REGISTERS.XFERCAP.offset)) & 0x1f;
  const ver = k.READ_REGISTER_UCHAR(regs + BigInt(GENERAL_REGISTERS.VER.offset));
  const bus = k.IoGetBusInterfaceStandard(fdo.pdo);
  const cfg = new Uint8Array(2);
  const got = bus ? bus.GetBusData(bus.Context, PCI_WHICHSPACE_CONFIG, cfg, PCI_VENDOR_ID_OFFSET, 2) : 0;
  bus?.InterfaceDereference(bus.Context);
  if (got !== 2 || chancnt === 0) {
    stopHardware(k, fdo);
    return STATUS_DEVICE_NOT_READY;
  }
  const vendorId = bug('start-wrong-vendor') ? 0x1af4 : cfg[0]! | (cfg[1]! << 8);
  fdo.channelCount = Math.min(chancnt, REFERENCE_MAX_CHANNELS);
  fdo.channels = new Array(fdo.channelCount).fill(null);
  // Interrupts: MSI-X, one message per channel; the kernel falls back to the line interrupt (F46).
  const ctxOut: OUT<{ InterruptMessageTable?: NonNullable<FdoExtension['messageTable']>; InterruptObject?: NonNullable<FdoExtension['lineInterrupt']> }> = {};
  const params: IO_CONNECT_INTERRUPT_PARAMETERS = {
    Version: CONNECT_MESSAGE_BASED,
    MessageBased: {
      PhysicalDeviceObject: fdo.pdo,
      ConnectionContext: ctxOut,
      MessageServiceRoutine: isr.messageIsr,
      ServiceContext: fdo,
      SynchronizeIrql: SIMULATED_DIRQL,
      FloatingSave: false,
      FallBackServiceRoutine: isr.lineIsr,
    },
  };
  fdo.maxTransferSize = bug('start-small-max-transfer') ? 2048 : xfercap === 0 ? 0x8000_0000 : Math.min(2 ** xfercap, 0x8000_0000);
  const attrs = (): NET_DMA_PROVIDER_ATTRIBUTES => ({
    MajorHwVersion: ver >> 4,
    MinorHwVersion: ver & 0xf,
    Size: NET_DMA_PROVIDER_ATTRIBUTES_SIZE,
    Flags: 0,
    VendorId: vendorId,
    DmaChannelCount: bug('start-channel-count-above-max') ? REFERENCE_MAX_CHANNELS + 1 : fdo.channelCount,
    MaximumTransferSize: fdo.maxTransferSize,
    // The size of a 64-bit address space where the field asks for its largest address.
    MaximumAddressSpace: bug('start-address-space-size') ? 1n << 64n : 0xffff_ffff_ffffn,
  });
  if (bug('start-before-interrupts')) k.NetDmaProviderStart(fdo.provider!, attrs());
  const st = k.IoConnectInterruptEx(params);
  if (!NT_SUCCESS(st)) {
    stopHardware(k, fdo);
    return st;
  }
  fdo.connectedMessageBased = params.Version === CONNECT_MESSAGE_BASED;
  fdo.messageTable = ctxOut.value?.InterruptMessageTable ?? null;
  fdo.lineInterrupt = ctxOut.value?.InterruptObject ?? null;
  fdo.messageCpus = [];
  for (let i = 0; i < fdo.channelCount; i++) {
    const entry = fdo.messageTable?.MessageInfo[i];
    let cpu = 0;
    if (entry) while (((entry.TargetProcessorSet >> BigInt(cpu)) & 1n) === 0n) cpu++;
    fdo.messageCpus.push(cpu);
  }
  for (let i = 0; i < fdo.channelCount; i++) {
    if (!resetChannel(k, regs, i)) {
      stopHardware(k, fdo);
      return STATUS_DEVICE_NOT_READY;
    }
  }
  k.WRITE_REGISTER_UCHAR(regs + BigInt(GENERAL_REGISTERS.INTRCTRL.offset), INTRCTRL.MASTER_INT_EN);
  if (!bug('channel-not-ready-at-start')) fdo.providerStarted = true;
  k.NetDmaProviderStart(fdo.provider!, attrs());
  if (bug('start-provider-twice')) k.NetDmaProviderStart(fdo.provider!, attrs());
  fdo.providerStarted = true;
  return STATUS_SUCCESS;
}

/** Tells NetDMA the provider is stopping (it frees every channel meanwhile), then releases the hardware. */
export function stopProviderAndHardware(k: KernelServices, fdo: FdoExtension, bug: (x: Mutation) => boolean): void {
  if (bug('stop-disconnect-before-provider-stop')) stopHardware(k, fdo);
  // "Quiet the engine first": interrupts masked while NetDmaProviderStop still waits for outstanding DMA.
  if (bug('stop-masks-interrupts-first') && fdo.providerStarted && fdo.regs !== null) k.WRITE_REGISTER_UCHAR(fdo.regs + BigInt(GENERAL_REGISTERS.INTRCTRL.offset), 0);
  if (fdo.providerStarted && !bug('stop-no-provider-stop')) {
    k.NetDmaProviderStop(fdo.provider!);
    fdo.providerStarted = false;
  }
  if (!bug('stop-keeps-hardware')) stopHardware(k, fdo);
}

/** Disables interrupts, disconnects them and unmaps the registers (idempotent). */
export function stopHardware(k: KernelServices, fdo: FdoExtension): void {
  if (fdo.messageTable || fdo.lineInterrupt) {
    if (fdo.regs !== null) k.WRITE_REGISTER_UCHAR(fdo.regs + BigInt(GENERAL_REGISTERS.INTRCTRL.offset), 0);
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
}

