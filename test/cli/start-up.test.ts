/**
 * DESIGN.md §6: `macvpn profile` starts within 1.5× `node -e 0`. The budget itself is measured by
 * `npm run bench`, never here; these tests keep what it relies on: the hot path does not load what
 * it does not use (checked through the module lists of the real binary, not through timings).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, runBin, tempDir } from '../helpers/cli.js';

let site: string;

beforeAll(async () => {
  site = tempDir();
  expect((await runBin(['init', '--server', 'vpn.example.com', '--dns', '10.0.0.1'], { cwd: site })).code).toBe(0);
  expect((await runBin(['user', 'add', 'alice'], { cwd: site })).code).toBe(0);
});

/** Runs the binary as the bench does (no terminal, no pipes) and lists what it loaded. */
function loaded(args: string[]): { builtins: string[]; files: string[] } {
  const dir = tempDir();
  const out = path.join(dir, 'loaded.json');
  const preload = path.join(dir, 'record.cjs');
  fs.writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({ builtins: process.moduleLoadList, files: Object.keys(require.cache) })));\n`);
  const r = spawnSync(process.execPath, ['-r', preload, BIN, ...args], { cwd: site, stdio: 'ignore', env: { PATH: process.env.PATH ?? '', HOME: site } });
  expect(r.status).toBe(0);
  return JSON.parse(fs.readFileSync(out, 'utf8')) as { builtins: string[]; files: string[] };
}

describe('macvpn profile loads only what it uses', () => {
  it('no child_process, no stdin streams, no plist reader', () => {
    const { builtins, files } = loaded(['profile', 'alice']);
    expect(fs.existsSync(path.join(site, 'profiles/alice.mobileconfig'))).toBe(true);
    // child_process (with net and dgram): only `sync -f` in a big build and commander's executable subcommands.
    expect(builtins).not.toContain('NativeModule child_process');
    expect(builtins).not.toContain('NativeModule net');
    // process.stdin is opened only by a command that reads it (its fs streams and fs/promises).
    expect(builtins).not.toContain('NativeModule internal/fs/streams');
    expect(builtins).not.toContain('NativeModule internal/readline/interface');
    // @xmldom/xmldom reads plists (verify, check) and stays outside the bundle and its code cache.
    expect(files.filter((f) => f.includes(`${path.sep}node_modules${path.sep}`))).toEqual([]);
    expect(files.map((f) => path.basename(f))).toContain('load.js');
  });
  it('verify still reads plists (its reader is loaded when used)', async () => {
    const r = await runBin(['verify', 'profiles/alice.mobileconfig'], { cwd: site });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/signature: valid/);
    expect(loaded(['verify', 'profiles/alice.mobileconfig']).files.some((f) => f.includes('@xmldom'))).toBe(true);
  });
});
