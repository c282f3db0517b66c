// Faulty provider: see catalog.ts ('svc-timer-not-cancelled-at-remove').
import { faulty } from './faulty';

export default faulty('svc-timer-not-cancelled-at-remove');
