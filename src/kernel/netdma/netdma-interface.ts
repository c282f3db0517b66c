import type { Verifier } from '../verifier/verifier';
import { PASSIVE_LEVEL, irqlName } from '../api/irql';
import {
  NET_DMA_CHANNEL_CPU_AFFINITY_SIZE,
  NET_DMA_CHANNEL_PARAMETERS_REVISION_1,
  NET_DMA_CHANNEL_PARAMETERS_REVISION_2,
  NET_DMA_PNP_NOTIFICATION_REVISION_1,
  NET_DMA_PNP_NOTIFICATION_SIZE,
  NET_DMA_PROVIDER_ATTRIBUTES_SIZE,
  NET_DMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED,
  NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1,
  NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2,
  NET_DMA_PROVIDER_SUPPORTS_PROC_GROUPS,
  NetDmaNotificationProviderPowerDown,
  NetDmaNotificationProviderPowerUp,
  type NET_DMA_CHANNEL_CPU_AFFINITY,
  type NET_DMA_CHANNEL_HANDLE,
  type NET_DMA_CHANNEL_PARAMETERS,
  type NET_DMA_PNP_NOTIFICATION,
  type NET_DMA_PROVIDER_ATTRIBUTES,
  type NET_DMA_PROVIDER_CHARACTERISTICS,
  type NET_DMA_PROVIDER_HANDLE,
} from '../api/netdma';
import { STATUS_INSUFFICIENT_RESOURCES, STATUS_SUCCESS, STATUS_UNSUCCESSFUL, isNtStatus, ntStatusName } from '../api/ntstatus';
import type { DEVICE_OBJECT, OUT } from '../api/wdm';
import { callProvider } from '../ke/invoke';
import type { InterfaceVersion, KernelContext } from '../ke/context';
import type { ObjectTable } from '../ob/objects';
import { notFromChannelHandler } from '../ke/channel-handler';
import type { SimDevice } from '../hal/sim-device';
import { CHANCMD, CHANNEL_REGISTERS, channelBlockOffset } from '../../hardware/registers';

/**
 * The highest physical address the simulated engine can reach: what its address registers hold.
 * IOAT-ENGINE.md gives CHAINADDR, CHANCMP and CDAR as u64 and CHANSTS's address as bits 63:6, the
 * descriptor's Source/Destination/NextDescriptor are 64-bit PHYSICAL_ADDRESSes, and no register
 * reports a narrower address width (Linux ioat_pci_probe asks for a 64-bit DMA mask and reads no
 * width from the engine). So a provider may declare any address up to 2^64 - 1 (PNP-START-12); a
 * limit the provider cannot read anywhere would be a rule stricter than its documentation.
 */
export const ENGINE_MAX_ADDRESS = 0xffff_ffff_ffff_ffffn;

/** Interface versions the simulated NetDMA can present. */
export type { InterfaceVersion };

/** Version as `major * 256 + minor`, for comparisons. */
export function versionNumber(v: InterfaceVersion): number {
  return v === '1.0' ? 0x100 : v === '1.1' ? 0x101 : 0x200;
}

/** One allocated channel, as NetDMA sees it. */
export interface ChannelRecord {
  readonly handle: NET_DMA_CHANNEL_HANDLE;
  readonly index: number;
  readonly providerChannelContext: unknown;
  readonly params: NET_DMA_CHANNEL_PARAMETERS;
  readonly completionPa: bigint;
}

/** NetDMA's record of a registered provider. */
export interface ProviderRecord {
  readonly handle: NET_DMA_PROVIDER_HANDLE;
  readonly name: string;
  readonly context: unknown;
  readonly chars: Readonly<NET_DMA_PROVIDER_CHARACTERISTICS>;
  /** Provider version as major*256+minor. */
  readonly version: number;
  readonly device: SimDevice;
  state: 'registered' | 'started' | 'stopped' | 'deregistered';
  attributes: NET_DMA_PROVIDER_ATTRIBUTES | null;
  readonly channels: Map<NET_DMA_CHANNEL_HANDLE, ChannelRecord>;
  /** PowerDown notified and PowerUp not yet. */
  poweredDown: boolean;
  nextChannel: number;
  /**
   * The device's resource assignment when NetDmaProviderStop last returned (NDMA-DP-17): the engine
   * may not run for the stopped provider on those resources; a later START (new resources) may
   * self-test the engine before NetDmaProviderStart, as drivers do at bring-up.
   */
  stoppedWith?: object | null;
}

