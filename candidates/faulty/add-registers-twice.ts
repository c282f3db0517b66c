// Faulty provider: see catalog.ts ('add-registers-twice').
import { faulty } from './faulty';

export default faulty('add-registers-twice');
