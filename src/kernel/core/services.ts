import type { Verifier } from './verifier';
import { APC_LEVEL, DISPATCH_LEVEL, PASSIVE_LEVEL, irqlName } from '../api/irql';
import { NETDMA_VERSION_1_0, NETDMA_VERSION_1_1, NETDMA_VERSION_2_0, type NET_DMA_GET_VERSION, type NET_DMA_PNP_EVENT_NOTIFY } from '../api/netdma';
import { STATUS_INSUFFICIENT_RESOURCES, STATUS_SUCCESS } from '../api/ntstatus';
import type { KernelServices } from '../api/services';
import {
  DO_DEVICE_INITIALIZING,
  PCI_WHICHSPACE_CONFIG,
  PagedPool,
  SL_INVOKE_ON_CANCEL,
  SL_INVOKE_ON_ERROR,
  SL_INVOKE_ON_SUCCESS,
  SL_PENDING_RETURNED,
  type BUS_INTERFACE_STANDARD,
  type DEVICE_OBJECT,
} from '../api/wdm';
import type { Machine } from './machine';
import { BugCheck, HarnessError } from './verifier';

/** Fault injection on kernel services (low-resource simulation, as Driver Verifier does). */
export interface ServiceFaults {
  /** Fail pool allocations whose attempt number (from 1) is in this set. */
  readonly failPoolAttempts: Set<number>;
  /** Fail the next IoCreateDevice with STATUS_INSUFFICIENT_RESOURCES. */
  failNextCreateDevice: boolean;
}

/**
 * Builds the {@link KernelServices} a candidate image receives. Each entry checks the machine has
 * not bug-checked, validates its arguments, records a trace event, and forwards to the component.
 */
