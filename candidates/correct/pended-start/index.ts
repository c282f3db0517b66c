/**
 * pended-start — a correct NetDMA provider written independently of the reference.
 *
 * What differs: IRP_MN_START_DEVICE (and every other IRP handled on the way up) is pended rather
 * than waited for; START is finished by a per-device PASSIVE_LEVEL worker (one IO_WORKITEM and a
 * FIFO of jobs) queued from the completion routine, which may run at DISPATCH_LEVEL. Channels are
 * tracked with an in-use bit mask and an index map; MaxDmaChannelCount is 8. Back in D0 after a
 * power loss, the same worker resets every engine channel, re-arms the allocated ones (shadow
 * DMACOUNT zeroed) and re-enables INTRCTRL, then notifies PowerUp (1.1+) and completes the IRP.
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
import { PS_MAX_CHANNELS, PS_TAG, type PsDevice } from './device';
import { createEngine } from './engine';
import { createDispatch } from './pnp';

const load: DriverImageLoader = (k): DRIVER_INITIALIZE => {
  const engine = createEngine(k);
  const { DispatchPnp, DispatchPower } = createDispatch(k, engine);
  /** This image's copy of its service key path (the system's buffer dies with DriverEntry). */
  let serviceKey: Uint8Array | null = null;

  /** The NetDMA version to register as: what the interface offers, at most 2.0 (1.0 when NetDmaGetVersion is absent). */
  const negotiate = (): [number, number] => {
    const getVersion = k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaGetVersion')) as NET_DMA_GET_VERSION | null;
    if (!getVersion) return [1, 0];
    const v = getVersion() >>> 0;
    const major = v >>> 16;
    const minor = v & 0xffff;
    if (major >= 2) return [2, 0];
    return [1, Math.min(minor, 1)];
  };

  const AddDevice: DRIVER_ADD_DEVICE = (driver, pdo) => {
    const made: OUT<DEVICE_OBJECT> = {};
    const st = k.IoCreateDevice(driver, 0, null, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, false, made);
    if (!NT_SUCCESS(st)) return st;
    const fdo = made.value!;
    const next = k.IoAttachDeviceToDeviceStack(fdo, pdo);
    if (next === null) {
      k.IoDeleteDevice(fdo);
      return STATUS_NO_SUCH_DEVICE;
    }
    const undo = (status: number) => {
      k.IoDetachDevice(next);
      k.IoDeleteDevice(fdo);
      return status;
    };
    const block = k.ExAllocatePoolWithTag(NonPagedPoolNx, 256, PS_TAG);
    if (block === null) return undo(STATUS_INSUFFICIENT_RESOURCES);
    const worker = k.IoAllocateWorkItem(fdo);
    if (worker === null) {
      k.ExFreePoolWithTag(block, PS_TAG);
      return undo(STATUS_INSUFFICIENT_RESOURCES);
    }
    const [major, minor] = negotiate();
    const notify = major * 256 + minor >= 0x101 ? (k.NdisGetRoutineAddress(k.RtlInitUnicodeString('NetDmaPnPEventNotify')) as NET_DMA_PNP_EVENT_NOTIFY | null) : null;
    const lock: KSPIN_LOCK = {};
    k.KeInitializeSpinLock(lock);
    const dev: PsDevice = {
      fdo, pdo, next, major, minor, notify, block, lock, worker, jobs: [], workerQueued: false,
      wantedCpu: new Array<number>(PS_MAX_CHANNELS).fill(-1), haveAffinities: false,
      handle: null, hw: null, netDmaStarted: false, sleeping: false, engineDark: false,
    };
    fdo.DeviceExtension['ps'] = dev;
    const out: OUT<NET_DMA_PROVIDER_HANDLE> = {};
    const reg = k.NetDmaRegisterProvider(dev, out, {
      MajorVersion: major,
      MinorVersion: minor,
      Size: major >= 2 ? NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2 : NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
      Flags: 0,
      PhysicalDeviceObject: pdo,
      MaxDmaChannelCount: PS_MAX_CHANNELS,
      SetDmaChannelCpuAffinity: engine.SetDmaChannelCpuAffinity,
      AllocateDmaChannel: engine.AllocateDmaChannel,
      FreeDmaChannel: engine.FreeDmaChannel,
      StartDma: engine.StartDma,
      SuspendDma: engine.SuspendDma,
      ResumeDma: engine.ResumeDma,
      AbortDma: engine.AbortDma,
      AppendDma: engine.AppendDma,
      ResetChannel: engine.ResetChannel,
      ...(major >= 2 ? { FriendlyName: k.RtlInitUnicodeString('Pended-start I/OAT-class copy engine') } : {}),
    });
    if (!NT_SUCCESS(reg)) {
      k.IoFreeWorkItem(worker);
      k.ExFreePoolWithTag(block, PS_TAG);
      return undo(reg);
    }
    dev.handle = out.value!;
    fdo.Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
  };

  const Unload: DRIVER_UNLOAD = () => {
    if (serviceKey) k.ExFreePoolWithTag(serviceKey, PS_TAG);
    serviceKey = null;
  };

  return (driver, registryPath) => {
    const copy = k.ExAllocatePoolWithTag(NonPagedPoolNx, registryPath.Length + 2, PS_TAG);
    if (copy === null) return STATUS_INSUFFICIENT_RESOURCES;
    const text = registryPath.Buffer;
    for (let i = 0; i < text.length && 2 * i + 1 < copy.length; i++) {
      copy[2 * i] = text.charCodeAt(i) & 0xff;
      copy[2 * i + 1] = text.charCodeAt(i) >> 8;
    }
    serviceKey = copy;
    driver.DriverExtension.AddDevice = AddDevice;
    driver.MajorFunction[IRP_MJ_PNP] = DispatchPnp;
    driver.MajorFunction[IRP_MJ_POWER] = DispatchPower;
    driver.DriverUnload = Unload;
    return STATUS_SUCCESS;
  };
};

export default load;
