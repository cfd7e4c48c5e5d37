/** One temp folder per test run, removed at the end, so runs leave nothing behind in /tmp. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'macvpn-tests-'));
  process.env.MACVPN_TEST_TMP = dir;
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
