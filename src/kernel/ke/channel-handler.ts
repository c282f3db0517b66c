/**
 * KE-IRQL-06, shared by every service that blocks, needs PASSIVE_LEVEL or touches paged memory.
 *
 * @module
 */
import { irqlName } from '../api/irql';
import type { KernelContext } from './context';

/**
 * KE-IRQL-06: `api` is not called from a NetDMA channel handler, which NetDMA may call at
 * DISPATCH_LEVEL: judged whatever IRQL this particular call came at. `what` says what `api` is
 * (blocking, PASSIVE_LEVEL-only, paged memory).
 */
export function notFromChannelHandler(m: Pick<KernelContext, 'cpus' | 'verifier' | 'inChannelHandler'>, api: string, what: string): void {
  if (m.inChannelHandler()) {
    m.verifier.fail('KE-IRQL-06', `${api} called from ${m.cpus.current.routine} (at ${irqlName(m.cpus.current.irql)}): ${what}, and NetDMA may call its channel handlers at DISPATCH_LEVEL`);
  }
}
