// Faulty provider: see catalog.ts ('irql-wait-at-dispatch').
import { faulty } from './faulty';

export default faulty('irql-wait-at-dispatch');
