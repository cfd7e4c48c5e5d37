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

const plainUser = (u: User): Record<string, string | boolean> => ({
  name: u.name,
  ...(u.ip !== undefined && { ip: u.ip }),
  ...(u.email !== undefined && { email: u.email }),
  ...(u.disabled && { disabled: true }),
});

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
    if (!user.disabled) item.delete('disabled');
    else if (item.get('disabled') !== true) item.set('disabled', true);
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

/**
 * Sets one setting (`dns`, `<block>.on_demand.enabled`) in macvpn.yaml as the administrator wrote
 * it, with the yaml Document API: the node is replaced in place, so the comments around it and the
 * rest of the layout stay. A missing key (or block) is added. The caller parses the result back.
 */
export function setSiteYamlKey(original: string, keyPath: readonly string[], value: unknown): string {
  const doc = parseDocument(original);
  if (!isMap(doc.contents)) throw new RangeError('macvpn.yaml is not a mapping');
  const old = doc.getIn(keyPath, true);
  const node = doc.createNode(value);
  // A list keeps the style it had (`dns: [a, b]` stays a flow list); a new one is a flow list.
  if (isSeq(node)) {
    node.flow = isSeq(old) ? old.flow === true || old.items.length === 0 : true;
    // …and its items their quoting (the canonical layout writes "192.168.1.1").
    const first = isSeq(old) ? old.items.find(isScalar) : undefined;
    for (const item of node.items) if (isScalar(item) && typeof item.value === 'string') item.type = first?.type ?? 'QUOTE_DOUBLE';
  }
  if (isScalar(old) && isScalar(node)) {
    // Keep the comment on the old value's line (`server: x   # the public name`).
    node.comment = old.comment;
    node.commentBefore = old.commentBefore;
    if (typeof value === 'string' && old.type) node.type = old.type;
  }
  doc.setIn(keyPath, node);
  return doc.toString();
}
