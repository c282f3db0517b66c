// Faulty provider: see catalog.ts ('lowres-start-keeps-bus-interface').
import { faulty } from './faulty';

export default faulty('lowres-start-keeps-bus-interface');