/**
 * The NetDMA client as NetDMA calls it (tcpip.sys's side: `src/client/` implements it). The kernel
 * knows the client only through this port.
 */
export interface NetDmaClientPort {
  /** Whether the code running now is a NetDMA channel handler (KE-IRQL-06). */
  inChannelHandler(): boolean;
  /** NetDmaProviderStart returned: the client may allocate channels on the provider. */
  onProviderStarted(rec: ProviderRecord): void;
  /** NetDmaProviderStop was called: the client drains and frees every channel of the provider. */
  drainAndFreeAll(rec: ProviderRecord): void;
  /** NetDmaPnPEventNotify reported power down (`down`) or up. */
  onPowerEvent(rec: ProviderRecord, down: boolean): void;
  /** The copy data path, when one is switched on: told what NetDmaIsr and NetDmaInterruptDpc report. */
  readonly dataPath: {
    onNetDmaIsr(ch: ChannelRecord, pa: bigint, routine: string): void;
    onNetDmaInterruptDpc(ch: ChannelRecord, pa: bigint, cpu: number, allowedCpus: readonly number[]): void;
  } | null;
}

/** What NetDMA uses of the machine: the kernel context, the object table and the client. */
export interface NetDmaHost extends KernelContext {
  readonly objects: ObjectTable;
  readonly client: NetDmaClientPort;
  /** The PDO whose AddDevice is running, for NDMA-REG-04. */
  readonly currentAddDevicePdo: DEVICE_OBJECT | null;
  /** The CPU NetDMA names for channel `i` in ProviderSetDmaChannelCpuAffinity. */
  affinityCpuFor(i: number): number;
}

/** Fault injection for registration. */
export interface NetDmaFaults {
  /** Fail the next NetDmaRegisterProvider with STATUS_INSUFFICIENT_RESOURCES. */
  failNextRegister: boolean;
}

/**
 * The simulated NetDMA export driver: provider registration, start/stop, and the client side that
 * allocates and frees channels through the provider's handlers. Every argument is validated
 * against the rules in spec/.
 */
export class NetDmaInterface {
  readonly providers = new Map<object, ProviderRecord>();
  readonly channelOwners = new Map<object, ProviderRecord>();
  readonly faults: NetDmaFaults = { failNextRegister: false };
  #nextProvider = 1;
  /** Registrations made during the current AddDevice call. */
  registrationsInAddDevice = 0;

  constructor(
    private readonly m: NetDmaHost,
    readonly version: InterfaceVersion,
  ) {}

  private passive(api: string): void {
    notFromChannelHandler(this.m, api, 'it is allowed only at PASSIVE_LEVEL');
    this.m.verifier.check('DRV-UNLOAD-03', this.m.phase !== 'Unload', () => `${api} called from DriverUnload; every provider is deregistered before Unload`);
    const irql = this.m.cpus.current.irql;
    this.m.verifier.check('KE-IRQL-01', irql === PASSIVE_LEVEL, () => `${api} called at ${irqlName(irql)}; it requires PASSIVE_LEVEL`);
  }

  /** The provider record for a handle, or a KAPI-01 violation. */
  provider(handle: unknown, api: string, allowDeregistered = false): ProviderRecord {
    const rec = typeof handle === 'object' && handle !== null ? this.providers.get(handle) : undefined;
    if (!rec) this.m.verifier.fail('KAPI-01', `${api} was passed a handle that NetDmaRegisterProvider never wrote`);
    if (rec.state === 'deregistered' && !allowDeregistered) this.m.verifier.fail('KAPI-01', `${api} was passed the handle of ${rec.name}, which was deregistered`);
    return rec;
  }

