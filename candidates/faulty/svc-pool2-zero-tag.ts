// Faulty provider: see catalog.ts ('svc-pool2-zero-tag').
import { faulty } from './faulty';

export default faulty('svc-pool2-zero-tag');
