// Faulty provider: see catalog.ts ('svc-interface-link-freed-first').
import { faulty } from './faulty';

export default faulty('svc-interface-link-freed-first');