  register(context: unknown, out: OUT<NET_DMA_PROVIDER_HANDLE>, chars: NET_DMA_PROVIDER_CHARACTERISTICS): number {
    const m: NetDmaHost = this.m;
    const v: Verifier = m.verifier;
    m.trace.add('call', 'NetDmaRegisterProvider', { version: `${chars?.MajorVersion}.${chars?.MinorVersion}` });
    this.passive('NetDmaRegisterProvider');
    v.check('DRV-ENTRY-04', m.phase !== 'DriverEntry', () => 'NetDmaRegisterProvider called from DriverEntry; providers register in AddDevice, once per engine');
    if (typeof out !== 'object' || out === null) v.fail('KAPI-01', 'NetDmaRegisterProvider: pNetDmaProviderHandle is not a writable OUT box');
    if (typeof chars !== 'object' || chars === null) v.fail('KAPI-01', 'NetDmaRegisterProvider: ProviderCharacteristics is NULL');
    const c = { ...chars };
    const ver = ((c.MajorVersion & 0xff) << 8) | (c.MinorVersion & 0xff);
    v.check('NDMA-REG-01', ver <= versionNumber(this.version) && ver >= 0x100, () => `provider version ${c.MajorVersion}.${c.MinorVersion} is above the NetDMA ${this.version} interface (or not a NetDMA version)`);
    if (this.version === '1.0') v.check('NDMA-REG-10', ver === 0x100, () => `on a NetDMA 1.0 interface (NetDmaGetVersion absent) the provider registered as ${c.MajorVersion}.${c.MinorVersion}`);
    const is2 = ver >= 0x200;
    const wantSize = is2 ? NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_2 : NET_DMA_PROVIDER_CHARACTERISTICS_SIZE_1;
    v.check('NDMA-REG-02', c.Size === wantSize, () => `Size is ${c.Size}; sizeof(NET_DMA_PROVIDER_CHARACTERISTICS) for a ${c.MajorVersion}.${c.MinorVersion} provider is ${wantSize}`);
    const allowedFlags = is2 ? NET_DMA_PROVIDER_CHARACTERISTICS_DCA_SUPPORTED | NET_DMA_PROVIDER_SUPPORTS_PROC_GROUPS : 0;
    v.check('NDMA-REG-03', (c.Flags & ~allowedFlags) === 0, () => `Flags 0x${(c.Flags >>> 0).toString(16)} has bits not allowed for a ${c.MajorVersion}.${c.MinorVersion} provider`);
    const pdoRec = m.objects.device(c.PhysicalDeviceObject);
    const addPdo = m.currentAddDevicePdo;
    v.check('NDMA-REG-04', pdoRec !== undefined && pdoRec.kind === 'pdo' && (addPdo === null || c.PhysicalDeviceObject === addPdo), () => 'PhysicalDeviceObject is not the PDO passed to AddDevice');
    v.check('NDMA-REG-05', Number.isInteger(c.MaxDmaChannelCount) && c.MaxDmaChannelCount >= 1, () => `MaxDmaChannelCount is ${String(c.MaxDmaChannelCount)}`);
    const missing = (['AllocateDmaChannel', 'FreeDmaChannel', 'StartDma', 'AppendDma'] as const).filter((h) => typeof c[h] !== 'function');
    v.check('NDMA-REG-06', missing.length === 0, () => `mandatory handler(s) missing: ${missing.join(', ')}`);
    v.check('NDMA-REG-07', typeof c.SuspendDma !== 'function' || typeof c.ResumeDma === 'function', () => 'SuspendDma is set but ResumeDma is NULL');
    if (is2) v.check('NDMA-REG-08', typeof c.FriendlyName?.Buffer === 'string' && c.FriendlyName.Buffer.length > 0, () => 'a NetDMA 2.0 provider must fill FriendlyName');
    const dev = pdoRec!.device;
    // DRV-ADD-01: the FDO exists and is attached to this PDO before registration.
    if (m.phase === 'AddDevice') {
      const attached = m.objects.device(dev.pdo)?.upper;
      v.check('DRV-ADD-01', attached !== null && attached !== undefined, () => 'NetDmaRegisterProvider was called before the FDO was created and attached to the PDO');
      this.registrationsInAddDevice++;
      v.check('DRV-ADD-03', this.registrationsInAddDevice === 1, () => 'AddDevice called NetDmaRegisterProvider more than once for one engine');
    }
    if (this.faults.failNextRegister) {
      this.faults.failNextRegister = false;
      m.trace.add('note', 'fault injected: NetDmaRegisterProvider fails with STATUS_INSUFFICIENT_RESOURCES');
      return STATUS_INSUFFICIENT_RESOURCES;
    }
    const handle: NET_DMA_PROVIDER_HANDLE = Object.freeze({});
    const rec: ProviderRecord = {
      handle,
      name: `provider#${this.#nextProvider++}`,
      context,
      chars: Object.freeze(c),
      version: ver,
      device: dev,
      state: 'registered',
      attributes: null,
      channels: new Map(),
      poweredDown: false,
      nextChannel: 0,
    };
    // On an MSI-X machine NetDMA calls the affinity handler before the handle is written (F8e, A8).
    if (m.options.msix) {
      const handler = c.SetDmaChannelCpuAffinity;
      v.check('NDMA-REG-09', typeof handler === 'function', () => 'on an MSI-X machine ProviderSetDmaChannelCpuAffinity must be set (NetDMA calls it during registration)');
      const count = c.MaxDmaChannelCount;
      const affinities: NET_DMA_CHANNEL_CPU_AFFINITY[] = [];
      for (let i = 0; i < count; i++) affinities.push(Object.freeze({ DmaChannel: i, CpuNumber: m.affinityCpuFor(i) }));
      const frozen = Object.freeze(affinities);
      const st = callProvider(m, `ProviderSetDmaChannelCpuAffinity(${count} entries)`, { cpu: m.cpus.current.cpu, irql: PASSIVE_LEVEL }, 'ntstatus', () =>
        handler!(context, frozen, count * NET_DMA_CHANNEL_CPU_AFFINITY_SIZE),
      ) as number;
      // The handler's page documents three returns (F24, A4): STATUS_SUCCESS, STATUS_RESOURCES
      // (STATUS_INSUFFICIENT_RESOURCES) and STATUS_UNSUCCESSFUL. A documented failure is a legal
      // answer and fails the registration (A8); the provider then undoes AddDevice (DRV-ADD-04 and
      // the teardown rules). Any other value is outside the contract.
      v.check('NDMA-REG-09', isNtStatus(st) && NetDmaInterface.HANDLER_STATUSES.has(st >>> 0),
        () => `ProviderSetDmaChannelCpuAffinity returned ${isNtStatus(st) ? ntStatusName(st) : String(st)}; documented: STATUS_SUCCESS, STATUS_INSUFFICIENT_RESOURCES (STATUS_RESOURCES), STATUS_UNSUCCESSFUL`);
      if ((st >>> 0) !== STATUS_SUCCESS) {
        m.trace.add('return', () => `NetDmaRegisterProvider returned STATUS_UNSUCCESSFUL (ProviderSetDmaChannelCpuAffinity returned ${ntStatusName(st)}; A8)`);
        return STATUS_UNSUCCESSFUL;
      }
      dev.affinities = new Map(affinities.map((a) => [a.DmaChannel, a.CpuNumber]));
    }
    this.providers.set(handle, rec);
    out.value = handle;
    m.trace.add('return', () => `NetDmaRegisterProvider returned STATUS_SUCCESS (${rec.name})`);
    return STATUS_SUCCESS;
  }

