// Faulty provider: see catalog.ts ('cancel-remove-fails').
import { faulty } from './faulty';

export default faulty('cancel-remove-fails');
