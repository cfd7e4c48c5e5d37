/** Small IPv4 helpers: parsing, formatting, pool arithmetic. Pure. */

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Parses dotted-quad IPv4 (no leading zeros, which inet_pton rejects) to an unsigned int. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Network address of `ip` under `prefix`. */
export function networkOf(ip: number, prefix: number): number {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (ip & mask) >>> 0;
}

export function isInside(ip: number, network: number, prefix: number): boolean {
  return networkOf(ip, prefix) === network;
}

/** True for RFC 1918 private space (10/8, 172.16/12, 192.168/16). */
export function isPrivate(ip: number): boolean {
  return (
    isInside(ip, parseIpv4('10.0.0.0')!, 8) ||
    isInside(ip, parseIpv4('172.16.0.0')!, 12) ||
    isInside(ip, parseIpv4('192.168.0.0')!, 16)
  );
}

/** Broadcast address of the pool. */
export function lastAddress(network: number, prefix: number): number {
  return (network + 2 ** (32 - prefix) - 1) >>> 0;
}

/** Loose IPv6 syntax check (for DNS servers and `listen`). */
export function isIpv6(text: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || !text.includes(':')) return false;
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  const last = groups[groups.length - 1];
  const v4tail = last !== undefined && last.includes('.');
  if (v4tail && parseIpv4(last) === undefined) return false;
  const hexGroups = v4tail ? groups.slice(0, -1) : groups;
  if (!hexGroups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const count = hexGroups.length + (v4tail ? 2 : 0);
  return halves.length === 2 ? count < 8 : count === 8;
}
