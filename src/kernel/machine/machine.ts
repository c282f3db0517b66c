import { PASSIVE_LEVEL } from '../api/irql';
import { FILE_DEVICE_UNKNOWN, IRP_MJ_MAXIMUM_FUNCTION, type DEVICE_OBJECT, type DRIVER_OBJECT } from '../api/wdm';
import type { Observation } from '../../model/lifecycle/observation';
import { IoatEngine } from '../../hardware';
import { PhysicalMemory } from '../../hardware/memory';
import { BusDriver } from '../pnp/bus-driver';
import { DataPathMonitor } from '../netdma/datapath-monitor';
import { EngineRunner } from '../hal/engine-runner';
import { Hal } from '../hal/hal';
import { IoManager } from '../io/io-manager';
import { IoWorkItems } from '../io/work-items';
import type { DistributiveOmit, InterfaceVersion, InterruptMode, KernelContext, MachineConfig, Phase } from '../ke/context';
import { NetDmaInterface, type NetDmaClientPort } from '../netdma/netdma-interface';
import { ObjectTable } from '../ob/objects';
import { PnpManager } from '../pnp/pnp-manager';
import { PowerManager } from '../po/power-manager';
import { Pool } from '../ex/pool';
import { Processors } from '../ke/processors';
import { WorkQueue, firstChoice, type Chooser } from '../ke/scheduler';
import type { SimDevice } from '../hal/sim-device';
import { Sync } from '../ke/sync';
import { Clock, TICKS_PER_MICROSECOND } from '../ke/clock';
import { KernelTimers } from '../ke/timers';
import { RemoveLocks } from '../io/remove-lock';
import { DeviceInterfaces } from '../io/device-interfaces';
import { Wmi } from '../io/wmi';
import { TraceLog } from '../verifier/trace-log';
import { BugCheck, HarnessError, Verifier } from '../verifier/verifier';
import { LowResources, type LowResourceService, type LowResourceSituation } from '../verifier/low-resources';

/** How the simulated machine is built. */
export interface MachineOptions<C extends NetDmaClientPort = NetDmaClientPort> {
  /** The NetDMA interface version the system presents. */
  readonly interfaceVersion: InterfaceVersion;
  /** Number of processors (default 4). */
  readonly cpus?: number;
  /** Whether the machine supports MSI-X (default true); `interrupts` overrides it. */
  readonly msix?: boolean;
  /**
   * How interrupts are delivered (default: 'msix' when `msix` is true or absent, else 'line'):
   * 'msi' gives the device one message for all its channels.
   */
  readonly interrupts?: InterruptMode;
  /**
   * Where physical memory allocations start (default `0x1000_0000n`, below 4 GiB); a base above
   * 4 GiB puts descriptor pools, client buffers and completion words there (MmAllocateContiguousMemory
   * still honours HighestAcceptableAddress from the memory below 4 GiB).
   */
  readonly memoryBase?: bigint;
  /** NET_DMA_CHANNEL_PARAMETERS revision NetDMA fills (default 1; 2 = Windows 7). */
  readonly channelParametersRevision?: 1 | 2;
  /**
   * Engine shape for each enumerated device. `dca` (default true): the engine does Direct Cache
   * Access and says so in its PCI configuration space (ENGINE_FEATURE_DCA); without it DCACTRL is
   * absent and a driver must not declare NET_DMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED.
   */
  readonly engine?: {
    readonly channelCount?: number;
    readonly xfercapLog2?: number;
    readonly vendorId?: number;
    readonly dca?: boolean;
    /** Descriptors the engine fetches ahead (default 0; src/hardware/dma.ts, *Prefetch*). */
    readonly prefetchDepth?: number;
    /** Microseconds a CHANCMD RESET takes (default 0; src/hardware/commands.ts, *Command timing*). */
    readonly resetDelayUs?: number;
    /** Microseconds a CHANCMD SUSPEND or ABORT takes (default 0). */
    readonly stopDelayUs?: number;
  };
  /** Source of every nondeterministic choice (default: always the first option). */
  readonly chooser?: Chooser;
  /** Keep the timeline's events (default true; a property's search turns it off, see TraceLog). */
  readonly recordTrace?: boolean;
  /**
   * The NetDMA client (tcpip.sys's side, `src/client/`), made once the machine's components exist.
   * Without one, NetDMA has no client: no channel is ever allocated.
   */
  readonly client?: (m: Machine<C>) => C;
}

