// Faulty provider: see catalog.ts ('paging-keeps-pagable').
import { faulty } from './faulty';

export default faulty('paging-keeps-pagable');
