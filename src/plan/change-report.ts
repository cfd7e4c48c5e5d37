/**
 * What a change of the site makes out of date (macvpn set): the server files and the users'
 * profiles, found by rendering the server plan and every profile before and after and comparing
 * the bytes, never by a table per setting. Pure.
 */
import { buildProfileXml } from '../apple/build-profile.js';
import type { Site } from '../site/types.js';
import { planServer } from './plan-server.js';

export interface ChangeReport {
  /** Server files (relative to server/) that change, appear or go. */
  serverFiles: string[];
  /** Users whose profile changes: they must get a new one. */
  profiles: string[];
  users: number;
}

const bytes = (c: string | Uint8Array) => Buffer.from(typeof c === 'string' ? Buffer.from(c, 'utf8') : c);

export function changeReport(before: Site, after: Site): ChangeReport {
  const old = new Map(planServer(before).map((f) => [f.path, bytes(f.contents)]));
  const now = planServer(after);
  const serverFiles = now.filter((f) => !old.get(f.path)?.equals(bytes(f.contents))).map((f) => f.path);
  for (const p of old.keys()) if (!now.some((f) => f.path === p)) serverFiles.push(p);
  const opts = { includePassword: true, scope: 'System' } as const;
  const profiles = after.users
    .filter((u) => {
      const was = before.users.find((b) => b.name === u.name);
      return !was || !Buffer.from(buildProfileXml(before, was, opts)).equals(Buffer.from(buildProfileXml(after, u, opts)));
    })
    .map((u) => u.name);
  return { serverFiles, profiles, users: after.users.length };
}
