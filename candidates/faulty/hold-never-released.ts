// Faulty provider: see catalog.ts ('hold-never-released').
import { faulty } from './faulty';

export default faulty('hold-never-released');
