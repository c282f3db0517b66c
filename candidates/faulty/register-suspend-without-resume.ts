// Faulty provider: see catalog.ts ('register-suspend-without-resume').
import { faulty } from './faulty';

export default faulty('register-suspend-without-resume');
