/**
 * macvpn.yaml text → validated Settings. Every problem is collected with its field path and
 * line, so a hand edit that breaks the file is reported precisely and all at once.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from 'yaml';
import type { Compat, Pool, Problem, Settings, User } from './types.js';
import { formatIpv4, lastAddress, parseIpv4 } from './ipv4.js';
import {
  checkDnsInPool, checkDnsServer, checkEmail, checkIdentifier, checkLabel, checkListen, checkOpenbsd, checkServer,
  checkServerPlacement, checkUserName, defaultIdentifier, parsePool,
} from './rules.js';
import { compareOpenbsd, NEWEST_OPENBSD } from '../openbsd/versions.js';
import { DEFAULT_VPN, VPN_IDS, VPN_TYPES, vpnSettingsKeys } from '../vpn/index.js';
import { splitUsers, type RawUser } from './users-fast.js';
import { readHead } from './settings-fast.js';

/** The shared keys; each VPN type may add one block of its own (src/vpn/<type>/). */
export const SETTINGS_KEYS = ['server', 'listen', 'openbsd', 'pool', 'dns', 'organization', 'identifier', 'compat', 'vpn', 'users'] as const;
const USER_KEYS = ['name', 'ip', 'email', 'disabled'] as const;
/** The user keys whose value is text (`disabled` is a boolean). */
const TEXT_KEYS = ['name', 'ip', 'email'] as const;

export const DEFAULT_POOL = '10.0.0.0/24';

export type ParseResult = { ok: true; settings: Settings } | { ok: false; problems: Problem[] };

export function parseSite(text: string): ParseResult {
  // The users list in its usual one-line-per-user shape is read without yaml's document model
  // (src/site/users-fast.ts); the rest of the file, a few dozen lines, always goes through yaml.
  const fast = splitUsers(text);
  if (fast) {
    const result = parseSiteText(fast.head, fast.users);
    if (result !== undefined) return result;
  }
  return parseSiteText(text, undefined)!;
}

/** parseSite through `yaml` alone, without the fast users path (to compare the two in tests). */
export const parseSiteWithYaml = (text: string): ParseResult => parseSiteText(text, undefined)!;

