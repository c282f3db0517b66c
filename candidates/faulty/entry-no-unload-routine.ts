// Faulty provider: see catalog.ts ('entry-no-unload-routine').
import { faulty } from './faulty';

export default faulty('entry-no-unload-routine');
