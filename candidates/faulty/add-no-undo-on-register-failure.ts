// Faulty provider: see catalog.ts ('add-no-undo-on-register-failure').
import { faulty } from './faulty';

export default faulty('add-no-undo-on-register-failure');
