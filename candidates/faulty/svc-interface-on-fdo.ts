// Faulty provider: see catalog.ts ('svc-interface-on-fdo').
import { faulty } from './faulty';

export default faulty('svc-interface-on-fdo');
