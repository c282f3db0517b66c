// Faulty provider: see catalog.ts ('irql-handler-paged-pool').
import { faulty } from './faulty';

export default faulty('irql-handler-paged-pool');
