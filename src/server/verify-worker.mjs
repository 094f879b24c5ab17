// Worker-thread entry: register tsx's loader (workers do not inherit it), then run the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./verify-worker.ts');
