// Faulty provider: see catalog.ts ('lowres-start-ignores-hardware').
import { faulty } from './faulty';

export default faulty('lowres-start-ignores-hardware');
