import type { Verifier } from '../verifier/verifier';
import { APC_LEVEL, DISPATCH_LEVEL, PASSIVE_LEVEL, irqlName } from '../api/irql';
import { NETDMA_VERSION_1_0, NETDMA_VERSION_1_1, NETDMA_VERSION_2_0, type NET_DMA_GET_VERSION, type NET_DMA_PNP_EVENT_NOTIFY } from '../api/netdma';
import { STATUS_INSUFFICIENT_RESOURCES, STATUS_SUCCESS } from '../api/ntstatus';
import type { KernelServices } from '../api/services';
import {
  DO_DEVICE_INITIALIZING,
  FILE_DEVICE_SECURE_OPEN,
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
import type { DeviceRecord } from '../ob/objects';
import { BugCheck, HarnessError } from '../verifier/verifier';
import { shown } from '../verifier/trace-log';
import { accessorOf, hiddenState, hide } from '../ob/hidden';
import { reachableObjects } from '../ob/reachable';
import { readPoolFlags } from '../ex/pool-flags';
import { Interlocked, notLong, notLong64, notLong64Operand, notLongOperand } from '../ke/interlocked';
import { TICKS_PER_MICROSECOND } from '../ke/clock';
import { NotificationTimer } from '../api/wdm-services';

/** Fault injection on kernel services (low-resource simulation, as Driver Verifier does). */
export interface ServiceFaults {
  /** Fail pool allocations whose attempt number (from 1) is in this set. */
  readonly failPoolAttempts: Set<number>;
  /** Fail the next IoCreateDevice with STATUS_INSUFFICIENT_RESOURCES. */
  failNextCreateDevice: boolean;
}

/**
 * KE-IRQL-06: `api` is not called from a NetDMA channel handler, which NetDMA may call at
 * DISPATCH_LEVEL: judged whatever IRQL this particular call came at. `what` says what `api` is
 * (blocking, PASSIVE_LEVEL-only, paged memory).
 */
export function notFromChannelHandler(m: Machine, api: string, what: string): void {
  if (m.client.inChannelHandler()) {
    m.verifier.fail('KE-IRQL-06', `${api} called from ${m.cpus.current.routine} (at ${irqlName(m.cpus.current.irql)}): ${what}, and NetDMA may call its channel handlers at DISPATCH_LEVEL`);
  }
}

/** KE-IRQL-01/02: `api` may be called up to IRQL `max` (and, below DISPATCH_LEVEL, never from a channel handler: KE-IRQL-06). */
function atMost(m: Machine, api: string, max: number): void {
  if (max < DISPATCH_LEVEL) notFromChannelHandler(m, api, `it is allowed only up to ${irqlName(max)}`);
  const irql = m.cpus.current.irql;
  m.verifier.check(max === PASSIVE_LEVEL ? 'KE-IRQL-01' : 'KE-IRQL-02', irql <= max, () => `${api} called at ${irqlName(irql)}; it is allowed up to ${irqlName(max)}`);
}

/** The kernel's record of a device object passed to `api`, or a KAPI-01 violation. */
function device(m: Machine, obj: unknown, api: string): DeviceRecord {
  const rec = m.objects.device(obj);
  if (!rec) m.verifier.fail('KAPI-01', `${api} was passed something that is not a device object`);
  if (rec.deleted) m.verifier.fail('KAPI-01', `${api} was passed ${rec.obj.Name}, which was deleted (use after IoDeleteDevice)`);
  return rec;
}

/**
 * A kernel service as the candidate calls it: refused once the machine has bug-checked, and a
 * throw of the kernel's own (not a violation) turned into a {@link HarnessError}.
 */
function guarded<A extends unknown[], R>(m: Machine, fn: (...a: A) => R): (...a: A) => R {
  return (...a: A): R => {
    m.assertAlive();
    try {
      return fn(...a);
    } catch (e) {
      if (e instanceof BugCheck || e instanceof HarnessError) throw e;
      throw m.harnessFailed(new HarnessError(fn.name || 'a kernel service', e));
    }
  };
}

/** DEVICE_OBJECT.StackSize of a device the driver created: one more than the device it is attached to. */
const DEVICE_STACK_SIZE = accessorOf(
  {
    get StackSize(): number {
      return hiddenState<Machine>(this)?.objects.device(this)?.stackSize ?? 1;
    },
  },
  'StackSize',
);


/**
 * What IoDeleteDevice checks of the kernel objects the device extension holds, as Driver Verifier
 * checks freed pool: no WMI registration left (WMI references the device object), no timer still
 * set (KSVC-03: TIMER_OR_DPC_INVALID), no remove lock acquisition outstanding (KSVC-02). The
 * extension is searched only when some timer is set or some remove lock held.
 */
function deletionAudit(m: Machine, rec: DeviceRecord): void {
  const name = rec.obj.Name;
  m.verifier.check('KSVC-06', !m.wmi.isRegistered(rec.obj), () => `IoDeleteDevice(${name}) while it is registered with WMI: IoWMIRegistrationControl(WMIREG_ACTION_DEREGISTER) first (WMI holds a reference on the device object)`);
  if (!m.timers.anySet && !m.removeLocks.anyHeld) return;
  const held = reachableObjects(rec.obj.DeviceExtension, (o) => m.objects.device(o) !== undefined);
  const timers = m.timers.setAmong(held);
  m.verifier.check('KSVC-03', timers.length === 0, () => `IoDeleteDevice(${name}) frees its device extension while ${timers.join(', ')} in it ${timers.length === 1 ? 'is' : 'are'} still set (TIMER_OR_DPC_INVALID): KeCancelTimer first`);
  const locks = m.removeLocks.heldAmong(held);
  m.verifier.check('KSVC-02', locks.length === 0, () => `IoDeleteDevice(${name}) frees its device extension while its remove lock is held: ${locks.join('; ')}`);
}

/** Checks an Interlocked* target and operands (KAPI-01). */
function interlockedArgs(m: Machine, api: string, why: (string | null)[]): void {
  for (const w of why) if (w !== null) m.verifier.fail('KAPI-01', `${api}: ${w}`);
}

/** RtlInitUnicodeString: no kernel state, no checks. */
const RtlInitUnicodeString: KernelServices['RtlInitUnicodeString'] = (s) => ({ Length: String(s).length * 2, MaximumLength: String(s).length * 2 + 2, Buffer: String(s) });

/**
 * Builds the {@link KernelServices} a candidate image receives. Each entry checks the machine has
 * not bug-checked, validates its arguments, records a trace event, and forwards to the component.
 */
export function createKernelServices(m: Machine, faults: ServiceFaults): KernelServices {
  const v: Verifier = m.verifier;
  const getVersion: NET_DMA_GET_VERSION = guarded(m, () => {
    m.trace.add('call', 'NetDmaGetVersion');
    atMost(m, 'NetDmaGetVersion', PASSIVE_LEVEL);
    const ver = m.options.interfaceVersion;
    return ver === '2.0' ? NETDMA_VERSION_2_0 : ver === '1.1' ? NETDMA_VERSION_1_1 : NETDMA_VERSION_1_0;
  });
  const pnpEventNotify: NET_DMA_PNP_EVENT_NOTIFY = guarded(m, (h, ev) => m.netdma.pnpEventNotify(h, ev));
  // BUS_INTERFACE_STANDARD's reference counting, per device (Context is the device's index).
  const busDevice = (ctx: unknown) => (typeof ctx === 'number' ? m.devices[ctx] : undefined);
  const busInterfaceReference = (ctx: unknown): void => {
    const dev = busDevice(ctx);
    if (dev) dev.busInterfaceReferences++;
  };
  const busInterfaceDereference = (ctx: unknown): void => {
    const dev = busDevice(ctx);
    if (dev && dev.busInterfaceReferences > 0) dev.busInterfaceReferences--;
  };

  const services: KernelServices = {
    // ---- I/O manager ----
    IoCreateDevice: guarded(m, (DriverObject, _size, _name, DeviceType, DeviceCharacteristics, _exclusive, out) => {
      m.trace.add('call', 'IoCreateDevice');
      atMost(m, 'IoCreateDevice', PASSIVE_LEVEL);
      if (DriverObject !== m.pnp.driver) v.fail('KAPI-01', 'IoCreateDevice was passed a DriverObject that is not this driver\'s');
      if (typeof out !== 'object' || out === null) v.fail('KAPI-01', 'IoCreateDevice: DeviceObject is not a writable OUT box');
      // DRV-ADD-07 (F116): the FDO an AddDevice creates carries FILE_DEVICE_SECURE_OPEN.
      if (m.phase === 'AddDevice') v.check('DRV-ADD-07', typeof DeviceCharacteristics === 'number' && (DeviceCharacteristics & FILE_DEVICE_SECURE_OPEN) !== 0, () => `AddDevice called IoCreateDevice with DeviceCharacteristics 0x${(Number(DeviceCharacteristics) >>> 0).toString(16)}, without FILE_DEVICE_SECURE_OPEN (0x100): the I/O manager would not check the device object's security on relative and trailing-name opens`);
      if (faults.failNextCreateDevice) {
        faults.failNextCreateDevice = false;
        m.trace.add('note', 'fault injected: IoCreateDevice fails with STATUS_INSUFFICIENT_RESOURCES');
        return STATUS_INSUFFICIENT_RESOURCES;
      }
      const name = m.objects.nextName('FDO');
      // StackSize is a shared accessor over the machine stamped on the object (see hidden.ts).
      const dev = { Type: 3, DriverObject, Flags: DO_DEVICE_INITIALIZING, DeviceType, Characteristics: DeviceCharacteristics } as { -readonly [K in keyof DEVICE_OBJECT]: DEVICE_OBJECT[K] };
      hide(dev, m);
      Object.defineProperty(dev, 'StackSize', DEVICE_STACK_SIZE);
      dev.DeviceExtension = {};
      dev.Name = name;
      // The FDO's SimDevice is set when it is attached; until then it points at no engine.
      m.objects.add({ obj: dev, driver: DriverObject, kind: 'driver', device: m.devices[m.devices.length - 1]!, deleted: false, lower: null, upper: null, stackSize: 1 });
      out.value = dev;
      m.trace.add('return', () => `IoCreateDevice created ${name}`);
      return STATUS_SUCCESS;
    }),
    IoDeleteDevice: guarded(m, (DeviceObject) => {
      const rec = device(m, DeviceObject, 'IoDeleteDevice');
      const name = shown(rec.obj.Name);
      m.trace.add('call', () => `IoDeleteDevice(${name})`);
      atMost(m, 'IoDeleteDevice', PASSIVE_LEVEL);
      v.check('KAPI-01', rec.kind === 'driver', () => `IoDeleteDevice(${rec.obj.Name}) of a device the driver did not create`);
      v.check('PNP-REM-04', rec.lower === null && rec.upper === null, () => `IoDeleteDevice(${rec.obj.Name}) while it is still attached to a device stack; IoDetachDevice first`);
      v.check('PNP-REM-05', m.netdma.liveProvidersOf(rec.device).length === 0, () => `IoDeleteDevice(${rec.obj.Name}) before NetDmaDeregisterProvider: the provider still references the device stack`);
      deletionAudit(m, rec);
      // As in Windows (ReactOS IoDeleteDevice): a device still registered for shutdown notification is unregistered here.
      m.pnp.shutdownRegistered.delete(rec.obj);
      rec.deleted = true;
      m.observe({ op: 'IoDeleteDevice' });
    }),
    IoAttachDeviceToDeviceStack: guarded(m, (Source, Target) => {
      const src = device(m, Source, 'IoAttachDeviceToDeviceStack');
      const tgt = device(m, Target, 'IoAttachDeviceToDeviceStack');
      const srcName = shown(src.obj.Name);
      const tgtName = shown(tgt.obj.Name);
      m.trace.add('call', () => `IoAttachDeviceToDeviceStack(${srcName}, ${tgtName})`);
      atMost(m, 'IoAttachDeviceToDeviceStack', PASSIVE_LEVEL);
      v.check('KAPI-01', src.lower === null && src.upper === null, () => `${src.obj.Name} is already attached to a stack`);
      const top = m.objects.device(m.objects.topOf(tgt.obj))!;
      top.upper = src.obj;
      src.lower = top.obj;
      src.stackSize = top.stackSize + 1;
      // The FDO now fronts the same engine as the PDO below it.
      (src as { device: typeof src.device }).device = tgt.device;
      return top.obj;
    }),
    IoDetachDevice: guarded(m, (Target) => {
      const tgt = device(m, Target, 'IoDetachDevice');
      const name = shown(tgt.obj.Name);
      m.trace.add('call', () => `IoDetachDevice(${name})`);
      atMost(m, 'IoDetachDevice', PASSIVE_LEVEL);
      if (!tgt.upper) v.fail('KAPI-01', `IoDetachDevice(${tgt.obj.Name}): nothing is attached to it (pass the LOWER device object)`);
      const up = m.objects.device(tgt.upper)!;
      up.lower = null;
      tgt.upper = null;
      m.observe({ op: 'IoDetachDevice' });
    }),
    IoCallDriver: guarded(m, (DeviceObject, Irp) => {
      const st = m.io.callDriver(DeviceObject, Irp, true);
      m.io.record(Irp, 'IoCallDriver').lowerReturned = st;
      return st;
    }),
    PoCallDriver: guarded(m, (DeviceObject, Irp) => m.io.callDriver(DeviceObject, Irp, true)),
    PoRequestPowerIrp: guarded(m, (DeviceObject, MinorFunction, PowerState, CompletionFunction, Context, Irp) =>
      m.po.requestPowerIrp(DeviceObject, MinorFunction, PowerState, CompletionFunction, Context, Irp)),
    PoSetPowerState: guarded(m, (DeviceObject, Type, State) => m.po.setPowerState(DeviceObject, Type, State)),
    PoStartNextPowerIrp: guarded(m, (Irp) => m.po.startNextPowerIrp(Irp)),
    IoGetCurrentIrpStackLocation: guarded(m, (Irp) => m.io.current(m.io.record(Irp, 'IoGetCurrentIrpStackLocation'), 'IoGetCurrentIrpStackLocation')),
    IoGetNextIrpStackLocation: guarded(m, (Irp) => m.io.next(m.io.record(Irp, 'IoGetNextIrpStackLocation'), 'IoGetNextIrpStackLocation')),
    IoSkipCurrentIrpStackLocation: guarded(m, (Irp) => {
      const rec = m.io.record(Irp, 'IoSkipCurrentIrpStackLocation');
      v.check('IRP-01', m.io.ownedByDriver(rec) && !rec.completed, () => `IoSkipCurrentIrpStackLocation(${rec.label}) on an IRP the provider does not own`);
      rec.cur += 1;
    }),
    IoCopyCurrentIrpStackLocationToNext: guarded(m, (Irp) => {
      const rec = m.io.record(Irp, 'IoCopyCurrentIrpStackLocationToNext');
      const cur = m.io.current(rec, 'IoCopyCurrentIrpStackLocationToNext');
      const next = m.io.next(rec, 'IoCopyCurrentIrpStackLocationToNext');
      next.MajorFunction = cur.MajorFunction;
      next.MinorFunction = cur.MinorFunction;
      next.Flags = cur.Flags;
      next.Parameters = cur.Parameters;
      next.FileObject = cur.FileObject;
      next.Control = 0;
      next.CompletionRoutine = null;
      next.Context = null;
    }),
    IoSetCompletionRoutine: guarded(m, (Irp, routine, context, onSuccess, onError, onCancel) => {
      const rec = m.io.record(Irp, 'IoSetCompletionRoutine');
      const next = m.io.next(rec, 'IoSetCompletionRoutine');
      if (typeof routine !== 'function') v.fail('KAPI-01', 'IoSetCompletionRoutine with a NULL routine');
      next.CompletionRoutine = routine;
      next.Context = context;
      next.Control = (onSuccess ? SL_INVOKE_ON_SUCCESS : 0) | (onError ? SL_INVOKE_ON_ERROR : 0) | (onCancel ? SL_INVOKE_ON_CANCEL : 0);
    }),
    IoCompleteRequest: guarded(m, (Irp) => m.io.complete(m.io.record(Irp, 'IoCompleteRequest'), true)),
    IoMarkIrpPending: guarded(m, (Irp) => {
      const rec = m.io.record(Irp, 'IoMarkIrpPending');
      m.io.current(rec, 'IoMarkIrpPending').Control |= SL_PENDING_RETURNED;
      m.trace.add('call', () => `IoMarkIrpPending(${rec.label})`);
    }),
    IoAllocateIrp: guarded(m, (StackSize) => {
      m.trace.add('call', `IoAllocateIrp(${StackSize})`);
      atMost(m, 'IoAllocateIrp', DISPATCH_LEVEL);
      if (!Number.isInteger(StackSize) || StackSize < 1 || StackSize > 32) return null;
      if (m.lowResourceFails('irp', 'IoAllocateIrp')) return null;
      return m.io.allocateForDriver(StackSize);
    }),
    IoFreeIrp: guarded(m, (Irp) => {
      const rec = m.io.record(Irp, 'IoFreeIrp');
      m.trace.add('call', () => `IoFreeIrp(${rec.label})`);
      v.check('KAPI-02', rec.origin === 'driver', () => `IoFreeIrp(${rec.label}) of an IRP the driver did not allocate`);
    }),
    IoAllocateWorkItem: guarded(m, (DeviceObject) => m.workItems.allocWorkItem(DeviceObject)),
    IoQueueWorkItem: guarded(m, (item, routine, _queueType, context) => m.workItems.queueWorkItem(item, routine, context)),
    IoFreeWorkItem: guarded(m, (item) => m.workItems.freeWorkItem(item)),
    IoInitializeRemoveLock: guarded(m, (l, tag, minutes, watermark) => m.removeLocks.initialize(l, tag, minutes, watermark)),
    IoAcquireRemoveLock: guarded(m, (l, tag) => m.removeLocks.acquire(l, tag)),
    IoReleaseRemoveLock: guarded(m, (l, tag) => m.removeLocks.release(l, tag)),
    IoReleaseRemoveLockAndWait: guarded(m, (l, tag) => {
      notFromChannelHandler(m, 'IoReleaseRemoveLockAndWait', 'it blocks the calling thread');
      m.removeLocks.releaseAndWait(l, tag);
    }),
    IoRegisterDeviceInterface: guarded(m, (pdo, guid, ref, out) => m.deviceInterfaces.register(pdo, guid, ref, out)),
    IoSetDeviceInterfaceState: guarded(m, (link, enable) => m.deviceInterfaces.setState(link, enable)),
    IoWMIRegistrationControl: guarded(m, (d, action) => m.wmi.registrationControl(d, action)),
    IoInvalidateDeviceState: guarded(m, (PhysicalDeviceObject) => {
      const rec = device(m, PhysicalDeviceObject, 'IoInvalidateDeviceState');
      const name = shown(rec.obj.Name);
      m.trace.add('call', () => `IoInvalidateDeviceState(${name})`);
      atMost(m, 'IoInvalidateDeviceState', DISPATCH_LEVEL);
      v.check('KAPI-01', rec.kind === 'pdo', () => `IoInvalidateDeviceState(${rec.obj.Name}): the argument must be the physical device object (PDO), not a device the driver created`);
      m.pnp.invalidateDeviceState(rec.device);
    }),
    IoRegisterShutdownNotification: guarded(m, (DeviceObject) => {
      const rec = device(m, DeviceObject, 'IoRegisterShutdownNotification');
      const name = shown(rec.obj.Name);
      m.trace.add('call', () => `IoRegisterShutdownNotification(${name})`);
      atMost(m, 'IoRegisterShutdownNotification', PASSIVE_LEVEL);
      v.check('KAPI-01', rec.kind === 'driver', () => `IoRegisterShutdownNotification(${rec.obj.Name}) of a device the driver did not create`);
      m.pnp.shutdownRegistered.add(rec.obj);
      return STATUS_SUCCESS;
    }),
    IoUnregisterShutdownNotification: guarded(m, (DeviceObject) => {
      const rec = device(m, DeviceObject, 'IoUnregisterShutdownNotification');
      const name = shown(rec.obj.Name);
      m.trace.add('call', () => `IoUnregisterShutdownNotification(${name})`);
      atMost(m, 'IoUnregisterShutdownNotification', PASSIVE_LEVEL);
      m.pnp.shutdownRegistered.delete(rec.obj);
    }),
    IoConnectInterruptEx: guarded(m, (p) => m.hal.connect(p)),
    IoDisconnectInterruptEx: guarded(m, (p) => m.hal.disconnect(p)),
    IoGetBusInterfaceStandard: guarded(m, (Pdo) => {
      const rec = device(m, Pdo, 'IoGetBusInterfaceStandard');
      const name = shown(rec.obj.Name);
      m.trace.add('call', () => `IoGetBusInterfaceStandard(${name})`);
      atMost(m, 'IoGetBusInterfaceStandard', PASSIVE_LEVEL);
      if (rec.kind !== 'pdo') return null;
      // IRP_MN_QUERY_INTERFACE can fail: the bus driver could not allocate what the interface needs.
      if (m.lowResourceFails('bus-interface', 'IRP_MN_QUERY_INTERFACE(BUS_INTERFACE_STANDARD)')) return null;
      const cfg = rec.device.pci.configSpace;
      const dev = rec.device;
      // The bus driver references the interface before it returns it (irp-mn-query-interface.md):
      // the caller owns one reference, to drop with InterfaceDereference (LOWRES-02).
      dev.busInterfaceReferences++;
      const bus: BUS_INTERFACE_STANDARD = Object.freeze({
        Size: 64,
        Version: 1,
        Context: rec.device.index,
        InterfaceReference: busInterfaceReference,
        InterfaceDereference: busInterfaceDereference,
        GetBusData: (_ctx: unknown, DataType: number, Buffer: Uint8Array, Offset: number, Length: number) => {
          m.assertAlive();
          if (DataType !== PCI_WHICHSPACE_CONFIG || !(Buffer instanceof Uint8Array) || Offset < 0 || Length < 0 || Offset + Length > cfg.length || Buffer.length < Length) return 0;
          // Configuration space can be unreadable (the device stopped answering): GetBusData reads nothing.
          if (m.lowResourceFails('config-read', 'GetBusData')) return 0;
          Buffer.set(cfg.subarray(Offset, Offset + Length));
          return Length;
        },
      });
      return bus;
    }),

    // ---- executive ----
    ExAllocatePoolWithTag: guarded(m, (PoolType, NumberOfBytes, Tag) => {
      if (PoolType === PagedPool) notFromChannelHandler(m, 'ExAllocatePoolWithTag(PagedPool)', 'paged memory may be touched only below DISPATCH_LEVEL');
      atMost(m, 'ExAllocatePoolWithTag', PoolType === PagedPool ? APC_LEVEL : DISPATCH_LEVEL);
      const attempt = ++m.pool.attempts;
      const valid = Number.isInteger(NumberOfBytes) && NumberOfBytes > 0;
      const injected = faults.failPoolAttempts.has(attempt) || (valid && m.lowResourceFails('pool', 'ExAllocatePoolWithTag'));
      if (!valid || injected) {
        m.trace.add('call', `ExAllocatePoolWithTag(${NumberOfBytes}) = NULL${injected ? ' (fault injected)' : ''}`);
        return null;
      }
      // NumberOfBytes is an integer here: formatting it later cannot throw.
      const seq = m.trace.add('call', () => `ExAllocatePoolWithTag(${NumberOfBytes})`);
      return m.pool.allocate(NumberOfBytes, Tag >>> 0, PoolType, seq, m.phase === 'Idle' ? m.cpus.current.routine : m.phase);
    }),
    ExFreePoolWithTag: guarded(m, (P, Tag) => {
      m.trace.add('call', 'ExFreePoolWithTag');
      atMost(m, 'ExFreePoolWithTag', DISPATCH_LEVEL);
      const r = m.pool.free(P, Tag >>> 0);
      v.check('KAPI-02', r === 'ok', () => ({ ok: '', 'not-pool': 'ExFreePoolWithTag of memory the pool did not allocate', 'double-free': 'ExFreePoolWithTag of a block already freed (double free)', 'wrong-tag': 'ExFreePoolWithTag with a tag other than the allocation\'s' })[r]);
      m.netdma.contextFreed(P);
    }),
    ExAllocatePool2: guarded(m, (Flags, NumberOfBytes, Tag) => {
      const f = readPoolFlags(Flags);
      if (typeof Tag !== 'number') v.fail('KAPI-01', 'ExAllocatePool2: Tag is not a ULONG pool tag');
      v.check('KSVC-04', Tag >>> 0 !== 0, () => 'ExAllocatePool2 with a pool tag of zero (BAD_POOL_CALLER 0x9B: the allocation could not be tracked)');
      if (f.kind === 'invalid') {
        // Windows fails a request it cannot honour (an unknown required flag, no or two pool types): NULL, no bug check.
        m.trace.add('call', () => `ExAllocatePool2(${typeof Flags === 'bigint' ? `0x${Flags.toString(16)}` : String(Flags)}, ${NumberOfBytes}) = NULL: ${f.why}`);
        return null;
      }
      if (f.poolType === PagedPool) notFromChannelHandler(m, 'ExAllocatePool2(POOL_FLAG_PAGED)', 'paged memory may be touched only below DISPATCH_LEVEL');
      atMost(m, 'ExAllocatePool2', f.poolType === PagedPool ? APC_LEVEL : DISPATCH_LEVEL);
      const attempt = ++m.pool.attempts;
      // A POOL_FLAG_RAISE_ON_FAILURE request is never failed by the injection: the simulation has no SEH to raise into.
      const valid = Number.isInteger(NumberOfBytes) && NumberOfBytes > 0;
      const injected = !f.raiseOnFailure && (faults.failPoolAttempts.has(attempt) || (valid && m.lowResourceFails('pool', 'ExAllocatePool2')));
      if (!valid || injected) {
        m.trace.add('call', `ExAllocatePool2(${NumberOfBytes}) = NULL${injected ? ' (fault injected)' : ''}`);
        return null;
      }
      const seq = m.trace.add('call', () => `ExAllocatePool2(${NumberOfBytes})`);
      const block = m.pool.allocate(NumberOfBytes, Tag >>> 0, f.poolType, seq, m.phase === 'Idle' ? m.cpus.current.routine : m.phase);
      // Uninitialised pool holds whatever was there before: a fixed pattern, so runs stay deterministic.
      if (!f.zeroed) block.fill(0xcd);
      return block;
    }),
    ExFreePool: guarded(m, (P) => {
      m.trace.add('call', 'ExFreePool');
      atMost(m, 'ExFreePool', DISPATCH_LEVEL);
      const r = m.pool.freeUntagged(P);
      v.check('KAPI-02', r === 'ok', () => ({ ok: '', 'not-pool': 'ExFreePool of memory the pool did not allocate', 'double-free': 'ExFreePool of a block already freed (double free)' })[r]);
      m.netdma.contextFreed(P);
    }),
    InterlockedIncrement: guarded(m, (a) => {
      interlockedArgs(m, 'InterlockedIncrement', [notLong(a)]);
      return Interlocked.increment(a);
    }),
    InterlockedDecrement: guarded(m, (a) => {
      interlockedArgs(m, 'InterlockedDecrement', [notLong(a)]);
      return Interlocked.decrement(a);
    }),
    InterlockedExchange: guarded(m, (t, x) => {
      interlockedArgs(m, 'InterlockedExchange', [notLong(t), notLongOperand(x)]);
      return Interlocked.exchange(t, x);
    }),
    InterlockedCompareExchange: guarded(m, (d, x, c) => {
      interlockedArgs(m, 'InterlockedCompareExchange', [notLong(d), notLongOperand(x), notLongOperand(c)]);
      return Interlocked.compareExchange(d, x, c);
    }),
    InterlockedExchangeAdd: guarded(m, (a, x) => {
      interlockedArgs(m, 'InterlockedExchangeAdd', [notLong(a), notLongOperand(x)]);
      return Interlocked.exchangeAdd(a, x);
    }),
    InterlockedAnd: guarded(m, (d, x) => {
      interlockedArgs(m, 'InterlockedAnd', [notLong(d), notLongOperand(x)]);
      return Interlocked.and(d, x);
    }),
    InterlockedOr: guarded(m, (d, x) => {
      interlockedArgs(m, 'InterlockedOr', [notLong(d), notLongOperand(x)]);
      return Interlocked.or(d, x);
    }),
    InterlockedIncrement64: guarded(m, (a) => {
      interlockedArgs(m, 'InterlockedIncrement64', [notLong64(a)]);
      return Interlocked.increment64(a);
    }),
    InterlockedDecrement64: guarded(m, (a) => {
      interlockedArgs(m, 'InterlockedDecrement64', [notLong64(a)]);
      return Interlocked.decrement64(a);
    }),
    InterlockedExchange64: guarded(m, (t, x) => {
      interlockedArgs(m, 'InterlockedExchange64', [notLong64(t), notLong64Operand(x)]);
      return Interlocked.exchange64(t, x);
    }),
    InterlockedCompareExchange64: guarded(m, (d, x, c) => {
      interlockedArgs(m, 'InterlockedCompareExchange64', [notLong64(d), notLong64Operand(x), notLong64Operand(c)]);
      return Interlocked.compareExchange64(d, x, c);
    }),
    InterlockedExchangeAdd64: guarded(m, (a, x) => {
      interlockedArgs(m, 'InterlockedExchangeAdd64', [notLong64(a), notLong64Operand(x)]);
      return Interlocked.exchangeAdd64(a, x);
    }),

    // ---- kernel ----
    KeGetCurrentIrql: guarded(m, () => m.cpus.current.irql),
    KeGetCurrentProcessorNumber: guarded(m, () => m.cpus.current.cpu),
    KeQueryActiveProcessorCount: guarded(m, () => m.cpus.count),
    KeRaiseIrql: guarded(m, (n) => m.sync.raiseIrql(n)),
    KeLowerIrql: guarded(m, (n) => m.sync.lowerIrql(n)),
    KeInitializeSpinLock: guarded(m, (l) => m.sync.initSpinLock(l)),
    KeAcquireSpinLock: guarded(m, (l) => m.sync.acquire(l, 'KeAcquireSpinLock', false)),
    KeReleaseSpinLock: guarded(m, (l, n) => m.sync.release(l, 'KeReleaseSpinLock', n)),
    KeAcquireSpinLockAtDpcLevel: guarded(m, (l) => {
      m.sync.acquire(l, 'KeAcquireSpinLockAtDpcLevel', true);
    }),
    KeReleaseSpinLockFromDpcLevel: guarded(m, (l) => m.sync.release(l, 'KeReleaseSpinLockFromDpcLevel', null)),
    KeInitializeEvent: guarded(m, (e, t, s) => m.sync.initEvent(e, t, s)),
    KeSetEvent: guarded(m, (e) => m.sync.setEvent(e)),
    KeClearEvent: guarded(m, (e) => {
      m.sync.event(e, 'KeClearEvent').signaled = false;
    }),
    KeWaitForSingleObject: guarded(m, (e, _reason, _mode, _alertable, Timeout) => {
      notFromChannelHandler(m, 'KeWaitForSingleObject', 'it blocks the calling thread');
      return m.sync.wait(e, Timeout ?? null);
    }),
    KeInitializeDpc: guarded(m, (d, r, c) => m.sync.initDpc(d, r, c)),
    KeSetTargetProcessorDpc: guarded(m, (d, n) => m.sync.setTarget(d, n)),
    KeInsertQueueDpc: guarded(m, (d, a, b) => m.sync.insertQueue(d, a, b)),
    KeRemoveQueueDpc: guarded(m, (d) => m.sync.removeQueue(d)),
    KeSynchronizeExecution: guarded(m, (i, r, c) => m.sync.synchronize(i, r, c)),
    KeAcquireInterruptSpinLock: guarded(m, (i) => m.sync.acquireInterruptLock(i)),
    KeReleaseInterruptSpinLock: guarded(m, (i, o) => m.sync.releaseInterruptLock(i, o)),
    KeStallExecutionProcessor: guarded(m, (MicroSeconds) => {
      m.preemptionPoint();
      // The busy wait takes simulated time; timers due meanwhile expire (their DPCs are queued).
      if (typeof MicroSeconds === 'number' && MicroSeconds >= 1 && MicroSeconds <= 0xffff_ffff) {
        const us = Math.floor(MicroSeconds);
        if (m.timers.anySet) m.timers.elapse(BigInt(us) * TICKS_PER_MICROSECOND);
        else m.clock.addIdleMicroseconds(us);
      }
    }),
    KeInitializeTimer: guarded(m, (t) => m.timers.initialize(t, NotificationTimer, 'KeInitializeTimer')),
    KeInitializeTimerEx: guarded(m, (t, type) => m.timers.initialize(t, type, 'KeInitializeTimerEx')),
    KeSetTimer: guarded(m, (t, due, dpc) => m.timers.set(t, due, 0, dpc ?? null, 'KeSetTimer')),
    KeSetTimerEx: guarded(m, (t, due, period, dpc) => m.timers.set(t, due, period, dpc ?? null, 'KeSetTimerEx')),
    KeCancelTimer: guarded(m, (t) => m.timers.cancel(t)),
    KeReadStateTimer: guarded(m, (t) => m.timers.readState(t)),
    KeQueryInterruptTime: guarded(m, () => m.clock.now),
    KeQuerySystemTime: guarded(m, (out) => {
      if (typeof out !== 'object' || out === null) v.fail('KAPI-01', 'KeQuerySystemTime: CurrentTime is not a writable OUT box');
      out.value = m.clock.systemTime;
    }),
    KeQuerySystemTimePrecise: guarded(m, (out) => {
      if (typeof out !== 'object' || out === null) v.fail('KAPI-01', 'KeQuerySystemTimePrecise: CurrentTime is not a writable OUT box');
      out.value = m.clock.systemTime;
    }),

    // ---- memory manager and HAL ----
    MmMapIoSpace: guarded(m, (pa, n) => m.hal.mapIoSpace(pa, n)),
    MmUnmapIoSpace: guarded(m, (va, n) => m.hal.unmapIoSpace(va, n)),
    MmAllocateContiguousMemory: guarded(m, (n, highest) => m.hal.allocateContiguous(n, highest)),
    MmFreeContiguousMemory: guarded(m, (va) => m.hal.freeContiguous(va)),
    MmGetPhysicalAddress: guarded(m, (va) => {
      const pa = typeof va === 'bigint' ? m.hal.paForKernelVa(va) : null;
      if (pa === null) v.fail('KAPI-01', `MmGetPhysicalAddress(${String(va)}) of an address that is not kernel RAM`);
      return pa;
    }),
    RtlVirtualView: guarded(m, (va, length) => {
      const pa = typeof va === 'bigint' ? m.hal.paForKernelVa(va) : null;
      if (pa === null || !m.memory.isAllocated(pa, length)) v.fail('KAPI-01', `access to ${length} byte(s) at ${String(va)}, which is not allocated kernel memory`);
      const bytes = m.memory.view(pa, length);
      return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }),
    READ_REGISTER_UCHAR: guarded(m, (r) => Number(m.hal.register(r, 1))),
    READ_REGISTER_USHORT: guarded(m, (r) => Number(m.hal.register(r, 2))),
    READ_REGISTER_ULONG: guarded(m, (r) => Number(m.hal.register(r, 4))),
    READ_REGISTER_ULONG64: guarded(m, (r) => m.hal.register(r, 8)),
    WRITE_REGISTER_UCHAR: guarded(m, (r, x) => {
      m.hal.register(r, 1, BigInt(x & 0xff));
    }),
    WRITE_REGISTER_USHORT: guarded(m, (r, x) => {
      m.hal.register(r, 2, BigInt(x & 0xffff));
    }),
    WRITE_REGISTER_ULONG: guarded(m, (r, x) => {
      m.hal.register(r, 4, BigInt(x >>> 0));
    }),
    WRITE_REGISTER_ULONG64: guarded(m, (r, x) => {
      m.hal.register(r, 8, BigInt.asUintN(64, x));
    }),

    // ---- NDIS ----
    NdisGetRoutineAddress: guarded(m, (name) => {
      const n = name?.Buffer;
      m.trace.add('call', `NdisGetRoutineAddress("${n}")`);
      atMost(m, 'NdisGetRoutineAddress', PASSIVE_LEVEL);
      if (m.options.interfaceVersion === '1.0') return null;
      if (n === 'NetDmaGetVersion') return getVersion;
      if (n === 'NetDmaPnPEventNotify') return pnpEventNotify;
      return null;
    }),

    // ---- NetDMA ----
    NetDmaRegisterProvider: guarded(m, (ctx, out, chars) => m.netdma.register(ctx, out, chars)),
    NetDmaDeregisterProvider: guarded(m, (h) => m.netdma.deregister(h)),
    NetDmaProviderStart: guarded(m, (h, a) => m.netdma.start(h, a)),
    NetDmaProviderStop: guarded(m, (h) => m.netdma.stop(h)),
    NetDmaIsr: guarded(m, (h, pa, out) => m.dataPath.isr(h, pa, out)),
    NetDmaInterruptDpc: guarded(m, (h, pa) => m.dataPath.dpc(h, pa)),

    // ---- runtime library ----
    RtlInitUnicodeString,
    RtlFreeUnicodeString: guarded(m, (str) => m.deviceInterfaces.freeString(str)),
    DbgPrint: guarded(m, (msg) => {
      m.trace.add('note', `DbgPrint: ${String(msg).slice(0, 200)}`);
    }),
  };
  return Object.freeze(services);
}
