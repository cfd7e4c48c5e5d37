#!/usr/bin/env node
// CommonJS on purpose (bin/package.json): the CLI is one bundle, dist/macvpn.cjs, compiled with
// its V8 code cache so that `macvpn profile` starts fast (scripts/bundle.mjs, DESIGN.md §6).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

function load() {
  const file = path.join(__dirname, '..', 'dist', 'macvpn.cjs');
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
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  return mod.exports;
}

// `macvpn user list | head -1`: a closed pipe ends the command quietly, as it does for cat.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

const readStdin = async () => {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
};

load()
  .main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), readStdin })
  .then((code) => {
    process.exitCode = code;
  });
