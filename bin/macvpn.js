#!/usr/bin/env node
// CommonJS on purpose (bin/package.json): the CLI is one bundle, dist/macvpn.cjs, compiled with
// its V8 code cache so that `macvpn profile` starts fast (scripts/bundle.mjs, DESIGN.md §6).
'use strict';
// `macvpn build` fsyncs thousands of profiles at once on libuv's threadpool (read when the pool
// first starts; the default is 4 threads).
process.env.UV_THREADPOOL_SIZE = process.env.UV_THREADPOOL_SIZE || '16';
const { load } = require('./load.js');

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

// Questions (init --force) only on a terminal; a pipe is never asked. Standard input and error
// are looked at only when a command asks: opening process.stdin loads Node's fs streams and
// fs/promises, about 2 ms of every start (`macvpn profile`, DESIGN.md §6).
const ask = (question) => new Promise((resolve) => {
  const rl = require('node:readline').createInterface({ input: process.stdin, output: process.stderr });
  rl.question(question, (answer) => {
    rl.close();
    resolve(/^y(es)?$/i.test(answer.trim()));
  });
});
const io = {
  stdout: process.stdout,
  get stderr() {
    return process.stderr;
  },
  env: process.env,
  cwd: process.cwd(),
  readStdin,
  get confirm() {
    return process.stdin.isTTY && process.stderr.isTTY ? ask : undefined;
  },
};

const cli = load();
cli.handleInterrupts();
cli.main(process.argv.slice(2), io).then((code) => {
  process.exitCode = code;
});