  deregister(handle: NET_DMA_PROVIDER_HANDLE): void {
    const m: NetDmaHost = this.m;
    m.trace.add('call', 'NetDmaDeregisterProvider');
    this.passive('NetDmaDeregisterProvider');
    const rec = this.providers.get(handle as object);
    m.verifier.check('NDMA-DEREG-01', rec !== undefined && rec.state !== 'deregistered', () =>
      rec ? `${rec.name} was already deregistered` : 'NetDmaDeregisterProvider was passed a handle NetDmaRegisterProvider never wrote');
    m.verifier.check('PNP-REM-02', rec!.state !== 'started', () => `${rec!.name} is deregistered while started; NetDmaProviderStop must come first`);
    // NDMA-REG-11: every pool free was checked against the registered contexts (contextFreed), so
    // this provider's ProviderContext stayed valid up to here.
    m.verifier.exercised('NDMA-REG-11');
    rec!.state = 'deregistered';
    m.observe({ op: 'NetDmaDeregisterProvider' });
  }

  start(handle: NET_DMA_PROVIDER_HANDLE, attrs: NET_DMA_PROVIDER_ATTRIBUTES): void {
    const m: NetDmaHost = this.m;
    const v: Verifier = m.verifier;
    m.trace.add('call', 'NetDmaProviderStart');
    this.passive('NetDmaProviderStart');
    const rec = this.provider(handle, 'NetDmaProviderStart');
    v.check('NDMA-START-01', rec.state === 'registered' || rec.state === 'stopped', () => `NetDmaProviderStart called for ${rec.name}, which is ${rec.state}; it must be registered and not started`);
    if (typeof attrs !== 'object' || attrs === null) v.fail('KAPI-01', 'NetDmaProviderStart: ProviderAttributes is NULL');
    const a = { ...attrs };
    const dev = rec.device;
    v.check('PNP-START-05', a.Size === NET_DMA_PROVIDER_ATTRIBUTES_SIZE, () => `ATTRIBUTES.Size is ${a.Size}; sizeof(NET_DMA_PROVIDER_ATTRIBUTES) is ${NET_DMA_PROVIDER_ATTRIBUTES_SIZE}`);
    v.check('PNP-START-06', a.Flags === 0, () => `ATTRIBUTES.Flags is 0x${(a.Flags >>> 0).toString(16)}; it is reserved and must be 0`);
    const vendor = dev.pci.configSpace[0]! | (dev.pci.configSpace[1]! << 8);
    v.check('PNP-START-07', a.VendorId === vendor, () => `ATTRIBUTES.VendorId is 0x${(a.VendorId >>> 0).toString(16)}; config space says 0x${vendor.toString(16)}`);
    v.check('PNP-START-08', Number.isInteger(a.DmaChannelCount) && a.DmaChannelCount >= 1 && a.DmaChannelCount <= rec.chars.MaxDmaChannelCount && a.DmaChannelCount <= dev.channelCount,
      () => `ATTRIBUTES.DmaChannelCount is ${a.DmaChannelCount}; MaxDmaChannelCount is ${rec.chars.MaxDmaChannelCount} and the engine has ${dev.channelCount} channels`);
    v.check('PNP-START-09', Number.isInteger(a.MaximumTransferSize) && a.MaximumTransferSize >= 4096 && a.MaximumTransferSize <= dev.maxTransferSize,
      () => `ATTRIBUTES.MaximumTransferSize is ${a.MaximumTransferSize}; it must be at least 4096 and at most the engine's ${dev.maxTransferSize}`);
    v.check('PNP-START-12', typeof a.MaximumAddressSpace === 'bigint' && a.MaximumAddressSpace > 0n && a.MaximumAddressSpace <= ENGINE_MAX_ADDRESS,
      () => `ATTRIBUTES.MaximumAddressSpace is ${typeof a.MaximumAddressSpace === 'bigint' ? `0x${a.MaximumAddressSpace.toString(16)}` : String(a.MaximumAddressSpace)}; it is the largest physical address the engine supports, and the engine's 64-bit address registers reach at most 0x${ENGINE_MAX_ADDRESS.toString(16)}`);
    v.check('PNP-START-04', dev.mappings > 0 && dev.interruptConnections > 0, () =>
      `NetDmaProviderStart before the hardware is ready (${dev.mappings} register mapping(s), ${dev.interruptConnections} interrupt connection(s))`);
    // A channel whose RESET never self-cleared (broken silicon, the low-resources `reset-hang`) is not initialized (F10a).
    let wedged = 0;
    for (let i = 0; i < dev.channelCount; i++) if ((Number(dev.pci.mmioRead(channelBlockOffset(i) + CHANNEL_REGISTERS.CHANCMD.offset, 1)) & CHANCMD.RESET) !== 0) wedged++;
    v.check('PNP-START-04', wedged === 0 || (Number.isInteger(a.DmaChannelCount) && a.DmaChannelCount <= dev.channelCount - wedged), () =>
      `NetDmaProviderStart with DmaChannelCount ${a.DmaChannelCount} while ${wedged} of the engine's ${dev.channelCount} channels are still in RESET (CHANCMD reads 0x20: the RESET never self-cleared); a channel that did not reset is not initialized, and START should fail or leave it out`);
    rec.state = 'started';
    rec.attributes = Object.freeze(a);
    m.observe({ op: 'NetDmaProviderStart' });
    // NetDMA may use the provider from the moment it is started, even before this call returns (F10b, A7).
    m.client.onProviderStarted(rec);
  }

