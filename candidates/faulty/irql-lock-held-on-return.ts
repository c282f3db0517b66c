// Faulty provider: see catalog.ts ('irql-lock-held-on-return').
import { faulty } from './faulty';

export default faulty('irql-lock-held-on-return');
