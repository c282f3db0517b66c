// Faulty provider: see catalog.ts ('restart-keeps-old-resources').
import { faulty } from './faulty';

export default faulty('restart-keeps-old-resources');
