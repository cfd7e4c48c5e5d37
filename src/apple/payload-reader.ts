/** Typed reads of profile dictionaries that record each problem with its key path. */
import type { TypedValue } from './read-plist.js';

type Dict = ReadonlyMap<string, TypedValue>;

export interface PayloadReader {
  str: (d: Dict, key: string, where: string, required?: boolean) => string | undefined;
  int: (d: Dict, key: string, where: string, required?: boolean) => number | undefined;
  dict: (d: Dict, key: string, where: string, required?: boolean) => Dict | undefined;
  expect: (d: Dict, key: string, where: string, want: string) => void;
  expectInt: (d: Dict, key: string, where: string, want: number, why?: string) => void;
  /** DNS.ServerAddresses of a VPN payload (both DNS keys are required in the DNS dictionary). */
  dns: (vpn: Dict, where: string) => string[];
}

export function payloadReader(problems: string[]): PayloadReader {
  const str = (d: Dict, key: string, where: string, required = true): string | undefined => {
    const v = d.get(key);
    if (v === undefined) {
      if (required) problems.push(`${where}${key} is missing`);
      return undefined;
    }
    if (v.type !== 'string') {
      problems.push(`${where}${key} is <${v.type}>, must be <string>`);
      return undefined;
    }
    return v.value;
  };
  const int = (d: Dict, key: string, where: string, required = true): number | undefined => {
    const v = d.get(key);
    if (v === undefined) {
      if (required) problems.push(`${where}${key} is missing`);
      return undefined;
    }
    if (v.type !== 'integer') {
      problems.push(`${where}${key} is <${v.type}>, must be <integer>`);
      return undefined;
    }
    return v.value;
  };
  const dict = (d: Dict, key: string, where: string, required = true): Dict | undefined => {
    const v = d.get(key);
    if (v === undefined) {
      if (required) problems.push(`${where}${key} is missing`);
    } else if (v.type !== 'dictionary') problems.push(`${where}${key} is <${v.type}>, must be <dictionary>`);
    else return v.value;
    return undefined;
  };
  const expect = (d: Dict, key: string, where: string, want: string) => {
    const got = str(d, key, where);
    if (got !== undefined && got !== want) problems.push(`${where}${key} is ${JSON.stringify(got)}, must be ${JSON.stringify(want)}`);
  };
  const expectInt = (d: Dict, key: string, where: string, want: number, why = '') => {
    const got = int(d, key, where);
    if (got !== undefined && got !== want) problems.push(`${where}${key} is ${got}, must be <integer>${want}</integer>${why}`);
  };
  const dns = (vpn: Dict, where: string): string[] => {
    const v = vpn.get('DNS');
    if (v?.type !== 'dictionary') return [];
    const addrs = v.value.get('ServerAddresses');
    const out = addrs?.type === 'array' ? addrs.value.flatMap((a) => (a.type === 'string' ? [a.value] : [])) : [];
    if (addrs?.type !== 'array') problems.push(`${where}DNS.ServerAddresses is missing`);
    if (v.value.get('DNSProtocol')?.type !== 'string') problems.push(`${where}DNS.DNSProtocol is missing`);
    return out;
  };
  return { str, int, dict, expect, expectInt, dns };
}
