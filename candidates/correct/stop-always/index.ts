/**
 * stop-always — a correct NetDMA provider written independently of the reference.
 *
 * NetDmaProviderStop before every NetDmaDeregisterProvider, even when the provider never started
 * (REMOVE before START, REMOVE after a failed START). See DESIGN.md.
 *
 * @module
 */
import {
  DO_DEVICE_INITIALIZING,
  FILE_DEVICE_SECURE_OPEN,
  FILE_DEVICE_UNKNOWN,
  IRP_MJ_PNP,
  IRP_MJ_POWER,
  NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
  NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2,
  NT_SUCCESS,
  NonPagedPoolNx,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_NO_SUCH_DEVICE,
  STATUS_SUCCESS,
  type DEVICE_OBJECT,
  type DRIVER_ADD_DEVICE,
  type DRIVER_INITIALIZE,
  type DRIVER_UNLOAD,
  type DriverImageLoader,
  type KSPIN_LOCK,
  type NET_DMA_GET_VERSION,
  type NET_DMA_PNP_EVENT_NOTIFY,
  type NET_DMA_PROVIDER_HANDLE,
  type OUT,
} from '../../../src/candidate-api';
import { MAX_CHANNELS, POOL_TAG, PnpState, type Engine } from './device';
import { createEngine } from '../blind-engine/engine';
import { createPnp } from './pnp';
import { createPower } from '../blind-engine/power';

const load: DriverImageLoader = (k) => {
  const ops = createEngine(k, POOL_TAG);
  const ext = (d: DEVICE_OBJECT) => d.DeviceExtension['engine'] as Engine;
  const DispatchPnp = createPnp(k, ops, ext);
  const DispatchPower = createPower(k, ops, ext);
  /** DriverEntry's copy of the registry path (F43), freed by Unload. */
  let pathCopy: Uint8Array | null = null;

  const AddDevice: DRIVER_ADD_DEVICE = (driver, pdo) => {
    const out: OUT<DEVICE_OBJECT> = {};
    const cst = k.IoCreateDevice(driver, 0, null, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, false, out);
    if (!NT_SUCCESS(cst) || !out.value) return NT_SUCCESS(cst) ? STATUS_INSUFFICIENT_RESOURCES : cst;
    const fdo = out.value;
    const lower = k.IoAttachDeviceToDeviceStack(fdo, pdo);
    if (!lower) {
      k.IoDeleteDevice(fdo);
      return STATUS_NO_SUCH_DEVICE;
    }
    const contextPool = k.ExAllocatePoolWithTag(NonPagedPoolNx, 64, POOL_TAG);
    const workItem = contextPool ? k.IoAllocateWorkItem(fdo) : null;
    if (!contextPool || !workItem) {
      if (contextPool) k.ExFreePoolWithTag(contextPool, POOL_TAG);
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(fdo);
      return STATUS_INSUFFICIENT_RESOURCES;
    }
    const getVersion = k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaGetVersion')) as NET_DMA_GET_VERSION | null;
    const iface = getVersion ? getVersion() : 0x0001_0000; // no NetDmaGetVersion: a 1.0 interface (F14a)
    const version = Math.min(((iface >>> 16) << 8) | (iface & 0xff), 0x200);
    const notify = version >= 0x101 ? (k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaPnPEventNotify')) as NET_DMA_PNP_EVENT_NOTIFY | null) : null;
    const slotLock: KSPIN_LOCK = {};
    k.KeInitializeSpinLock(slotLock);
    const dev: Engine = {
      fdo, pdo, lower, version, notify, slotLock, workItem, contextPool,
      handle: null, providerRunning: false, stopSinceStart: false, pnp: PnpState.NotStarted,
      announcedDown: false, needsRestore: false, wantedCpu: null,
      bar: null, barLength: 0, msgTable: null, lineObject: null, messageMode: false, nChannels: 0, msgCpu: [], slots: [],
    };
    fdo.DeviceExtension['engine'] = dev;
    const two = version >= 0x200;
    const handle: OUT<NET_DMA_PROVIDER_HANDLE> = {};
    const rst = k.NetDmaRegisterProvider(dev, handle, {
      MajorVersion: version >> 8,
      MinorVersion: version & 0xff,
      Size: two ? NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2 : NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
      Flags: 0,
      PhysicalDeviceObject: pdo,
      MaxDmaChannelCount: MAX_CHANNELS,
      ...ops.handlers,
      ...(two ? { FriendlyName: k.RtlInitUnicodeString('stop-always I/OAT-class copy engine') } : {}),
    });
    if (!NT_SUCCESS(rst) || !handle.value) {
      k.IoFreeWorkItem(workItem);
      k.ExFreePoolWithTag(contextPool, POOL_TAG);
      k.IoDetachDevice(lower);
      k.IoDeleteDevice(fdo);
      return NT_SUCCESS(rst) ? STATUS_INSUFFICIENT_RESOURCES : rst;
    }
    dev.handle = handle.value;
    fdo.Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
  };

  const Unload: DRIVER_UNLOAD = () => {
    if (pathCopy) k.ExFreePoolWithTag(pathCopy, POOL_TAG);
    pathCopy = null;
  };

  const DriverEntry: DRIVER_INITIALIZE = (driver, registryPath) => {
    pathCopy = k.ExAllocatePoolWithTag(NonPagedPoolNx, registryPath.Length + 2, POOL_TAG);
    if (!pathCopy) return STATUS_INSUFFICIENT_RESOURCES;
    for (let i = 0; i < registryPath.Buffer.length && 2 * i + 1 < pathCopy.length; i++) {
      const u = registryPath.Buffer.charCodeAt(i);
      pathCopy[2 * i] = u & 0xff;
      pathCopy[2 * i + 1] = u >> 8;
    }
    driver.DriverExtension.AddDevice = AddDevice;
    driver.MajorFunction[IRP_MJ_PNP] = DispatchPnp;
    driver.MajorFunction[IRP_MJ_POWER] = DispatchPower;
    driver.DriverUnload = Unload;
    return STATUS_SUCCESS;
  };
  return DriverEntry;
};
export default load;
