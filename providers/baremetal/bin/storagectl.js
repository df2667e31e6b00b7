#!/usr/bin/env node
// storagectl: checks a MachineInventory storage declaration and renders its patch (see README).
import '../dist/storagectl.js';
