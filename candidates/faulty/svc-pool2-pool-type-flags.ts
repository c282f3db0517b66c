// Faulty provider: see catalog.ts ('svc-pool2-pool-type-flags').
import { faulty } from './faulty';

export default faulty('svc-pool2-pool-type-flags');
