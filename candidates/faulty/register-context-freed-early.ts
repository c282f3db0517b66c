// Faulty provider: see catalog.ts ('register-context-freed-early').
import { faulty } from './faulty';

export default faulty('register-context-freed-early');
