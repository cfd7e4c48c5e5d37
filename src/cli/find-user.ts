/** Looks users up by exact name, with a "did you mean" for a name that differs only in case. */
import { MacvpnError } from '../errors.js';
import type { Site, User } from '../site/types.js';
import { checkUserIp } from '../site/parse-site.js';

export function unknownUser(site: Site, name: string): string {
  const near = site.users.find((u) => u.name.toLowerCase() === name.toLowerCase());
  return `no user ${JSON.stringify(name)} in macvpn.yaml${near ? ` (did you mean "${near.name}"?)` : ''}`;
}

export function findUser(site: Site, name: string): User {
  const user = site.users.find((u) => u.name === name);
  if (!user) throw new MacvpnError(unknownUser(site, name), ['see "macvpn user list", or add one with "macvpn user add NAME"']);
  return user;
}

/** `--ip ADDR` for user `owner`: inside the pool and not another user's address. */
export function checkIpOption(site: Site, ip: string, owner: string): void {
  const msg = checkUserIp(ip, site.pool);
  if (msg) throw new MacvpnError(`--ip ${msg}`);
  const taken = site.users.find((u) => u.name !== owner && u.ip === ip);
  if (taken) throw new MacvpnError(`--ip ${ip} is already given to user "${taken.name}"`);
}
