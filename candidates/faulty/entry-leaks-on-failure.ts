// Faulty provider: see catalog.ts ('entry-leaks-on-failure').
import { faulty } from './faulty';

export default faulty('entry-leaks-on-failure');
