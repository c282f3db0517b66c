// Hostile candidate: an endless loop in DriverEntry
import { hostile } from './wrap';

export default hostile(() => () => {
  for (;;) {
    /* never returns */
  }
});
