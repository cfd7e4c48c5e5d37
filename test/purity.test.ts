/**
 * The core is pure (DESIGN.md §4, STYLE.md §2.2): everything under src/ except cli/ and io/ takes
 * data and returns data, with no fs, process, console, clock or randomness, and never reaches
 * into cli/ or io/. Each of those is passed in instead (time, random bytes, file contents).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

const CORE = ['site', 'openbsd', 'apple', 'signing', 'plan', 'vpn', 'delivery'];

const files = CORE.flatMap((dir) =>
  fs.readdirSync(path.join(ROOT, 'src', dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `src/${dir}/${f}`),
);

describe('core purity', () => {
  it('covers every core folder', () => {
    expect(new Set(files.map((f) => f.split('/')[1]))).toEqual(new Set(CORE));
  });
  it.each(files)('%s', (file) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    const imports = [...text.matchAll(/^import [^;]*? from '([^']+)'/gm)].map((m) => m[1]!);
    expect(imports.filter((m) => /^(node:)?(fs|fs\/promises|process|child_process|os|net|tls|worker_threads)$|^nodemailer$/.test(m))).toEqual([]);
    expect(imports.filter((m) => /\/(cli|io)\//.test(m))).toEqual([]);
    expect(code).not.toMatch(/\bprocess\.|\bconsole\.|Date\.now\(|new Date\(\)|randomBytes|randomUUID|Math\.random|generateKeyPair/);
  });
});
