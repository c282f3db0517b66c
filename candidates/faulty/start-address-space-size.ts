// Faulty provider: see catalog.ts ('start-address-space-size').
import { faulty } from './faulty';

export default faulty('start-address-space-size');
