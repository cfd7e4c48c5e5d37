/**
 * A checker built on Apple's own schema files (shared/apple-schema/): every key of a profile must
 * be declared for its payload with the declared type, values must be in `rangelist`, and required
 * keys must be present. Reads the XML with the typed reader, so <integer> vs <real> matters.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { readTypedPlist, type TypedValue } from '../../src/apple/read-plist.js';
import { ROOT } from './cli.js';

interface SchemaKey {
  key: string;
  type: string;
  presence?: string;
  rangelist?: unknown[];
  subkeys?: SchemaKey[];
}

/** Apple's schema files, copied from shared/apple-schema/ (see the README there). */
export const SCHEMA_DIR = path.join(ROOT, 'test/fixtures/apple-schema');
const dir = SCHEMA_DIR;
const load = (file: string): SchemaKey[] => parse(fs.readFileSync(path.join(dir, file), 'utf8')).payloadkeys;

const TOP = load('TopLevel.yaml');
const COMMON = load('CommonPayloadKeys.yaml');
const PAYLOADS: Record<string, SchemaKey[]> = {
  'com.apple.vpn.managed': load('com.apple.vpn.managed.yaml'),
  'com.apple.security.pkcs12': load('com.apple.security.pkcs12.yaml'),
  'com.apple.security.root': load('com.apple.security.root.yaml'),
};

const typeName = (v: TypedValue) => `<${v.type}>`;

function checkDict(value: Map<string, TypedValue>, keys: SchemaKey[], where: string, problems: string[]): void {
  for (const [k, v] of value) {
    const spec = keys.find((s) => s.key === k) ?? keys.find((s) => s.key === 'ANY');
    if (!spec) {
      problems.push(`${where}${k}: not in the schema`);
      continue;
    }
    checkValue(v, spec, `${where}${k}`, problems);
  }
  for (const s of keys) if (s.presence === 'required' && s.key !== 'ANY' && !value.has(s.key)) problems.push(`${where}${s.key}: required but missing`);
}

function checkValue(v: TypedValue, spec: SchemaKey, where: string, problems: string[]): void {
  if (spec.type !== '<any>' && spec.type !== typeName(v)) {
    problems.push(`${where}: is ${typeName(v)}, schema says ${spec.type}`);
    return;
  }
  if (spec.rangelist && (v.type === 'string' || v.type === 'integer') && !spec.rangelist.includes(v.value)) {
    problems.push(`${where}: ${JSON.stringify(v.value)} not in ${JSON.stringify(spec.rangelist)}`);
  }
  if (v.type === 'dictionary' && spec.subkeys) checkDict(v.value, spec.subkeys, `${where}.`, problems);
  if (v.type === 'array' && spec.subkeys?.[0]) v.value.forEach((item, i) => checkValue(item, spec.subkeys![0]!, `${where}[${i}]`, problems));
}

/** Every problem found in a profile's XML bytes; [] means it conforms. */
export function schemaProblems(xml: Uint8Array): string[] {
  const problems: string[] = [];
  const root = readTypedPlist(xml);
  if (root.type !== 'dictionary') return ['top level is not a dictionary'];
  const topKeys = TOP.filter((k) => k.key !== 'PayloadContent');
  checkDict(new Map([...root.value].filter(([k]) => k !== 'PayloadContent')), topKeys, '', problems);
  const content = root.value.get('PayloadContent');
  if (!content || content.type !== 'array') return [...problems, 'PayloadContent: missing or not an array'];
  content.value.forEach((p, i) => {
    if (p.type !== 'dictionary') return void problems.push(`PayloadContent[${i}]: not a dictionary`);
    const type = p.value.get('PayloadType');
    const keys = type?.type === 'string' ? PAYLOADS[type.value] : undefined;
    if (!keys) return void problems.push(`PayloadContent[${i}]: no schema for PayloadType ${JSON.stringify(type?.value)}`);
    checkDict(p.value, [...COMMON, ...keys], `PayloadContent[${i}].`, problems);
  });
  return problems;
}
