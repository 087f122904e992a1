#!/usr/bin/env node
// The `gatehouse` command. Gatehouse runs its TypeScript sources directly
// through tsx's loader, so there is no build step to forget on the edge box.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