/** Where physical memory allocations start by default (below 4 GiB). */
export const DEFAULT_MEMORY_BASE = 0x1000_0000n;

/** A machine without a NetDMA client: nothing allocates channels, nothing runs a channel handler. */
export const NO_CLIENT: NetDmaClientPort = Object.freeze({
  inChannelHandler: () => false,
  onProviderStarted: () => undefined,
  drainAndFreeAll: () => undefined,
  onPowerEvent: () => undefined,
  dataPath: null,
});

export type { Phase, DistributiveOmit };

/**
 * The simulated Windows machine a provider runs in: processors, I/O manager, PnP manager with a
 * PCI bus driver per engine, HAL, NetDMA and its client, with every call checked.
 *
 * This is the one place the kernel's components are wired together: each takes the machine as
 * its own narrow host interface (`KernelContext` and what it names of the others), never as
 * `Machine`. The NetDMA client (`C`) comes from outside the kernel.
 */
export class Machine<C extends NetDmaClientPort = NetDmaClientPort> implements KernelContext {
  readonly options: MachineConfig;
  readonly chooser: Chooser;
  readonly cpus: Processors;
  readonly trace: TraceLog;
  readonly verifier: Verifier;
  readonly work: WorkQueue;
  readonly pool = new Pool();
  readonly objects = new ObjectTable();
  readonly memory: PhysicalMemory;
  readonly io: IoManager;
  readonly sync: Sync;
  readonly workItems: IoWorkItems;
  /** Interrupt time, moved only when the simulation lets time pass. */
  readonly clock = new Clock();
  /** Kernel timers on {@link clock}. */
  readonly timers: KernelTimers;
  /** Remove locks (IoInitializeRemoveLock ...). */
  readonly removeLocks: RemoveLocks;
  /** Device interfaces (IoRegisterDeviceInterface, IoSetDeviceInterfaceState). */
  readonly deviceInterfaces: DeviceInterfaces;
  /** WMI registrations (IoWMIRegistrationControl). */
  readonly wmi: Wmi;
  readonly hal: Hal;
  readonly netdma: NetDmaInterface;
  readonly client: C;
  readonly pnp: PnpManager;
  /** The power manager: PoRequestPowerIrp, PoSetPowerState, the IRQL power IRPs arrive at. */
  readonly po: PowerManager;
  readonly dataPath: DataPathMonitor;
  /** Engine scheduling: steps channels and delivers interrupts at preemption points and in drains. */
  readonly engines: EngineRunner;
  readonly devices: SimDevice[] = [];
  readonly busDriverObject: DRIVER_OBJECT;
  phase: Phase = 'Idle';
  /** The PnP or power IRP the PnP manager has in flight (its name), for the low-resources simulation. */
  irpInFlight: string | null = null;
  /** Driver Verifier's low-resources simulation (fault injection in any routine). */
  readonly lowResources = new LowResources();
  readonly #situation: LowResourceSituation = ((m: Machine<C>) => ({
    inChannelHandler: () => m.inChannelHandler(),
    get irpInFlight() {
      return m.irpInFlight;
    },
    get routine() {
      return m.cpus.current.routine;
    },
  }))(this);
  /** The PDO whose AddDevice is running, for NDMA-REG-04. */
  currentAddDevicePdo: DEVICE_OBJECT | null = null;
  #observations: Observation[] | null = null;
  /** Hook for the data path: called at every preemption point (register access, stall). */
  onPreemptionPoint: (() => void) | null = null;
  /** Hook for the data path: called when a DPC runs. */
  onDpc: ((name: string, cpu: number) => void) | null = null;

  constructor(opts: MachineOptions<C>) {
    const interrupts: InterruptMode = opts.interrupts ?? ((opts.msix ?? true) ? 'msix' : 'line');
    this.options = {
      interfaceVersion: opts.interfaceVersion,
      cpus: opts.cpus ?? 4,
      msix: interrupts === 'msix',
      interrupts,
      memoryBase: opts.memoryBase ?? DEFAULT_MEMORY_BASE,
      channelParametersRevision: opts.channelParametersRevision ?? 1,
      engine: {
        channelCount: opts.engine?.channelCount ?? 4,
        xfercapLog2: opts.engine?.xfercapLog2 ?? 20,
        vendorId: opts.engine?.vendorId ?? 0x8086,
        dca: opts.engine?.dca ?? true,
        prefetchDepth: opts.engine?.prefetchDepth ?? 0,
        resetDelayUs: opts.engine?.resetDelayUs ?? 0,
        stopDelayUs: opts.engine?.stopDelayUs ?? 0,
      },
    };
    this.memory = new PhysicalMemory({ base: this.options.memoryBase });
    this.chooser = opts.chooser ?? firstChoice;
    this.cpus = new Processors(this.options.cpus);
    this.trace = new TraceLog(() => ({ cpu: this.cpus.current.cpu, irql: this.cpus.current.irql }), opts.recordTrace ?? true);
    this.verifier = new Verifier(this.trace);
    this.work = new WorkQueue(this.chooser);
    this.io = new IoManager(this);
    this.sync = new Sync(this);
    this.workItems = new IoWorkItems(this);
    this.timers = new KernelTimers(this);
    this.removeLocks = new RemoveLocks(this);
    this.deviceInterfaces = new DeviceInterfaces(this);
    this.wmi = new Wmi(this);
    this.hal = new Hal(this);
    this.netdma = new NetDmaInterface(this, this.options.interfaceVersion);
    this.client = opts.client ? opts.client(this) : (NO_CLIENT as C);
    this.po = new PowerManager(this);
    this.pnp = new PnpManager(this);
    this.dataPath = new DataPathMonitor(this);
    this.engines = new EngineRunner(this);
    this.busDriverObject = {
      Type: 4,
      DeviceObject: null,
      DriverExtension: { AddDevice: null },
      DriverUnload: null,
      MajorFunction: new Array<null>(IRP_MJ_MAXIMUM_FUNCTION + 1).fill(null),
      DriverName: { Length: 22, MaximumLength: 22, Buffer: '\\Driver\\pci' },
    };
  }

  /** Throws the recorded bug check, if the machine has already failed. */
  assertAlive(): void {
    if (this.harnessError) throw this.harnessError;
    const v = this.verifier.firstViolation;
    if (v) throw new BugCheck(v);
  }

  /** The first harness failure, if any: the run's verdict is then 'error', never pass or fail. */
  harnessError: HarnessError | null = null;

  /** Records a harness failure and returns it for throwing. */
  harnessFailed(e: HarnessError): HarnessError {
    this.harnessError ??= e;
    return this.harnessError;
  }

  /**
   * Records a provider-visible effect against the IRP in flight (if any). `o` must be a fresh
   * object literal: it is stamped with its `seq` and kept as the observation.
   */
  observe(o: DistributiveOmit<Observation, 'seq'>): void {
    const list = this.#observations;
    if (list === null) return;
    // `o` is the caller's fresh literal: stamp it rather than copy it.
    (o as { seq?: number }).seq = this.trace.length;
    list.push(o as Observation);
  }

  /** Starts collecting observations for one IRP; returns the list being filled. */
  beginObservation(): Observation[] {
    this.#observations = [];
    return this.#observations;
  }

  endObservation(): void {
    this.#observations = null;
  }

  /** Whether the code running now is a NetDMA channel handler (KE-IRQL-06): the client runs them. */
  inChannelHandler(): boolean {
    return this.client.inChannelHandler();
  }

  /** The CPU NetDMA names for channel `i` in ProviderSetDmaChannelCpuAffinity (deliberately not the default). */
  affinityCpuFor(i: number): number {
    return (i + 1) % this.options.cpus;
  }

  /**
   * Whether this call of a fallible service fails under the low-resources simulation; an injected
   * failure is noted in the timeline with the routine it hit.
   */
  lowResourceFails(service: LowResourceService, api: string): boolean {
    if (this.lowResources.fault === null || !this.lowResources.fails(service, api, this.#situation)) return false;
    const text = this.lowResources.injected[this.lowResources.injected.length - 1]!;
    this.trace.add('note', `fault injected: ${text}`);
    return true;
  }

  /** Runs system code (not the candidate's) on a processor at an IRQL. */
  runAsSystem(cpu: number, irql: number, routine: string, fn: () => void): void {
    const ctx = this.cpus.push(cpu, irql, routine);
    try {
      fn();
    } finally {
      this.cpus.pop(ctx);
    }
  }

  /**
   * Lets `ticks` (100 ns units) pass while the system is idle (between two IRPs): timers due by
   * then expire, and the DPCs they queued run. Nothing else runs and no decision is drawn unless a
   * timer expires, so a driver without timers sees no difference.
   */
  letTimePass(ticks: bigint): void {
    if (!this.timers.anySet && ticks % 10n === 0n) {
      this.clock.addIdleMicroseconds(Number(ticks / 10n));
      return;
    }
    this.timers.elapse(ticks);
    if (this.timers.takeExpired() === 0) return;
    const labels = this.timers.takeQueuedDpcs();
    if (labels.size > 0) this.work.runWhere((w) => labels.has(w.label));
  }

  /** A point where, on real hardware, the engine and other processors may have made progress. */
  preemptionPoint(): void {
    this.engines.preempt();
    this.onPreemptionPoint?.();
  }

  /** Called by the HAL after a register write reached the engine. */
  registerWritten(dev: SimDevice, offset: number, width: number, value: bigint): void {
    this.engines.listener?.onRegisterWrite(dev, offset, width, value);
  }

  /** Called by the kernel when a DPC starts running. */
  dpcRan(name: string, cpu: number): void {
    this.onDpc?.(name, cpu);
  }

  /** Plugs in a new engine behind a new PDO (it is not yet given to the driver). */
  plugDevice(): SimDevice {
    const index = this.devices.length;
    const name = this.objects.nextName('PDO');
    const pdo: DEVICE_OBJECT = {
      Type: 3,
      DriverObject: this.busDriverObject,
      Flags: 0,
      DeviceType: FILE_DEVICE_UNKNOWN,
      Characteristics: 0,
      StackSize: 1,
      DeviceExtension: {},
      Name: name,
    };
    const e = this.options.engine;
    let dev: SimDevice;
    const engine = new IoatEngine({
      memory: this.memory,
      channelCount: e.channelCount,
      xfercapLog2: e.xfercapLog2,
      vendorId: e.vendorId,
      dca: e.dca,
      prefetchDepth: e.prefetchDepth,
      resetDelay: BigInt(e.resetDelayUs) * TICKS_PER_MICROSECOND,
      stopDelay: BigInt(e.stopDelayUs) * TICKS_PER_MICROSECOND,
      now: () => this.clock.now,
      raiseInterrupt: (ch: number) => this.pnp.interruptRaised(dev, ch),
      notify: (n) => {
        // NDMA-CHAN-10: a RESET that takes time is waited for; a write made meanwhile is lost.
        if (n.kind === 'command-effect' && n.command === 'reset') this.verifier.exercised('NDMA-CHAN-10');
        if (n.kind === 'write-dropped') {
          this.verifier.check('NDMA-CHAN-10', false, () => `${n.register} of ${dev.pdo.Name} engine channel ${n.ch} written (0x${n.value.toString(16)}) while the CHANCMD RESET the provider issued is still in progress (CHANCMD reads 0x20): the engine drops the write; wait until the RESET bit clears`);
        }
        this.engines.listener?.onNotice(dev, n);
      },
    });
    dev = {
      index,
      pdo,
      bus: new BusDriver(this, () => dev),
      pci: engine,
      channelCount: e.channelCount,
      maxTransferSize: e.xfercapLog2 === 0 ? 2 ** 32 : 2 ** e.xfercapLog2,
      resources: null,
      requirements: null,
      affinities: null,
      mappings: 0,
      interruptConnections: 0,
      busInterfaceReferences: 0,
      powerState: 'D0',
      removed: false,
      stopPending: false,
    };
    this.objects.add({ obj: pdo, driver: null, kind: 'pdo', device: dev, deleted: false, lower: null, upper: null, stackSize: 1 });
    this.devices.push(dev);
    return dev;
  }

  /** The engine behind a device (for data-path checks). */
  engineOf(dev: SimDevice): IoatEngine {
    return dev.pci as IoatEngine;
  }

  /** Current IRQL of the running context. */
  get irql(): number {
    return this.cpus.current.irql ?? PASSIVE_LEVEL;
  }
}
