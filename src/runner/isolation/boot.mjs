// Worker bootstrap: Node 20 workers do not inherit the parent's module hooks, so register tsx here
// before loading the TypeScript worker (and with it, TypeScript candidates).
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
