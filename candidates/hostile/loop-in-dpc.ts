// Hostile candidate: an endless loop in the channel DPC.
import type { DriverImageLoader } from '../../src/candidate-api';
import { createReferenceDriver } from '../../src/reference/driver';

const load: DriverImageLoader = (k) =>
  createReferenceDriver({
    ...k,
    KeInitializeDpc: (dpc, _routine, context) =>
      k.KeInitializeDpc(
        dpc,
        () => {
          for (;;) {
            /* never returns */
          }
        },
        context,
      ),
  });
export default load;