  stop(handle: NET_DMA_PROVIDER_HANDLE): void {
    const m: NetDmaHost = this.m;
    m.trace.add('call', 'NetDmaProviderStop');
    this.passive('NetDmaProviderStop');
    const rec = this.provider(handle, 'NetDmaProviderStop', true);
    // Decision A13 (issue 12): "must call NetDmaProviderStop before it deregisters a provider" has no
    // exception, and Start and Stop may be called "as many times as" needed between registering and
    // deregistering, so a registered provider that is not started (never started, or already stopped)
    // may be stopped: NetDMA has no channel of it to free. After NetDmaDeregisterProvider it may not.
    m.verifier.check('NDMA-STOP-01', rec.state !== 'deregistered', () => `NetDmaProviderStop called for ${rec.name}, which was already deregistered; Stop comes between NetDmaRegisterProvider and NetDmaDeregisterProvider`);
    m.observe({ op: 'NetDmaProviderStop' });
    // NetDMA waits for outstanding DMA, then frees every channel before returning (F11d).
    m.client.drainAndFreeAll(rec);
    rec.state = 'stopped';
    rec.stoppedWith = rec.device.resources;
  }

  /** NetDmaPnPEventNotify as reached through NdisGetRoutineAddress. */
  pnpEventNotify(handle: NET_DMA_PROVIDER_HANDLE, ev: NET_DMA_PNP_NOTIFICATION): void {
    const m: NetDmaHost = this.m;
    const v: Verifier = m.verifier;
    m.trace.add('call', `NetDmaPnPEventNotify(${ev?.NotificationCode === NetDmaNotificationProviderPowerDown ? 'PowerDown' : ev?.NotificationCode === NetDmaNotificationProviderPowerUp ? 'PowerUp' : String(ev?.NotificationCode)})`);
    this.passive('NetDmaPnPEventNotify');
    const rec = this.provider(handle, 'NetDmaPnPEventNotify');
    v.check('PWR-04', rec.version >= 0x101, () => `${rec.name} registered as a NetDMA 1.0 provider but calls NetDmaPnPEventNotify`);
    if (typeof ev !== 'object' || ev === null) v.fail('PWR-03', 'NetDmaPnPEventNotify: PnPEvent is NULL');
    v.check('PWR-03', ev.StructureRevision === NET_DMA_PNP_NOTIFICATION_REVISION_1 && ev.StructureSize === NET_DMA_PNP_NOTIFICATION_SIZE &&
      (ev.NotificationCode === NetDmaNotificationProviderPowerDown || ev.NotificationCode === NetDmaNotificationProviderPowerUp) &&
      (ev.Buffer === null || ev.Buffer === undefined) && ev.BufferLength === 0,
      () => `invalid NET_DMA_PNP_NOTIFICATION { Revision ${ev.StructureRevision}, Size ${ev.StructureSize}, Code ${ev.NotificationCode}, BufferLength ${ev.BufferLength} }`);
    const down = ev.NotificationCode === NetDmaNotificationProviderPowerDown;
    v.check('PWR-06', down ? !rec.poweredDown : rec.poweredDown, () => down ? 'PowerDown notified twice without PowerUp' : 'PowerUp notified without a PowerDown before it');
    // F50 (PWR-02): PowerUp comes once the device is back in D0, whichever path (system or device power IRP) brought it there.
    if (!down) v.check('PWR-02', rec.device.powerState === 'D0' && rec.device.backInD0 !== false, () => `${rec.name} called NetDmaPnPEventNotify(NetDmaNotificationProviderPowerUp) while its device is not back in D0 yet (the lower drivers have not completed a D0 IRP since it left D0)`);
    rec.poweredDown = down;
    m.observe({ op: 'NetDmaPnPEventNotify', code: ev.NotificationCode });
    // Clients stop posting and wait for outstanding copies; after PowerUp NetDMA restarts every channel (F50).
    m.client.onPowerEvent(rec, down);
  }

