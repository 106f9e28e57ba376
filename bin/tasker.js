#!/usr/bin/env node
// The `tasker` command. Runs the TypeScript sources through tsx's loader so a
// fresh clone works without a build step.
import { register } from 'tsx/esm/api';
register();
await import('../src/adapters/cli/main.ts');
