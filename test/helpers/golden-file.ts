/**
 * A byte golden file under test/golden: written first when UPDATE_GOLDEN=1 (review the diff like
 * code), then read back for the comparison.
 */
import fs from 'node:fs';
import path from 'node:path';

export function golden(dir: string, name: string, bytes: Buffer): Buffer {
  const file = path.join(dir, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, bytes);
  }
  return fs.readFileSync(file);
}
