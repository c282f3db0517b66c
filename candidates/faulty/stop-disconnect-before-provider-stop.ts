// Faulty provider: see catalog.ts ('stop-disconnect-before-provider-stop').
import { faulty } from './faulty';

export default faulty('stop-disconnect-before-provider-stop');
