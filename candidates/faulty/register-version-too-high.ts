// Faulty provider: see catalog.ts ('register-version-too-high').
import { faulty } from './faulty';

export default faulty('register-version-too-high');
