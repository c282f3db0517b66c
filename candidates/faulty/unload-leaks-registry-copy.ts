// Faulty provider: see catalog.ts ('unload-leaks-registry-copy').
import { faulty } from './faulty';

export default faulty('unload-leaks-registry-copy');
