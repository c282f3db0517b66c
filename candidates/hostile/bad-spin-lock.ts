// Hostile candidate: passes NULL to KeAcquireSpinLock
import { onStart } from './wrap';
import type { KSPIN_LOCK } from '../../src/candidate-api';

export default onStart((k) => {
  k.KeAcquireSpinLock(null as unknown as KSPIN_LOCK);
  return undefined;
});
