import { DISPATCH_LEVEL, PASSIVE_LEVEL, SIMULATED_DIRQL, irqlName } from '../api/irql';
import { STATUS_INSUFFICIENT_RESOURCES, STATUS_INVALID_PARAMETER, STATUS_SUCCESS } from '../api/ntstatus';
import {
  CONNECT_LINE_BASED,
  CONNECT_MESSAGE_BASED,
  type IO_CONNECT_INTERRUPT_PARAMETERS,
  type IO_DISCONNECT_INTERRUPT_PARAMETERS,
  type IO_INTERRUPT_MESSAGE_INFO,
  type KINTERRUPT,
  type KMESSAGE_SERVICE_ROUTINE,
  type KSERVICE_ROUTINE,
} from '../api/wdm';
import { IoatEngine, MmioAccessError, faultPlan } from '../../hardware';
import { CHANCMD, CHANNEL_REGISTERS, REGISTER_BLOCK_SIZE } from '../../hardware/registers';
import type { LowResourceService } from '../verifier/low-resources';
import type { PhysicalMemory } from '../../hardware/memory';
import type { KernelContext } from '../ke/context';
import type { ObjectTable } from '../ob/objects';
import type { SimDevice } from './sim-device';
import { notFromChannelHandler } from '../ke/channel-handler';

/** What the HAL uses of the machine: the kernel context, physical memory, devices, and the hooks register accesses reach. */
export interface HalHost extends KernelContext {
  readonly memory: PhysicalMemory;
  readonly objects: ObjectTable;
  readonly devices: readonly SimDevice[];
  /** A point where the engine and other processors may have made progress. */
  preemptionPoint(): void;
  /** A register write reached the engine. */
  registerWritten(dev: SimDevice, offset: number, width: number, value: bigint): void;
  /** Whether this call of a fallible service fails (Driver Verifier's low-resources simulation). */
  lowResourceFails(service: LowResourceService, api: string): boolean;
}
import { shown } from '../verifier/trace-log';

const MMIO_VA_BASE = 0xffff_d000_0000_0000n;
const RAM_VA_BASE = 0xffff_e000_0000_0000n;
/** Access widths as bigints (register addresses are bigints). */
const WIDTH: Readonly<Record<1 | 2 | 4 | 8, bigint>> = { 1: 1n, 2: 2n, 4: 4n, 8: 8n };

interface Mapping {
  readonly va: bigint;
  readonly length: number;
  /** `va + length`, the first address past the mapping. */
  readonly end: bigint;
  readonly device: SimDevice;
  readonly barBase: bigint;
  live: boolean;
}

/** One connected interrupt (a message or a line). */
export interface InterruptRecord {
  readonly obj: KINTERRUPT;
  readonly device: SimDevice;
  readonly message: number;
  readonly cpu: number;
  readonly messageRoutine: KMESSAGE_SERVICE_ROUTINE | null;
  readonly lineRoutine: KSERVICE_ROUTINE | null;
  readonly context: unknown;
  /** The interrupt spin lock (one per connection, shared by its messages). */
  readonly lock: object;
  live: boolean;
}

interface Connection {
  readonly device: SimDevice;
  readonly interrupts: InterruptRecord[];
  live: boolean;
}

/**
 * The HAL and memory manager: register mappings (MmMapIoSpace, READ_/WRITE_REGISTER_*),
 * contiguous memory, and interrupt connection. Register accesses are preemption points where the
 * scheduler may let the engine advance or deliver an interrupt.
 */
export class Hal {
  readonly #mappings: Mapping[] = [];
  #nextVa = MMIO_VA_BASE;
  readonly interrupts = new Map<object, InterruptRecord>();
  readonly #connections = new Map<object, Connection>();
  /** Contiguous allocations: VA -> PA. */
  readonly #contiguous = new Map<bigint, bigint>();
  /**
   * Every MmAllocateContiguousMemory block of the run with the write-log moments it lived between
   * (`WriteLog.total` at allocation and at free; Infinity while live).
   */
  readonly #contiguousLife: { pa: bigint; length: number; from: number; to: number }[] = [];

