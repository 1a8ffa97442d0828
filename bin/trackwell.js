#!/usr/bin/env node
// Entry point for the `trackwell` command: the bundled CLI lives in dist/.
require('../dist/cli.js');
