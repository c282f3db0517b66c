// Faulty provider: see catalog.ts ('start-before-lower').
import { faulty } from './faulty';

export default faulty('start-before-lower');
