// Faulty provider: see catalog.ts ('register-affinity-not-supported').
import { faulty } from './faulty';

export default faulty('register-affinity-not-supported');
