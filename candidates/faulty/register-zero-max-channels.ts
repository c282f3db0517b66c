// Faulty provider: see catalog.ts ('register-zero-max-channels').
import { faulty } from './faulty';

export default faulty('register-zero-max-channels');
