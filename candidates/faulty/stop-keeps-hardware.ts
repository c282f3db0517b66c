// Faulty provider: see catalog.ts ('stop-keeps-hardware').
import { faulty } from './faulty';

export default faulty('stop-keeps-hardware');