  constructor(private readonly m: HalHost) {}

  /** The kernel VA that maps a PA of simulated RAM (a fixed offset, like the direct map). */
  kernelVaFor(pa: bigint): bigint {
    return RAM_VA_BASE + pa;
  }

  paForKernelVa(va: bigint): bigint | null {
    return va >= RAM_VA_BASE ? va - RAM_VA_BASE : null;
  }

  private requirePassive(api: string): void {
    notFromChannelHandler(this.m, api, 'it is allowed only at PASSIVE_LEVEL');
    const irql = this.m.cpus.current.irql;
    this.m.verifier.check('KE-IRQL-01', irql === PASSIVE_LEVEL, () => `${api} called at ${irqlName(irql)}; it requires PASSIVE_LEVEL`);
  }

  private noHardwareInAddDevice(api: string): void {
    this.m.verifier.check('DRV-ADD-05', this.m.phase !== 'AddDevice', () => `${api} called from AddDevice; the hardware may be touched only from START on`);
  }

  mapIoSpace(pa: bigint, length: number): bigint | null {
    const m: HalHost = this.m;
    m.trace.add('call', `MmMapIoSpace(0x${pa.toString(16)}, ${length})`);
    this.requirePassive('MmMapIoSpace');
    this.noHardwareInAddDevice('MmMapIoSpace');
    const dev = m.devices.find((d) => d.resources && pa >= d.resources.bar0 && pa + BigInt(length) <= d.resources.bar0 + BigInt(d.pci.bar0Length));
    m.verifier.check('PNP-START-11', dev !== undefined, () => `MmMapIoSpace(0x${pa.toString(16)}, ${length}) is not inside a translated memory resource of a started device (raw resources used, or resources already released?)`);
    if (m.lowResourceFails('map-io-space', 'MmMapIoSpace')) return null;
    const va = this.#nextVa;
    this.#nextVa += 0x10_0000n;
    this.#mappings.push({ va, length, end: va + BigInt(length), device: dev!, barBase: dev!.resources!.bar0, live: true });
    dev!.mappings++;
    m.observe({ op: 'HardwareAcquired', what: 'registers' });
    return va + (pa - dev!.resources!.bar0);
  }

  unmapIoSpace(va: bigint, length: number): void {
    const m: HalHost = this.m;
    m.trace.add('call', `MmUnmapIoSpace(0x${va.toString(16)}, ${length})`);
    this.requirePassive('MmUnmapIoSpace');
    const map = this.#mappings.find((x) => x.live && va >= x.va && va < x.va + BigInt(x.length));
    if (!map) m.verifier.fail('KAPI-01', `MmUnmapIoSpace(0x${va.toString(16)}) of an address that is not mapped`);
    map.live = false;
    map.device.mappings--;
    m.observe({ op: 'HardwareReleased', what: 'registers' });
  }

  /** READ_REGISTER_* / WRITE_REGISTER_*: a register access through a live mapping. */
  register(va: bigint, width: 1 | 2 | 4 | 8, value?: bigint): bigint {
    const m: HalHost = this.m;
    m.assertAlive();
    if (typeof va !== 'bigint') m.verifier.fail('KAPI-01', `register access with address ${String(va)}, not a mapped register address`);
    const end = va + WIDTH[width];
    let map: Mapping | undefined;
    for (const x of this.#mappings) {
      if (va >= x.va && end <= x.end) {
        map = x;
        break;
      }
    }
    if (!map || !map.live) m.verifier.fail('KAPI-01', `register access at 0x${va.toString(16)}, which is ${map ? 'no longer mapped (MmUnmapIoSpace was called)' : 'not mapped'}`);
    this.noHardwareInAddDevice('READ_/WRITE_REGISTER');
    const dev = map.device;
    m.verifier.check('KAPI-01', dev.resources !== null && dev.resources.bar0 === map.barBase && !dev.removed, () => `register access at 0x${va.toString(16)} after the device's resources were released or moved`);
    const off = Number(va - map.va);
    try {
      return this.access(dev, off, width, value);
    } catch (e) {
      if (e instanceof MmioAccessError) m.verifier.fail('KAPI-01', `register access at ${dev.pdo.Name}+0x${off.toString(16)} (${width * 8}-bit): ${e.message}`);
      throw e;
    }
  }

