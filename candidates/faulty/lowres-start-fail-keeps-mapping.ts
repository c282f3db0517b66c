// Faulty provider: see catalog.ts ('lowres-start-fail-keeps-mapping').
import { faulty } from './faulty';

export default faulty('lowres-start-fail-keeps-mapping');
