// Faulty provider: see catalog.ts ('surprise-forgets-deregister').
import { faulty } from './faulty';

export default faulty('surprise-forgets-deregister');
