// Faulty provider: see catalog.ts ('power-no-notify').
import { faulty } from './faulty';

export default faulty('power-no-notify');
