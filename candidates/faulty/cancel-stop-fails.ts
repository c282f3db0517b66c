// Faulty provider: see catalog.ts ('cancel-stop-fails').
import { faulty } from './faulty';

export default faulty('cancel-stop-fails');
