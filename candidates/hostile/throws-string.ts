// Hostile candidate: DriverEntry throws a string, not an Error
import { hostile } from './wrap';

export default hostile(() => () => {
  throw 'no more pool';
});
