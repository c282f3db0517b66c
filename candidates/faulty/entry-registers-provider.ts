// Faulty provider: see catalog.ts ('entry-registers-provider').
import { faulty } from './faulty';

export default faulty('entry-registers-provider');
