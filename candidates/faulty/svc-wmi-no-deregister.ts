// Faulty provider: see catalog.ts ('svc-wmi-no-deregister').
import { faulty } from './faulty';

export default faulty('svc-wmi-no-deregister');