  private access(dev: SimDevice, off: number, width: 1 | 2 | 4 | 8, value: bigint | undefined): bigint {
    const m: HalHost = this.m;
    if (value === undefined) {
      const r = dev.pci.mmioRead(off, width);
      const name = shown(dev.pdo.Name);
      m.trace.add('register', () => `READ_REGISTER(${name}+0x${off.toString(16)}, ${width * 8}) = 0x${r.toString(16)}`);
      m.preemptionPoint();
      return r;
    }
    const name = shown(dev.pdo.Name);
    m.trace.add('register', () => `WRITE_REGISTER(${name}+0x${off.toString(16)}, ${width * 8}, 0x${value.toString(16)})`);
    if (width === 1 && (Number(value) & CHANCMD.RESET) !== 0) this.#maybeHangReset(dev, off);
    dev.pci.mmioWrite(off, width, value);
    m.registerWritten(dev, off, width, value);
    m.preemptionPoint();
    return 0n;
  }

  /**
   * Low resources, `reset-hang`: a RESET written to a channel's CHANCMD is the counted call; when it
   * is the one to fail, the engine gets a `reset-hang` fault on that channel for the rest of the run
   * (a channel whose RESET never self-clears, as broken silicon does).
   */
  #maybeHangReset(dev: SimDevice, off: number): void {
    const block = Math.floor(off / REGISTER_BLOCK_SIZE) - 1;
    if (block < 0 || block >= dev.channelCount || off % REGISTER_BLOCK_SIZE !== CHANNEL_REGISTERS.CHANCMD.offset) return;
    if (!(dev.pci instanceof IoatEngine) || !this.m.lowResourceFails('reset-hang', `RESET of channel ${block}`)) return;
    dev.pci.setFaults(faultPlan(...dev.pci.faults.rules, { kind: 'reset-hang', channel: block }));
  }

  /**
   * MmAllocateContiguousMemory(NumberOfBytes, HighestAcceptableAddress): page-aligned, wherever the
   * machine's memory layout puts it (above 4 GiB on some machines), ending at or below
   * `highest`; NULL when nothing fits.
   */
  allocateContiguous(size: number, highest: bigint = 0xffff_ffff_ffff_ffffn): bigint | null {
    const m: HalHost = this.m;
    m.trace.add('call', () => `MmAllocateContiguousMemory(${size}, 0x${typeof highest === 'bigint' ? highest.toString(16) : String(highest)})`);
    m.verifier.check('KE-IRQL-02', m.cpus.current.irql <= DISPATCH_LEVEL, () => 'MmAllocateContiguousMemory above DISPATCH_LEVEL');
    if (!Number.isInteger(size) || size <= 0) return null;
    if (m.lowResourceFails('contiguous', 'MmAllocateContiguousMemory')) return null;
    if (typeof highest !== 'bigint' || highest < 0n) m.verifier.fail('KAPI-01', `MmAllocateContiguousMemory: HighestAcceptableAddress ${String(highest)} is not a PHYSICAL_ADDRESS`);
    const pa = m.memory.allocateContiguousBelow(size, 4096, highest);
    if (pa === null) {
      m.trace.add('return', 'MmAllocateContiguousMemory returned NULL (no memory at or below HighestAcceptableAddress)');
      return null;
    }
    const va = this.kernelVaFor(pa);
    this.#contiguous.set(va, pa);
    this.#contiguousLife.push({ pa, length: size, from: m.memory.writeLog.total, to: Number.POSITIVE_INFINITY });
    return va;
  }

  freeContiguous(va: bigint): void {
    const m: HalHost = this.m;
    m.trace.add('call', `MmFreeContiguousMemory(0x${typeof va === 'bigint' ? va.toString(16) : String(va)})`);
    const pa = this.#contiguous.get(va);
    if (pa === undefined) m.verifier.fail('KAPI-02', 'MmFreeContiguousMemory of an address MmAllocateContiguousMemory did not return (or freed twice)');
    this.#contiguous.delete(va);
    if (pa !== undefined) for (const b of this.#contiguousLife) if (b.pa === pa && b.to === Number.POSITIVE_INFINITY) b.to = m.memory.writeLog.total;
    m.memory.free(pa);
  }

  /**
   * Whether write number `n` of the memory's write log (see `WriteLog.total`), `length` bytes at
   * `pa`, fell inside a block of MmAllocateContiguousMemory while the driver held it: memory the
   * driver owns, which its engine may write for its own purposes (a bring-up self-test's completion
   * word). A write after the block was freed is not covered.
   */
  wroteOwnContiguous(n: number, pa: bigint, length: number): boolean {
    for (const b of this.#contiguousLife) {
      if (n >= b.from && n < b.to && pa >= b.pa && pa + BigInt(length) <= b.pa + BigInt(b.length)) return true;
    }
    return false;
  }

  get contiguousLive(): number {
    return this.#contiguous.size;
  }

  connect(p: IO_CONNECT_INTERRUPT_PARAMETERS): number {
    const m: HalHost = this.m;
    m.trace.add('call', `IoConnectInterruptEx(${p?.Version === CONNECT_MESSAGE_BASED ? 'CONNECT_MESSAGE_BASED' : 'CONNECT_LINE_BASED'})`);
    this.requirePassive('IoConnectInterruptEx');
    this.noHardwareInAddDevice('IoConnectInterruptEx');
    if (typeof p !== 'object' || p === null) return STATUS_INVALID_PARAMETER;
    // F46: on a machine with MSI-X a provider asks for message-signalled interrupts.
    m.verifier.check('NDMA-INT-04', !m.options.msix || 'MessageBased' in p, () => 'IoConnectInterruptEx asked for a line-based interrupt on a machine that supports MSI-X; NetDMA providers must use MSI-X there');
    // A15: on a machine with MSI but not MSI-X, message-signaled interrupts.
    m.verifier.check('NDMA-INT-04', m.options.interrupts !== 'msi' || 'MessageBased' in p, () => 'IoConnectInterruptEx asked for a line-based interrupt on a machine with MSI (the device was given a message interrupt); line-based interrupts are for machines without MSI');
    const pdoObj = 'MessageBased' in p ? p.MessageBased.PhysicalDeviceObject : 'LineBased' in p ? p.LineBased.PhysicalDeviceObject : null;
    const pdo = m.objects.device(pdoObj);
    if (!pdo || pdo.kind !== 'pdo') m.verifier.fail('KAPI-01', 'IoConnectInterruptEx: PhysicalDeviceObject is not a PDO');
    const dev = pdo.device;
    m.verifier.check('PNP-START-11', dev.resources !== null, () => 'IoConnectInterruptEx for a device that has no interrupt resources assigned (not started, or resources released)');
    const res = dev.resources!;
    if (m.lowResourceFails('connect-interrupt', 'IoConnectInterruptEx')) return STATUS_INSUFFICIENT_RESOURCES;
    const lock = {};
    let list: InterruptRecord[];
    if ('MessageBased' in p && res.messageBased) {
      const mb = p.MessageBased;
      if (typeof mb.MessageServiceRoutine !== 'function') return STATUS_INVALID_PARAMETER;
      list = res.messageCpus.map((cpu, i) => this.#interruptRecord(dev, lock, i, cpu, mb.MessageServiceRoutine, null, mb.ServiceContext));
      const table: IO_INTERRUPT_MESSAGE_INFO = Object.freeze({
        UnifiedIrql: SIMULATED_DIRQL,
        MessageCount: list.length,
        MessageInfo: Object.freeze(list.map((r) => Object.freeze({ MessageAddress: 0xfee0_0000n, TargetProcessorSet: 1n << BigInt(r.cpu), InterruptObject: r.obj, MessageData: r.message, Vector: 0x60 + r.message, Irql: SIMULATED_DIRQL }))),
      });
      mb.ConnectionContext.value = { InterruptMessageTable: table };
      this.#connections.set(table, { device: dev, interrupts: list, live: true });
    } else if ('MessageBased' in p) {
      // No MSI-X on this machine: fall back to the line interrupt (F46).
      const mb = p.MessageBased;
      if (typeof mb.FallBackServiceRoutine !== 'function') return STATUS_INVALID_PARAMETER;
      list = [this.#interruptRecord(dev, lock, 0, res.messageCpus[0] ?? 0, null, mb.FallBackServiceRoutine, mb.ServiceContext)];
      p.Version = CONNECT_LINE_BASED;
      mb.ConnectionContext.value = { InterruptObject: list[0]!.obj };
      this.#connections.set(list[0]!.obj, { device: dev, interrupts: list, live: true });
    } else {
      const lb = p.LineBased;
      if (typeof lb.ServiceRoutine !== 'function') return STATUS_INVALID_PARAMETER;
      list = [this.#interruptRecord(dev, lock, 0, res.messageCpus[0] ?? 0, null, lb.ServiceRoutine, lb.ServiceContext)];
      lb.InterruptObject.value = list[0]!.obj;
      this.#connections.set(list[0]!.obj, { device: dev, interrupts: list, live: true });
    }
    dev.interruptConnections++;
    m.observe({ op: 'HardwareAcquired', what: 'interrupts' });
    return STATUS_SUCCESS;
  }

  /** A connected interrupt (one message, or the line) of `dev`, sharing the connection's spin lock. */
  #interruptRecord(dev: SimDevice, lock: object, message: number, cpu: number, mr: KMESSAGE_SERVICE_ROUTINE | null, lr: KSERVICE_ROUTINE | null, ctx: unknown): InterruptRecord {
    const rec: InterruptRecord = { obj: Object.freeze({}), device: dev, message, cpu, messageRoutine: mr, lineRoutine: lr, context: ctx, lock, live: true };
    this.interrupts.set(rec.obj, rec);
    return rec;
  }

  /** The device's live interrupt connections (their keys), to tell old connections from new ones around a START. */
  liveConnectionsOf(dev: SimDevice): Set<object> {
    const out = new Set<object>();
    for (const [key, c] of this.#connections) if (c.live && c.device === dev) out.add(key);
    return out;
  }

  /** The translated BAR bases of the device's live register mappings. */
  liveMappedBarsOf(dev: SimDevice): bigint[] {
    return this.#mappings.filter((x) => x.live && x.device === dev).map((x) => x.barBase);
  }

  disconnect(p: IO_DISCONNECT_INTERRUPT_PARAMETERS): void {
    const m: HalHost = this.m;
    m.trace.add('call', 'IoDisconnectInterruptEx');
    this.requirePassive('IoDisconnectInterruptEx');
    const key = p?.ConnectionContext?.InterruptMessageTable ?? p?.ConnectionContext?.InterruptObject;
    const conn = key ? this.#connections.get(key) : undefined;
    if (!conn || !conn.live) m.verifier.fail('KAPI-01', 'IoDisconnectInterruptEx with a connection context IoConnectInterruptEx did not return (or disconnected twice)');
    conn.live = false;
    for (const r of conn.interrupts) r.live = false;
    conn.device.interruptConnections--;
    m.observe({ op: 'HardwareReleased', what: 'interrupts' });
  }

  interrupt(obj: unknown, api: string): InterruptRecord {
    const rec = typeof obj === 'object' && obj !== null ? this.interrupts.get(obj) : undefined;
    if (!rec || !rec.live) this.m.verifier.fail('KAPI-01', `${api} with an interrupt object that is not connected`);
    return rec;
  }
}
