#!/usr/bin/env node
// `zkid` command: registers tsx's loader so the TypeScript sources run as they are, then starts the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
