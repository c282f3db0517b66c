// Faulty provider: see catalog.ts ('start-before-interrupts').
import { faulty } from './faulty';

export default faulty('start-before-interrupts');
