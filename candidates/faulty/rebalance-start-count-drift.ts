// Faulty provider: see catalog.ts ('rebalance-start-count-drift') and long-chain.ts.
import { faulty } from './faulty';

export default faulty('rebalance-start-count-drift');
