// Faulty provider: see catalog.ts ('start-provider-twice').
import { faulty } from './faulty';

export default faulty('start-provider-twice');
