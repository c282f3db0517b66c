// Faulty provider: see catalog.ts ('register-no-affinity-handler').
import { faulty } from './faulty';

export default faulty('register-no-affinity-handler');
