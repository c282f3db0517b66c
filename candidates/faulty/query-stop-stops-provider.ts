// Faulty provider: see catalog.ts ('query-stop-stops-provider').
import { faulty } from './faulty';

export default faulty('query-stop-stops-provider');
