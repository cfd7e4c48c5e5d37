/**
 * loadIkev2State keeps every user's PKCS#12 in one SharedArrayBuffer, so that posting the site to
 * a build's threads shares the bytes instead of copying them (and their Buffer pool) per thread.
 */
import { describe, expect, it } from 'vitest';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { ikev2State, pemDer } from '../../../src/vpn/ikev2/state.js';
import { ikev2Site } from './fixture.js';

describe('the IKEv2 state as loaded', () => {
  it('holds the users’ PKCS#12 files, byte for byte, as views of one shared buffer', () => {
    const site = ikev2Site({}, [{ name: 'alice' }, { name: 'bob' }, { name: 'carol' }]);
    const ids = [...ikev2State(site).users.values()];
    expect(ids).toHaveLength(3);
    const buffers = new Set(ids.map((id) => id.p12!.buffer));
    expect(buffers.size).toBe(1);
    expect([...buffers][0]).toBeInstanceOf(SharedArrayBuffer);
    // PKCS#12 PFX: a DER SEQUENCE (RFC 7292 §4), each its own, none overlapping.
    for (const id of ids) expect(id.p12![0]).toBe(0x30);
    expect(new Set(ids.map((id) => id.p12!.byteOffset)).size).toBe(3);
    expect(ids.reduce((n, id) => n + id.p12!.length, 0)).toBe((([...buffers][0]) as SharedArrayBuffer).byteLength);
  });

  it('is shared, not copied, when posted to another thread', () => {
    const site = ikev2Site();
    const alice = ikev2State(site).users.get('alice')!.p12!;
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(alice);
    const received = receiveMessageOnPort(port2)!.message as Uint8Array;
    port1.close();
    expect(Buffer.from(received).equals(Buffer.from(alice))).toBe(true);
    expect(received.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});

describe('pemDer', () => {
  // The lazy RegExp pemDer used until issue 12 replaced it with indexOf: the same block, or none.
  const byRegExp = (text: string, label = 'CERTIFICATE') => {
    const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(text);
    return m ? Buffer.from(m[1]!, 'base64') : undefined;
  };
  const block = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
  const texts: Array<[string, string?]> = [
    [block('CERTIFICATE', 'MIIBAA==')],
    [`junk\n${block('CERTIFICATE', 'AAEC')}${block('CERTIFICATE', 'AwQF')}`],
    [`${block('PRIVATE KEY', 'BgcI')}${block('CERTIFICATE', 'CQoL')}`],
    [`${block('PRIVATE KEY', 'BgcI')}${block('CERTIFICATE', 'CQoL')}`, 'PRIVATE KEY'],
    [block('X509 CRL', 'DA0O'), 'X509 CRL'],
    ['-----BEGIN CERTIFICATE-----\nAAEC\n'],
    [`-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nAAEC\n`],
    [`-----END CERTIFICATE-----\n${block('CERTIFICATE', 'AwQF')}`],
    ['-----BEGIN CERTIFICATE----------END CERTIFICATE-----'],
    [block('PRIVATE KEY', 'BgcI')],
  ];
  it('takes the block the lazy RegExp took, and throws where it found none', () => {
    for (const [text, label] of texts) {
      const want = byRegExp(text, label);
      if (want === undefined) expect(() => pemDer(text, label), text).toThrow(RangeError);
      else expect(Buffer.from(pemDer(text, label)).equals(want), text).toBe(true);
    }
  });
});
