// Faulty provider: see catalog.ts ('completion-no-mark').
import { faulty } from './faulty';

export default faulty('completion-no-mark');
