#!/usr/bin/env node
'use strict';
// The flotilla CLI; build first (npm run build): the code lives in dist/.
require('../dist/apps/cli/src/main.js').main(process.argv);