export function createKernelServices(m: Machine, faults: ServiceFaults): KernelServices {
  const v: Verifier = m.verifier;
  const irql = () => m.cpus.current.irql;
  const atMost = (api: string, max: number) =>
    v.check(max === PASSIVE_LEVEL ? 'KE-IRQL-01' : 'KE-IRQL-02', irql() <= max, () => `${api} called at ${irqlName(irql())}; it is allowed up to ${irqlName(max)}`);
  const device = (obj: unknown, api: string) => {
    const rec = m.objects.device(obj);
    if (!rec) v.fail('KAPI-01', `${api} was passed something that is not a device object`);
    if (rec.deleted) v.fail('KAPI-01', `${api} was passed ${rec.obj.Name}, which was deleted (use after IoDeleteDevice)`);
    return rec;
  };
  const guard = <A extends unknown[], R>(fn: (...a: A) => R) =>
    (...a: A): R => {
      m.assertAlive();
      try {
        return fn(...a);
      } catch (e) {
        if (e instanceof BugCheck || e instanceof HarnessError) throw e;
        throw m.harnessFailed(new HarnessError(fn.name || 'a kernel service', e));
      }
    };

  const getVersion: NET_DMA_GET_VERSION = guard(() => {
    m.trace.add('call', 'NetDmaGetVersion');
    atMost('NetDmaGetVersion', PASSIVE_LEVEL);
    const ver = m.options.interfaceVersion;
    return ver === '2.0' ? NETDMA_VERSION_2_0 : ver === '1.1' ? NETDMA_VERSION_1_1 : NETDMA_VERSION_1_0;
  });
  const pnpEventNotify: NET_DMA_PNP_EVENT_NOTIFY = guard((h, ev) => m.netdma.pnpEventNotify(h, ev));

  const services: KernelServices = {
    // ---- I/O manager ----
    IoCreateDevice: guard((DriverObject, _size, _name, DeviceType, DeviceCharacteristics, _exclusive, out) => {
      m.trace.add('call', 'IoCreateDevice');
      atMost('IoCreateDevice', PASSIVE_LEVEL);
      if (DriverObject !== m.pnp.driver) v.fail('KAPI-01', 'IoCreateDevice was passed a DriverObject that is not this driver\'s');
      if (typeof out !== 'object' || out === null) v.fail('KAPI-01', 'IoCreateDevice: DeviceObject is not a writable OUT box');
      if (faults.failNextCreateDevice) {
        faults.failNextCreateDevice = false;
        m.trace.add('note', 'fault injected: IoCreateDevice fails with STATUS_INSUFFICIENT_RESOURCES');
        return STATUS_INSUFFICIENT_RESOURCES;
      }
      const name = m.objects.nextName('FDO');
      const dev: DEVICE_OBJECT = {
        Type: 3,
        DriverObject,
        Flags: DO_DEVICE_INITIALIZING,
        DeviceType,
        Characteristics: DeviceCharacteristics,
        get StackSize() {
          return m.objects.device(dev)?.stackSize ?? 1;
        },
        DeviceExtension: {},
        Name: name,
      };
      // The FDO's SimDevice is set when it is attached; until then it points at no engine.
      m.objects.add({ obj: dev, driver: DriverObject, kind: 'driver', device: m.devices[m.devices.length - 1]!, deleted: false, lower: null, upper: null, stackSize: 1 });
      out.value = dev;
      m.trace.add('return', `IoCreateDevice created ${name}`);
      return STATUS_SUCCESS;
    }),
    IoDeleteDevice: guard((DeviceObject) => {
      const rec = device(DeviceObject, 'IoDeleteDevice');
      m.trace.add('call', `IoDeleteDevice(${rec.obj.Name})`);
      atMost('IoDeleteDevice', PASSIVE_LEVEL);
      v.check('KAPI-01', rec.kind === 'driver', () => `IoDeleteDevice(${rec.obj.Name}) of a device the driver did not create`);
      v.check('PNP-REM-04', rec.lower === null && rec.upper === null, () => `IoDeleteDevice(${rec.obj.Name}) while it is still attached to a device stack; IoDetachDevice first`);
      v.check('PNP-REM-05', m.netdma.liveProvidersOf(rec.device).length === 0, () => `IoDeleteDevice(${rec.obj.Name}) before NetDmaDeregisterProvider: the provider still references the device stack`);
      rec.deleted = true;
      m.observe({ op: 'IoDeleteDevice' });
    }),
    IoAttachDeviceToDeviceStack: guard((Source, Target) => {
      const src = device(Source, 'IoAttachDeviceToDeviceStack');
      const tgt = device(Target, 'IoAttachDeviceToDeviceStack');
      m.trace.add('call', `IoAttachDeviceToDeviceStack(${src.obj.Name}, ${tgt.obj.Name})`);
      atMost('IoAttachDeviceToDeviceStack', PASSIVE_LEVEL);
      v.check('KAPI-01', src.lower === null && src.upper === null, () => `${src.obj.Name} is already attached to a stack`);
      const top = m.objects.device(m.objects.topOf(tgt.obj))!;
      top.upper = src.obj;
      src.lower = top.obj;
      src.stackSize = top.stackSize + 1;
      // The FDO now fronts the same engine as the PDO below it.
      (src as { device: typeof src.device }).device = tgt.device;
      return top.obj;
    }),
    IoDetachDevice: guard((Target) => {
      const tgt = device(Target, 'IoDetachDevice');
      m.trace.add('call', `IoDetachDevice(${tgt.obj.Name})`);
      atMost('IoDetachDevice', PASSIVE_LEVEL);
      if (!tgt.upper) v.fail('KAPI-01', `IoDetachDevice(${tgt.obj.Name}): nothing is attached to it (pass the LOWER device object)`);
      const up = m.objects.device(tgt.upper)!;
      up.lower = null;
      tgt.upper = null;
      m.observe({ op: 'IoDetachDevice' });
    }),
    IoCallDriver: guard((DeviceObject, Irp) => m.io.callDriver(DeviceObject, Irp, true)),
    PoCallDriver: guard((DeviceObject, Irp) => m.io.callDriver(DeviceObject, Irp, true)),
    IoGetCurrentIrpStackLocation: guard((Irp) => m.io.current(m.io.record(Irp, 'IoGetCurrentIrpStackLocation'), 'IoGetCurrentIrpStackLocation')),
    IoGetNextIrpStackLocation: guard((Irp) => m.io.next(m.io.record(Irp, 'IoGetNextIrpStackLocation'), 'IoGetNextIrpStackLocation')),
    IoSkipCurrentIrpStackLocation: guard((Irp) => {
      const rec = m.io.record(Irp, 'IoSkipCurrentIrpStackLocation');
      v.check('IRP-01', m.io.ownedByDriver(rec) && !rec.completed, () => `IoSkipCurrentIrpStackLocation(${rec.label}) on an IRP the provider does not own`);
      rec.cur += 1;
    }),
    IoCopyCurrentIrpStackLocationToNext: guard((Irp) => {
      const rec = m.io.record(Irp, 'IoCopyCurrentIrpStackLocationToNext');
      const cur = m.io.current(rec, 'IoCopyCurrentIrpStackLocationToNext');
      const next = m.io.next(rec, 'IoCopyCurrentIrpStackLocationToNext');
      next.MajorFunction = cur.MajorFunction;
      next.MinorFunction = cur.MinorFunction;
      next.Flags = cur.Flags;
      next.Parameters = cur.Parameters;
      next.Control = 0;
      next.CompletionRoutine = null;
      next.Context = null;
    }),
    IoSetCompletionRoutine: guard((Irp, routine, context, onSuccess, onError, onCancel) => {
      const rec = m.io.record(Irp, 'IoSetCompletionRoutine');
      const next = m.io.next(rec, 'IoSetCompletionRoutine');
      if (typeof routine !== 'function') v.fail('KAPI-01', 'IoSetCompletionRoutine with a NULL routine');
      next.CompletionRoutine = routine;
      next.Context = context;
      next.Control = (onSuccess ? SL_INVOKE_ON_SUCCESS : 0) | (onError ? SL_INVOKE_ON_ERROR : 0) | (onCancel ? SL_INVOKE_ON_CANCEL : 0);
    }),
    IoCompleteRequest: guard((Irp) => m.io.complete(m.io.record(Irp, 'IoCompleteRequest'), true)),
    IoMarkIrpPending: guard((Irp) => {
      const rec = m.io.record(Irp, 'IoMarkIrpPending');
      m.io.current(rec, 'IoMarkIrpPending').Control |= SL_PENDING_RETURNED;
      m.trace.add('call', `IoMarkIrpPending(${rec.label})`);
    }),
    IoAllocateIrp: guard((StackSize) => {
      m.trace.add('call', `IoAllocateIrp(${StackSize})`);
      atMost('IoAllocateIrp', DISPATCH_LEVEL);
      if (!Number.isInteger(StackSize) || StackSize < 1 || StackSize > 32) return null;
      return m.io.allocateForDriver(StackSize);
    }),
    IoFreeIrp: guard((Irp) => {
      const rec = m.io.record(Irp, 'IoFreeIrp');
      m.trace.add('call', `IoFreeIrp(${rec.label})`);
      v.check('KAPI-02', rec.origin === 'driver', () => `IoFreeIrp(${rec.label}) of an IRP the driver did not allocate`);
    }),
    IoAllocateWorkItem: guard((DeviceObject) => m.sync.allocWorkItem(DeviceObject)),
    IoQueueWorkItem: guard((item, routine, _queueType, context) => m.sync.queueWorkItem(item, routine, context)),
    IoFreeWorkItem: guard((item) => m.sync.freeWorkItem(item)),
    IoConnectInterruptEx: guard((p) => m.hal.connect(p)),
    IoDisconnectInterruptEx: guard((p) => m.hal.disconnect(p)),
    IoGetBusInterfaceStandard: guard((Pdo) => {
      const rec = device(Pdo, 'IoGetBusInterfaceStandard');
      m.trace.add('call', `IoGetBusInterfaceStandard(${rec.obj.Name})`);
      atMost('IoGetBusInterfaceStandard', PASSIVE_LEVEL);
      if (rec.kind !== 'pdo') return null;
      const cfg = rec.device.pci.configSpace;
      const bus: BUS_INTERFACE_STANDARD = Object.freeze({
        Size: 64,
        Version: 1,
        Context: rec.device.index,
        InterfaceReference: () => undefined,
        InterfaceDereference: () => undefined,
        GetBusData: (_ctx: unknown, DataType: number, Buffer: Uint8Array, Offset: number, Length: number) => {
          m.assertAlive();
          if (DataType !== PCI_WHICHSPACE_CONFIG || !(Buffer instanceof Uint8Array) || Offset < 0 || Length < 0 || Offset + Length > cfg.length || Buffer.length < Length) return 0;
          Buffer.set(cfg.subarray(Offset, Offset + Length));
          return Length;
        },
      });
      return bus;
    }),

    // ---- executive ----
    ExAllocatePoolWithTag: guard((PoolType, NumberOfBytes, Tag) => {
      atMost('ExAllocatePoolWithTag', PoolType === PagedPool ? APC_LEVEL : DISPATCH_LEVEL);
      const attempt = ++m.pool.attempts;
      if (!Number.isInteger(NumberOfBytes) || NumberOfBytes <= 0 || faults.failPoolAttempts.has(attempt)) {
        m.trace.add('call', `ExAllocatePoolWithTag(${NumberOfBytes}) = NULL${faults.failPoolAttempts.has(attempt) ? ' (fault injected)' : ''}`);
        return null;
      }
      const seq = m.trace.add('call', `ExAllocatePoolWithTag(${NumberOfBytes})`);
      return m.pool.allocate(NumberOfBytes, Tag >>> 0, PoolType, seq, m.phase === 'Idle' ? m.cpus.current.routine : m.phase);
    }),
    ExFreePoolWithTag: guard((P, Tag) => {
      m.trace.add('call', 'ExFreePoolWithTag');
      atMost('ExFreePoolWithTag', DISPATCH_LEVEL);
      const r = m.pool.free(P, Tag >>> 0);
      v.check('KAPI-02', r === 'ok', () => ({ ok: '', 'not-pool': 'ExFreePoolWithTag of memory the pool did not allocate', 'double-free': 'ExFreePoolWithTag of a block already freed (double free)', 'wrong-tag': 'ExFreePoolWithTag with a tag other than the allocation\'s' })[r]);
    }),

    // ---- kernel ----
    KeGetCurrentIrql: guard(() => irql()),
    KeGetCurrentProcessorNumber: guard(() => m.cpus.current.cpu),
    KeQueryActiveProcessorCount: guard(() => m.cpus.count),
    KeRaiseIrql: guard((n) => m.sync.raiseIrql(n)),
    KeLowerIrql: guard((n) => m.sync.lowerIrql(n)),
    KeInitializeSpinLock: guard((l) => m.sync.initSpinLock(l)),
    KeAcquireSpinLock: guard((l) => m.sync.acquire(l, 'KeAcquireSpinLock', false)),
    KeReleaseSpinLock: guard((l, n) => m.sync.release(l, 'KeReleaseSpinLock', n)),
    KeAcquireSpinLockAtDpcLevel: guard((l) => {
      m.sync.acquire(l, 'KeAcquireSpinLockAtDpcLevel', true);
    }),
    KeReleaseSpinLockFromDpcLevel: guard((l) => m.sync.release(l, 'KeReleaseSpinLockFromDpcLevel', null)),
    KeInitializeEvent: guard((e, t, s) => m.sync.initEvent(e, t, s)),
    KeSetEvent: guard((e) => m.sync.setEvent(e)),
    KeClearEvent: guard((e) => {
      m.sync.event(e, 'KeClearEvent').signaled = false;
    }),
    KeWaitForSingleObject: guard((e) => m.sync.wait(e)),
    KeInitializeDpc: guard((d, r, c) => m.sync.initDpc(d, r, c)),
    KeSetTargetProcessorDpc: guard((d, n) => m.sync.setTarget(d, n)),
    KeInsertQueueDpc: guard((d, a, b) => m.sync.insertQueue(d, a, b)),
    KeRemoveQueueDpc: guard((d) => m.sync.removeQueue(d)),
    KeSynchronizeExecution: guard((i, r, c) => m.sync.synchronize(i, r, c)),
    KeAcquireInterruptSpinLock: guard((i) => m.sync.acquireInterruptLock(i)),
    KeReleaseInterruptSpinLock: guard((i, o) => m.sync.releaseInterruptLock(i, o)),
    KeStallExecutionProcessor: guard(() => m.preemptionPoint()),

    // ---- memory manager and HAL ----
    MmMapIoSpace: guard((pa, n) => m.hal.mapIoSpace(pa, n)),
    MmUnmapIoSpace: guard((va, n) => m.hal.unmapIoSpace(va, n)),
    MmAllocateContiguousMemory: guard((n) => m.hal.allocateContiguous(n)),
    MmFreeContiguousMemory: guard((va) => m.hal.freeContiguous(va)),
    MmGetPhysicalAddress: guard((va) => {
      const pa = typeof va === 'bigint' ? m.hal.paForKernelVa(va) : null;
      if (pa === null) v.fail('KAPI-01', `MmGetPhysicalAddress(${String(va)}) of an address that is not kernel RAM`);
      return pa;
    }),
    RtlVirtualView: guard((va, length) => {
      const pa = typeof va === 'bigint' ? m.hal.paForKernelVa(va) : null;
      if (pa === null || !m.memory.isAllocated(pa, length)) v.fail('KAPI-01', `access to ${length} byte(s) at ${String(va)}, which is not allocated kernel memory`);
      const bytes = m.memory.view(pa, length);
      return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }),
    READ_REGISTER_UCHAR: guard((r) => Number(m.hal.register(r, 1))),
    READ_REGISTER_USHORT: guard((r) => Number(m.hal.register(r, 2))),
    READ_REGISTER_ULONG: guard((r) => Number(m.hal.register(r, 4))),
    READ_REGISTER_ULONG64: guard((r) => m.hal.register(r, 8)),
    WRITE_REGISTER_UCHAR: guard((r, x) => {
      m.hal.register(r, 1, BigInt(x & 0xff));
    }),
    WRITE_REGISTER_USHORT: guard((r, x) => {
      m.hal.register(r, 2, BigInt(x & 0xffff));
    }),
    WRITE_REGISTER_ULONG: guard((r, x) => {
      m.hal.register(r, 4, BigInt(x >>> 0));
    }),
    WRITE_REGISTER_ULONG64: guard((r, x) => {
      m.hal.register(r, 8, BigInt.asUintN(64, x));
    }),

    // ---- NDIS ----
    NdisGetRoutineAddress: guard((name) => {
      const n = name?.Buffer;
      m.trace.add('call', `NdisGetRoutineAddress("${n}")`);
      atMost('NdisGetRoutineAddress', PASSIVE_LEVEL);
      if (m.options.interfaceVersion === '1.0') return null;
      if (n === 'NetDmaGetVersion') return getVersion;
      if (n === 'NetDmaPnPEventNotify') return pnpEventNotify;
      return null;
    }),

    // ---- NetDMA ----
    NetDmaRegisterProvider: guard((ctx, out, chars) => m.netdma.register(ctx, out, chars)),
    NetDmaDeregisterProvider: guard((h) => m.netdma.deregister(h)),
    NetDmaProviderStart: guard((h, a) => m.netdma.start(h, a)),
    NetDmaProviderStop: guard((h) => m.netdma.stop(h)),
    NetDmaIsr: guard((h, pa, out) => m.dataPath.isr(h, pa, out)),
    NetDmaInterruptDpc: guard((h, pa) => m.dataPath.dpc(h, pa)),

    // ---- runtime library ----
    RtlInitUnicodeString: (s) => ({ Length: String(s).length * 2, MaximumLength: String(s).length * 2 + 2, Buffer: String(s) }),
    DbgPrint: guard((msg) => {
      m.trace.add('note', `DbgPrint: ${String(msg).slice(0, 200)}`);
    }),
  };
  return Object.freeze(services);
}
