// Faulty provider: see catalog.ts ('kapi-returns-undefined').
import { faulty } from './faulty';

export default faulty('kapi-returns-undefined');
