// Faulty provider: see catalog.ts ('register-no-friendly-name').
import { faulty } from './faulty';

export default faulty('register-no-friendly-name');
