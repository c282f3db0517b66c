// Faulty provider: see catalog.ts ('irp-completion-continues').
import { faulty } from './faulty';

export default faulty('irp-completion-continues');
