/** Why an L2TP profile no longer matches the site, for `macvpn check` (secrets compared, never shown). */
import type { TypedValue } from '../../apple/read-plist.js';
import type { Site, User } from '../../site/types.js';
import { l2tpState } from './state.js';

/** The value at a path of dictionary keys (the first element of an array on the way). */
function at(root: TypedValue, keys: string[]): TypedValue | undefined {
  let v: TypedValue | undefined = root;
  for (const k of keys) {
    if (v?.type === 'array') v = v.value[0];
    v = v?.type === 'dictionary' ? v.value.get(k) : undefined;
  }
  return v;
}

export function l2tpStaleReasons(root: TypedValue, site: Site, user: User): string[] {
  const stale: string[] = [];
  const server = at(root, ['PayloadContent', 'PPP', 'CommRemoteAddress']);
  if (server?.type !== 'string' || server.value !== site.server) stale.push('server address');
  const secret = at(root, ['PayloadContent', 'IPSec', 'SharedSecret']);
  if (secret?.type !== 'data' || !secret.value.equals(Buffer.from(l2tpState(site).psk, 'utf8'))) stale.push('shared secret');
  const pw = at(root, ['PayloadContent', 'PPP', 'AuthPassword']);
  if (pw?.type === 'string' && pw.value !== site.secrets.passwords.get(user.name)) stale.push('password');
  return stale;
}
