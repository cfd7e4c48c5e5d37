// Loads the bundled CLI, dist/macvpn.cjs, with its V8 code cache (scripts/bundle.mjs). Shared by
// bin/macvpn.js and the worker threads of `macvpn build`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

exports.BUNDLE = path.join(__dirname, '..', 'dist', 'macvpn.cjs');

exports.load = function load() {
  const file = exports.BUNDLE;
  let source;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch {
    process.stderr.write('macvpn: error: dist/macvpn.cjs is missing\nmacvpn: hint: run "npm run build" (npm ci does it for you)\n');
    process.exit(1);
  }
  let cachedData;
  try {
    cachedData = fs.readFileSync(file + '.cache');
  } catch {
    // no cache: compile normally
  }
  // The bundle is already the module wrapper function (scripts/bundle.mjs).
  const script = new vm.Script(source, { filename: file, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  return mod.exports;
};
