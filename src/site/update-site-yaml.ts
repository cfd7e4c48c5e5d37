/**
 * Applies a change of the user list (added, removed or changed users) to macvpn.yaml as the
 * administrator wrote it, keeping their comments, order and layout; the canonical layout
 * (renderSiteYaml) is the fallback for anything else. The result is parsed back and must give
 * exactly the new settings.
 */
import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { parseSite } from './parse-site.js';
import { renderSiteYaml } from './render-site-yaml.js';
import type { Settings, User } from './types.js';

const plainUser = (u: User): Record<string, string> => ({ name: u.name, ...(u.ip !== undefined && { ip: u.ip }), ...(u.email !== undefined && { email: u.email }) });

export function updateSiteYaml(original: string, next: Settings): string {
  const canonical = renderSiteYaml(next);
  const before = parseSite(original);
  if (!before.ok || !isDeepStrictEqual({ ...before.settings, users: [] }, { ...next, users: [] })) return canonical;

  const doc = parseDocument(original);
  if (!isMap(doc.contents)) return canonical;
  let seq = doc.get('users', true);
  if (!isSeq(seq)) {
    doc.set('users', doc.createNode([]));
    seq = doc.get('users', true);
  }
  const users = seq as YAMLSeq;
  const wasEmpty = users.items.length === 0;
  const wanted = new Set(next.users.map((u) => u.name));
  users.items = users.items.filter((item) => {
    const name = isMap(item) ? item.get('name', true) : undefined;
    return isScalar(name) && wanted.has(String(name.value));
  });
  // Users that stay keep their node (and its comments); changed fields are set in place.
  const byName = new Map(next.users.map((u) => [u.name, u]));
  for (const item of users.items as YAMLMap[]) {
    const user = byName.get(String(item.get('name')))!;
    for (const key of ['ip', 'email'] as const) {
      const want = user[key];
      if (want === undefined) item.delete(key);
      else if (String(item.get(key) ?? '') !== want) item.set(key, want);
    }
  }
  const present = new Set(users.items.map((item) => String((item as YAMLMap).get('name'))));
  for (const u of next.users) {
    if (present.has(u.name)) continue;
    const node = doc.createNode(plainUser(u));
    node.flow = true;
    users.items.push(node);
  }
  // `users: []` becomes a block list once it has entries, like the canonical layout.
  if (wasEmpty && users.items.length > 0) users.flow = false;

  const text = doc.toString();
  const after = parseSite(text);
  return after.ok && isDeepStrictEqual(after.settings, next) ? text : canonical;
}