  /**
   * ExFreePoolWithTag freed `block`: NDMA-REG-11, it is not the ProviderContext of a provider that is
   * still registered (NetDMA hands the context back to ProviderSetDmaChannelCpuAffinity and
   * ProviderAllocateDmaChannel until NetDmaDeregisterProvider has returned, F8b).
   */
  contextFreed(block: unknown): void {
    for (const rec of this.providers.values()) {
      if (rec.context === block && rec.state !== 'deregistered') {
        this.m.verifier.fail('NDMA-REG-11', `ExFreePoolWithTag freed the ProviderContext of ${rec.name}, which is still registered (${rec.state}); it must stay valid until NetDmaDeregisterProvider has returned`);
      }
    }
  }

  /** Providers of a device that are registered (not deregistered). */
  liveProvidersOf(dev: SimDevice): ProviderRecord[] {
    return [...this.providers.values()].filter((p) => p.device === dev && p.state !== 'deregistered');
  }

  /** NetDMA's channel parameters for a new channel. */
  channelParameters(completionPa: bigint, completionVa: bigint, mask: number): NET_DMA_CHANNEL_PARAMETERS {
    const rev2 = this.m.options.channelParametersRevision === 2;
    const base = {
      Revision: rev2 ? NET_DMA_CHANNEL_PARAMETERS_REVISION_2 : NET_DMA_CHANNEL_PARAMETERS_REVISION_1,
      Size: rev2 ? 56 : 40,
      Flags: 0,
      CompletionVirtualAddress: completionVa,
      CompletionPhysicalAddress: completionPa,
      ProcessorAffinityMask: mask >>> 0,
      ChannelPriority: 0,
      CpuNumber: -1,
    };
    return rev2 ? { ...base, ProcessorAffinityMaskEx: Object.freeze({ Mask: BigInt(mask >>> 0), Group: 0 }) } : base;
  }

  /** Statuses a handler may document-return. */
  static readonly HANDLER_STATUSES: ReadonlySet<number> = new Set([STATUS_SUCCESS, STATUS_INSUFFICIENT_RESOURCES, STATUS_UNSUCCESSFUL]);
}

/** Checks a handler status against the documented set (KAPI-06). */
export function checkHandlerStatus(m: Pick<KernelContext, 'verifier'>, handler: string, st: unknown): number {
  m.verifier.check('KAPI-06', isNtStatus(st) && NetDmaInterface.HANDLER_STATUSES.has((st as number) >>> 0), () => `${handler} returned ${isNtStatus(st) ? ntStatusName(st) : String(st)}; documented: STATUS_SUCCESS, STATUS_INSUFFICIENT_RESOURCES (STATUS_RESOURCES), STATUS_UNSUCCESSFUL`);
  return (st as number) >>> 0;
}


