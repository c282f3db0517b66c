// Faulty provider: see catalog.ts ('hold-after-cancel-stop').
import { faulty } from './faulty';

export default faulty('hold-after-cancel-stop');
