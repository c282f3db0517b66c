import { irqlName } from '../api/irql';
import { isNtStatus, ntStatusName } from '../api/ntstatus';
import type { KernelContext } from './context';
import { probe } from '../verifier/probe';
import { BugCheck, HarnessError } from '../verifier/verifier';

/** What a provider routine must return, per its WDK prototype. */
export type ReturnKind = 'ntstatus' | 'void' | 'boolean' | 'function' | 'any';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object' || typeof value === 'function') {
    if (typeof (value as { then?: unknown }).then === 'function') return 'a Promise';
    return typeof value === 'function' ? 'a function' : 'an object';
  }
  return `${typeof value} ${String(value)}`;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  try {
    return `a non-Error value (${typeof e}: ${String(e)})`;
  } catch {
    return 'a non-Error value';
  }
}

/** The trace line of a routine's return. */
function returnText(routine: string, returns: ReturnKind, result: unknown): string {
  const shown = returns === 'ntstatus' && isNtStatus(result) ? ntStatusName(result) : returns === 'void' ? '' : describe(result);
  return `${routine} returned${shown ? ' ' + shown : ''}`;
}

/**
 * Calls into candidate code the way the system calls a driver routine: on a given processor at a
 * given IRQL, with the result type, the IRQL on return and the spin locks checked. A throw is a
 * KAPI-04 violation (a kernel-mode exception bug-checks the machine).
 */
export function callProvider(
  m: Pick<KernelContext, 'cpus' | 'trace' | 'verifier' | 'harnessError' | 'assertAlive'>,
  routine: string,
  at: { cpu: number; irql: number },
  returns: ReturnKind,
  fn: () => unknown,
): unknown {
  m.assertAlive();
  const ctx = m.cpus.push(at.cpu, at.irql, routine);
  m.trace.add('handler', routine);
  probe()?.enter(routine);
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    m.cpus.pop(ctx);
    probe()?.leave();
    if (e instanceof BugCheck || e instanceof HarnessError) throw e;
    if (m.harnessError) throw m.harnessError;
    if (m.verifier.firstViolation) throw new BugCheck(m.verifier.firstViolation);
    return m.verifier.fail('KAPI-04', `${routine} threw ${errorText(e)}`);
  }
  m.verifier.exercised('KAPI-04');
  try {
    // A candidate that swallowed a BugCheck has not escaped it.
    m.assertAlive();
    if (result !== null && (typeof result === 'object' || typeof result === 'function') && typeof (result as { then?: unknown }).then === 'function') {
      // Swallow the rejection the candidate may produce later; the verdict is already taken.
      (result as Promise<unknown>).then(undefined, () => undefined);
      m.verifier.fail('KAPI-03', `${routine} returned a Promise; the WDK defines it as a synchronous routine`);
    }
    const ok =
      returns === 'any' ||
      (returns === 'ntstatus' && isNtStatus(result)) ||
      (returns === 'void' && result === undefined) ||
      (returns === 'boolean' && typeof result === 'boolean') ||
      (returns === 'function' && typeof result === 'function');
    m.verifier.check('KAPI-03', ok, () => {
      const want = { ntstatus: 'an NTSTATUS', void: 'nothing (VOID)', boolean: 'a BOOLEAN', function: 'a function', any: 'anything' }[returns];
      return `${routine} returned ${describe(result)}; its prototype returns ${want}`;
    });
    m.verifier.check('KE-IRQL-04', ctx.heldCount === 0, () => `${routine} returned holding ${ctx.heldCount} spin lock(s)`);
    m.verifier.check(
      'KE-IRQL-04',
      ctx.irql === at.irql,
      () => `${routine} was entered at ${irqlName(at.irql)} and returned at ${irqlName(ctx.irql)}`,
    );
  } finally {
    m.cpus.pop(ctx);
    probe()?.leave();
  }
  // Describing an object reads its `then`, which may run the candidate's code: that is done now, a primitive later.
  const primitive = result === null || (typeof result !== 'object' && typeof result !== 'function');
  m.trace.add('return', primitive ? () => returnText(routine, returns, result) : returnText(routine, returns, result));
  return returns === 'ntstatus' ? (result as number) >>> 0 : result;
}
