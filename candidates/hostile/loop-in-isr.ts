// Hostile candidate: an endless loop in the interrupt service routine.
import type { DriverImageLoader } from '../../src/candidate-api';
import { createReferenceDriver } from '../../src/reference/driver';

const load: DriverImageLoader = (k) =>
  createReferenceDriver({
    ...k,
    IoConnectInterruptEx: (p) => {
      if ('MessageBased' in p) {
        p.MessageBased.MessageServiceRoutine = () => {
          for (;;) {
            /* never returns */
          }
        };
      }
      return k.IoConnectInterruptEx(p);
    },
  });
export default load;
