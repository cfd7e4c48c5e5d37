/** Issue 12: the hand-rolled UUIDv5 of payload-ids.ts gives the `uuid` package's v5, so no installed profile's identity changes. */
import { describe, expect, it } from 'vitest';
import { v5 } from 'uuid';
import { profileIds } from '../../src/apple/payload-ids.js';

const NS = '2f7c5a8e-1b4d-4f6a-9c3e-8d5b7a1e0c94';

describe('profileIds', () => {
  it.each([['com.example.vpn', 'alice'], ['com.example.vpn', 'ünï cödé 😀'], ['a', '']])('%s %s', (identifier, user) => {
    const ids = profileIds(identifier, user);
    expect(ids.profileUuid).toBe(v5(`${identifier}\u0000${user}\u0000profile`, NS).toUpperCase());
    for (const kind of ['vpn.l2tp', 'identity', 'root']) expect(ids.uuid(kind)).toBe(v5(`${identifier}\u0000${user}\u0000${kind}`, NS).toUpperCase());
  });
});
