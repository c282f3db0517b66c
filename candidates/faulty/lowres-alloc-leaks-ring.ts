// Faulty provider: see catalog.ts ('lowres-alloc-leaks-ring').
import { faulty } from './faulty';

export default faulty('lowres-alloc-leaks-ring');
