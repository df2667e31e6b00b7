#!/usr/bin/env node
// Runs the built CLI (npm run build writes dist/).
import('../dist/cli.js');
