#!/usr/bin/env node
// Entry point of the `kubernaut` command: runs the TypeScript sources through tsx,
// so `npx kubernaut ...` works right after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
