// Hostile candidate: an endless loop in ProviderAllocateDmaChannel (NetDMA calls it after NetDmaProviderStart)
import type { NET_DMA_PROVIDER_CHARACTERISTICS } from '../../src/candidate-api';
import { createReferenceDriver } from '../../src/reference/driver';
import type { DriverImageLoader } from '../../src/candidate-api';

const load: DriverImageLoader = (k) =>
  createReferenceDriver({
    ...k,
    NetDmaRegisterProvider: (ctx, out, chars: NET_DMA_PROVIDER_CHARACTERISTICS) =>
      k.NetDmaRegisterProvider(ctx, out, {
        ...chars,
        AllocateDmaChannel: () => {
          for (;;) {
            /* never returns */
          }
        },
      }),
  });
export default load;
