// Faulty provider: see catalog.ts ('stop-no-provider-stop').
import { faulty } from './faulty';

export default faulty('stop-no-provider-stop');
