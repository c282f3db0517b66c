// Faulty provider: see catalog.ts ('entry-keeps-registry-path').
import { faulty } from './faulty';

export default faulty('entry-keeps-registry-path');
