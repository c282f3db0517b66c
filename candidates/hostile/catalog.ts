import type { RuleId } from '../../spec';

/** A hostile or broken candidate and what the CLI must make of it. */
export interface HostileEntry {
  /** File name under candidates/hostile/ (without .ts). */
  readonly name: string;
  /** Exit code: 1 (nonconformant: a rule names the misbehaviour) or 2 (the candidate does not load). */
  readonly exit: 1 | 2;
  /** For exit 1: the rule that must fail. */
  readonly rule?: RuleId;
  /** A person-readable reason the CLI must print (regular expression source). */
  readonly reason: string;
  /**
   * The watchdog the test gives it (default 1500 ms). A candidate that must be ended by the heap
   * limit gets a long one, so that a loaded machine's slow garbage collection cannot let the
   * watchdog (KAPI-05) fire first.
   */
  readonly watchdogMs?: number;
}

/** The corpus: none of these may crash the CLI, hang it, or be reported conformant. */
export const HOSTILE: readonly HostileEntry[] = [
  { name: 'loop-in-driver-entry', exit: 1, rule: 'KAPI-05', reason: 'DriverEntry did not return within' },
  { name: 'loop-in-add-device', exit: 1, rule: 'KAPI-05', reason: 'AddDevice\\(PDO#1\\) did not return within' },
  { name: 'loop-in-dispatch', exit: 1, rule: 'KAPI-05', reason: 'DispatchRoutine\\[IRP_MJ_PNP\\].*did not return within' },
  { name: 'loop-in-handler', exit: 1, rule: 'KAPI-05', reason: 'ProviderAllocateDmaChannel.*did not return within' },
  { name: 'loop-in-isr', exit: 1, rule: 'KAPI-05', reason: 'ISR\\(PDO#1, message \\d+\\) did not return within' },
  { name: 'loop-in-dpc', exit: 1, rule: 'KAPI-05', reason: 'DeferredRoutine\\(DPC#\\d+\\) did not return within' },
  { name: 'loop-in-unload', exit: 1, rule: 'KAPI-05', reason: 'DriverUnload did not return within' },
  { name: 'loop-at-load', exit: 2, reason: 'did not finish loading within' },
  { name: 'throws-string', exit: 1, rule: 'KAPI-04', reason: 'DriverEntry threw a non-Error value \\(string: no more pool\\)' },
  { name: 'returns-string', exit: 1, rule: 'KAPI-03', reason: 'DriverEntry returned string 0; its prototype returns an NTSTATUS' },
  { name: 'returns-promise', exit: 1, rule: 'KAPI-03', reason: 'returned a Promise' },
  { name: 'deletes-pdo', exit: 1, rule: 'KAPI-01', reason: 'IoDeleteDevice\\(PDO#1\\) of a device the driver did not create' },
  { name: 'patches-object-prototype', exit: 1, rule: 'KAPI-07', reason: 'changed shared runtime objects: Object.prototype.owned \\(added\\)' },
  { name: 'patches-array-push', exit: 1, rule: 'KAPI-07', reason: 'changed shared runtime objects: Array.prototype.push' },
  { name: 'patches-math-random-date-now', exit: 1, rule: 'KAPI-07', reason: 'Math.random.*Date.now|Date.now.*Math.random' },
  { name: 'patches-typed-array-set', exit: 1, rule: 'KAPI-07', reason: 'Uint8Array.prototype.set' },
  { name: 'patches-json', exit: 1, rule: 'KAPI-07', reason: 'JSON.stringify' },
  { name: 'calls-process-exit', exit: 1, rule: 'KAPI-04', reason: 'process.exit\\(0\\) was called; a driver cannot end the system' },
  { name: 'unbounded-allocation', exit: 1, rule: 'KAPI-08', reason: 'exhausted its .* heap', watchdogMs: 40_000 },
  { name: 'bad-spin-lock', exit: 1, rule: 'KAPI-01', reason: 'KeAcquireSpinLock on a spin lock that KeInitializeSpinLock never initialised' },
];
