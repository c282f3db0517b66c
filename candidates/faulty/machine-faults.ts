/**
 * The faulty providers of the machine drawn per run (issue 13): the reference with a bug that only
 * a machine other than 4 channels, MSI-X and memory below 4 GiB shows. The bugs sit where the
 * reference meets its register and interrupt services, so the reference's own code (and the blind
 * corpus's patches of it) stays as it is: each provider is the reference handed kernel services
 * that do what the buggy C code would have done at that call.
 *
 * - `machine-chancmp-ulong`: CHANCMP written with WRITE_REGISTER_ULONG (the low dword of the
 *   completion address only; the high dword keeps what it held), as code written for memory below
 *   4 GiB does.
 * - `machine-chainaddr-ulong`: CHAINADDR written with WRITE_REGISTER_ULONG (the descriptor pool was
 *   assumed to be below 4 GiB): the engine fetches from the low dword plus whatever the high dword held.
 * - `machine-isr-four-channels`: an ISR dispatch table of 4 entries ("the engine has 4 channels"):
 *   MSI-X messages 4 and up are not claimed, and a shared interrupt's ATTNSTATUS is masked with 0xF.
 *
 * @module
 */
import {
  CHANNEL_REGISTERS,
  CONNECT_MESSAGE_BASED,
  GENERAL_REGISTERS,
  REGISTER_BLOCK_SIZE,
  type DriverImageLoader,
  type IO_CONNECT_INTERRUPT_PARAMETERS,
  type KernelServices,
  type KMESSAGE_SERVICE_ROUTINE,
} from '../../src/candidate-api';
import { createReferenceDriver } from '../../src/reference/driver';
import type { Mutation } from '../../src/reference/mutations';

/** The mutations this module switches on. */
export const MACHINE_MUTATIONS: ReadonlySet<Mutation> = new Set<Mutation>(['machine-chancmp-ulong', 'machine-chainaddr-ulong', 'machine-isr-four-channels']);

/** The reference with `set`'s machine bugs on (its other mutations passed to the reference as usual). */
export function machineFaulty(set: ReadonlySet<Mutation>): DriverImageLoader {
  const rest = new Set([...set].filter((x) => !MACHINE_MUTATIONS.has(x)));
  return (k) => createReferenceDriver(withMachineBugs(k, set), rest);
}

/** `k` with the services the buggy code would have called instead. */
function withMachineBugs(k: KernelServices, set: ReadonlySet<Mutation>): KernelServices {
  /** The register mappings the driver made (MmMapIoSpace), to tell which register an address is. */
  const bars: bigint[] = [];
  const offsetOf = (reg: bigint): number | undefined => {
    for (const b of bars) if (reg >= b && reg < b + 0x1_0000n) return Number(reg - b);
    return undefined;
  };
  const isChannelRegister = (reg: bigint, name: keyof typeof CHANNEL_REGISTERS): boolean => {
    const off = offsetOf(reg);
    return off !== undefined && off >= REGISTER_BLOCK_SIZE && off % REGISTER_BLOCK_SIZE === CHANNEL_REGISTERS[name].offset;
  };
  const out: KernelServices = {
    ...k,
    MmMapIoSpace: (pa, n, cache) => {
      const va = k.MmMapIoSpace(pa, n, cache);
      if (va !== null) bars.push(va);
      return va;
    },
  };
  if (set.has('machine-chancmp-ulong') || set.has('machine-chainaddr-ulong')) {
    const truncated = (reg: bigint): boolean =>
      (set.has('machine-chancmp-ulong') && isChannelRegister(reg, 'CHANCMP')) || (set.has('machine-chainaddr-ulong') && isChannelRegister(reg, 'CHAINADDR'));
    out.WRITE_REGISTER_ULONG64 = (reg, value) => (truncated(reg) ? k.WRITE_REGISTER_ULONG(reg, Number(value & 0xffff_ffffn)) : k.WRITE_REGISTER_ULONG64(reg, value));
  }
  if (set.has('machine-isr-four-channels')) {
    out.READ_REGISTER_ULONG = (reg) => {
      const v = k.READ_REGISTER_ULONG(reg);
      return offsetOf(reg) === GENERAL_REGISTERS.ATTNSTATUS.offset ? v & 0xf : v;
    };
    out.IoConnectInterruptEx = (p: IO_CONNECT_INTERRUPT_PARAMETERS) => {
      if (p.Version === CONNECT_MESSAGE_BASED && 'MessageBased' in p) {
        const isr: KMESSAGE_SERVICE_ROUTINE = p.MessageBased.MessageServiceRoutine;
        const table: KMESSAGE_SERVICE_ROUTINE = (i, c, message) => (message < 4 ? isr(i, c, message) : false);
        const q: IO_CONNECT_INTERRUPT_PARAMETERS = { ...p, MessageBased: { ...p.MessageBased, MessageServiceRoutine: table } };
        const st = k.IoConnectInterruptEx(q);
        p.Version = q.Version; // the line-interrupt fallback rewrites it (F46)
        return st;
      }
      return k.IoConnectInterruptEx(p);
    };
  }
  return out;
}
