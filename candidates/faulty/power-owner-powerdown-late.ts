// Faulty provider: see catalog.ts ('power-owner-powerdown-late').
import { faulty } from './faulty';

export default faulty('power-owner-powerdown-late');
