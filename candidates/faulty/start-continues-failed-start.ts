// Faulty provider: see catalog.ts ('start-continues-failed-start').
import { faulty } from './faulty';

export default faulty('start-continues-failed-start');
