// Hostile candidate: an endless loop in the PnP dispatch routine (START)
import { onStart } from './wrap';

export default onStart(() => {
  for (;;) {
    /* never returns */
  }
});