/** undefined: the fast split did not hold (the head is not a document of its own); parse it whole. */
function parseSiteText(text: string, fastUsers: RawUser[] | undefined): ParseResult | undefined {
  // With the fast users path, the settings before the list may be read without yaml too
  // (src/site/settings-fast.ts); the nodes are the ones yaml would make.
  const head = fastUsers ? readHead(text) : undefined;
  const lines = head?.lines ?? new LineCounter();
  const doc = head ? { errors: [], contents: head.root } : parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, keepSourceTokens: false });
  if (fastUsers && (doc.errors.length > 0 || !isMap(doc.contents) || doc.contents.items.some((p) => isScalar(p.key) && p.key.value === 'users'))) return undefined;
  const problems: Problem[] = [];
  const lineOf = (node: Node | null | undefined | unknown): number | undefined => {
    if (typeof node === 'number') return node;
    const range = (node as Node | undefined)?.range;
    return range ? lines.linePos(range[0]).line : undefined;
  };
  const report = (path: string, message: string, node?: unknown) => problems.push({ path, message, line: lineOf(node) });

  if (doc.errors.length > 0) {
    // The first syntax error only: the ones after it mostly follow from it (a tab indent is several).
    const e = doc.errors[0]!;
    problems.push({ path: '', message: `syntax error: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, line: lines.linePos(e.pos[0]).line });
    return { ok: false, problems };
  }
  const root = doc.contents;
  if (!isMap(root)) {
    report('', 'must be a mapping of settings (server, users, …)', root);
    return { ok: false, problems };
  }

  const fields = new Map<string, Pair<unknown, unknown>>();
  const known = [...SETTINGS_KEYS, ...vpnSettingsKeys()];
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined || !known.includes(key)) {
      report(key ?? '', `unknown key${key === undefined ? '' : ` "${key}"`} (known: ${known.join(', ')})`, pair.key);
      continue;
    }
    fields.set(key, pair);
  }

  /** A scalar field as text; `source` keeps `6.0` as written instead of the number 6. */
  const text_ = (key: string, required: boolean): string | undefined => {
    const pair = fields.get(key);
    const node = pair?.value;
    if (pair === undefined || node === null || (isScalar(node) && node.value === null)) {
      if (required) report(key, 'is missing', pair?.key ?? root);
      return undefined;
    }
    if (!isScalar(node) || typeof node.value === 'boolean' || typeof node.value === 'object') {
      report(key, 'must be a single value', node);
      return undefined;
    }
    return typeof node.value === 'number' ? (node.source ?? String(node.value)) : String(node.value);
  };
  const check = (key: string, value: string | undefined, rule: (v: string) => string | undefined) => {
    const msg = value === undefined ? undefined : rule(value);
    if (msg) report(key, msg, fields.get(key)?.value);
    return msg === undefined;
  };

  const server = text_('server', true);
  const serverOk = server !== undefined && check('server', server, checkServer);
  const listen = text_('listen', false) ?? 'egress';
  const listenOk = check('listen', listen, checkListen);
  const openbsd = text_('openbsd', false) ?? NEWEST_OPENBSD;
  check('openbsd', openbsd, checkOpenbsd);
  const poolResult = parsePool(text_('pool', false) ?? DEFAULT_POOL);
  if (typeof poolResult === 'string') report('pool', poolResult, fields.get('pool')?.value);
  const pool = typeof poolResult === 'string' ? undefined : poolResult;
  // A default derived from a bad server would only repeat the server's problem under another name.
  const organization = text_('organization', false) ?? (server ? `VPN ${server}` : 'VPN');
  if (fields.has('organization')) check('organization', organization, checkLabel);
  else if (serverOk && checkLabel(organization)) report('server', 'is too long for the default organization name "VPN <server>" (at most 200 characters): add organization: NAME', fields.get('server')?.value);
  const identifier = text_('identifier', false) ?? (server ? defaultIdentifier(server) : 'local.macvpn');
  if (fields.has('identifier') || serverOk) check('identifier', identifier, checkIdentifier);
  if (pool && serverOk && listenOk) {
    for (const p of checkServerPlacement(server, listen, pool)) report(p.field, p.message, fields.get(p.field)?.value ?? fields.get('server')?.value);
  }
  const compat = text_('compat', false) ?? 'modern';
  if (compat !== 'modern' && compat !== 'legacy') report('compat', `${JSON.stringify(compat)} is not "modern" or "legacy"`, fields.get('compat')?.value);

  const vpn = text_('vpn', false) ?? DEFAULT_VPN;
  const type = VPN_TYPES[vpn];
  if (!type) report('vpn', `${JSON.stringify(vpn)} is not ${VPN_IDS.map((id) => JSON.stringify(id)).join(' or ')}`, fields.get('vpn')?.value);
  // The type reads its own block; a block of another type is left alone (kept for switching back).
  const blockNode = type?.settingsKey ? fields.get(type.settingsKey)?.value : undefined;
  const block = blockNode === undefined || blockNode === null ? undefined : (blockNode as Node).toJSON();
  const vpnSettings = type ? type.parseSettings(block, (path, message) => report(`${type.settingsKey}.${path}`, message, blockNode)) : {};

  const dns = readDns(fields.get('dns')?.value, pool, report);
  const raw = fastUsers ?? readUsers(fields.get('users')?.value, report, lineOf);
  const users = checkUsers(raw, pool, report);

  if (problems.length > 0 || server === undefined || pool === undefined || !type) return { ok: false, problems };
  const settings: Settings = { server, listen, openbsd, pool, dns, organization, identifier, compat: compat as Compat, vpn, vpnSettings, users };
  users.forEach((u, i) => {
    const msg = type.checkUserName(settings, u.name);
    if (msg) report(`users[${i}].name`, `${JSON.stringify(u.name)} ${msg}`, raw[i]!.line);
  });
  if (problems.length > 0) return { ok: false, problems };
  const typeProblems = type.checkSettings(settings);
  // The first release the type works on, named in the error.
  const min = type.minOpenbsd(settings);
  if (min && compareOpenbsd(openbsd, min.version) < 0) typeProblems.push({ path: 'openbsd', message: `${openbsd} is too old for ${type.label}: it needs OpenBSD ${min.version} or later (${min.why})` });
  if (typeProblems.length > 0) return { ok: false, problems: typeProblems.map((p) => ({ ...p, line: p.line ?? lineOf(fields.get(p.path.split('.')[0]!)?.value) })) };
  return { ok: true, settings };
}

type Report = (path: string, message: string, node?: unknown) => void;

function readDns(node: unknown, pool: Pool | undefined, report: Report): string[] {
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) {
    report('dns', 'must be a list of IPv4 addresses', node);
    return [];
  }
  const out: string[] = [];
  node.items.forEach((item, i) => {
    const value = isScalar(item) && typeof item.value === 'string' ? item.value : undefined;
    const msg = value === undefined ? 'must be an IPv4 address' : (checkDnsServer(value) ?? (pool && checkDnsInPool(value, pool)));
    if (msg) report(`dns[${i}]`, msg, item);
    else if (out.includes(value!)) report(`dns[${i}]`, `${value} is listed twice`, item);
    else out.push(value!);
  });
  if (out.length > 2) report('dns', `lists ${out.length} servers (npppd hands out at most 2)`, node);
  return out;
}

/** Addresses a user may hold: inside the pool, not network, broadcast or npppd's own (first) address. */
export function checkUserIp(value: string, pool: Pool): string | undefined {
  const ip = parseIpv4(value);
  if (ip === undefined) return `${JSON.stringify(value)} is not an IPv4 address`;
  const first = pool.network + 2;
  const last = lastAddress(pool.network, pool.prefix) - 1;
  if (ip === pool.network + 1) return `${value} is the server's own address in the pool ${pool.cidr}`;
  if (ip < first || ip > last) return `${value} is outside the pool ${pool.cidr} (usable ${formatIpv4(first)}-${formatIpv4(last)})`;
  return undefined;
}

/** The users list's items as written (undefined where an item is no mapping), problems of shape reported. */
function readUsers(node: unknown, report: Report, lineOf: (n: unknown) => number | undefined): Array<RawUser | undefined> {
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) {
    report('users', 'must be a list of {name, ip, email}', node);
    return [];
  }
  return node.items.map((item, i) => {
    const at = `users[${i}]`;
    if (!isMap(item)) {
      report(at, 'must be a mapping like {name: alice}', item);
      return undefined;
    }
    for (const p of item.items) {
      const k = isScalar(p.key) ? String(p.key.value) : '';
      if (!(USER_KEYS as readonly string[]).includes(k)) report(`${at}.${k}`, `unknown key (known: ${USER_KEYS.join(', ')})`, p.key);
    }
    const fields: RawUser['fields'] = [];
    const missing: RawUser['missing'] = {};
    for (const key of TEXT_KEYS) {
      const pair = item.items.find((p) => isScalar(p.key) && p.key.value === key);
      const v = pair?.value;
      if (v === undefined || v === null || (isScalar(v) && v.value === null)) {
        if (pair) missing[key] = lineOf(pair.key);
        continue;
      }
      if (!isScalar(v) || typeof v.value === 'object' || typeof v.value === 'boolean') {
        report(`${at}.${key}`, 'must be a single value', v);
        missing[key] = lineOf(v);
        continue;
      }
      fields.push({ key, value: typeof v.value === 'number' ? (v.source ?? String(v.value)) : String(v.value), line: lineOf(v) });
    }
    const disabledPair = item.items.find((p) => isScalar(p.key) && p.key.value === 'disabled');
    const disabledNode = disabledPair?.value;
    const disabledValue = isScalar(disabledNode) ? disabledNode.value : disabledNode;
    if (disabledPair !== undefined && disabledValue !== null && typeof disabledValue !== 'boolean') report(`${at}.disabled`, 'must be true or false', disabledNode);
    return { line: lineOf(item)!, fields, missing, ...(disabledValue === true && { disabled: true }) };
  });
}

/** Validates the users as written: names, duplicates ignoring case, addresses in the pool, emails. */
function checkUsers(raw: ReadonlyArray<RawUser | undefined>, pool: Pool | undefined, report: Report): User[] {
  const users: User[] = [];
  const seenNames = new Map<string, number>();
  const seenIps = new Map<string, number>();
  raw.forEach((item, i) => {
    if (!item) return;
    const at = `users[${i}]`;
    const get = (key: string) => item.fields.find((f) => f.key === key);
    const name = get('name');
    const ip = get('ip');
    const email = get('email');
    if (name === undefined) report(`${at}.name`, 'is missing', item.missing?.name ?? item.line);
    else {
      const msg = checkUserName(name.value);
      if (msg) report(`${at}.name`, `${JSON.stringify(name.value)} ${msg}`, name.line ?? item.line);
      const key = name.value.toLowerCase();
      const prior = seenNames.get(key);
      if (prior !== undefined) report(`${at}.name`, `"${name.value}" duplicates users[${prior}] (names are compared ignoring case)`, name.line ?? item.line);
      else seenNames.set(key, i);
    }
    if (ip !== undefined && pool !== undefined) {
      const msg = checkUserIp(ip.value, pool);
      if (msg) report(`${at}.ip`, msg, ip.line ?? item.line);
      const prior = seenIps.get(ip.value);
      if (prior !== undefined) report(`${at}.ip`, `${ip.value} is already given to users[${prior}]`, ip.line ?? item.line);
      else seenIps.set(ip.value, i);
    }
    if (email !== undefined) {
      const msg = checkEmail(email.value);
      if (msg) report(`${at}.email`, msg, email.line ?? item.line);
    }
    if (name !== undefined) users.push({ name: name.value, ...(ip !== undefined && { ip: ip.value }), ...(email !== undefined && { email: email.value }), ...(item.disabled === true && { disabled: true as const }) });
  });
  return users;
}
