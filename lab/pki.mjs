// lab/pki.mjs - small openssl wrappers used by the throw-away fixture site and by --break
// (re-issuing a certificate, re-packing a PKCS#12, re-signing a profile). Host openssl 3.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function openssl(args, opts = {}) {
  try {
    return execFileSync('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...opts });
  } catch (e) {
    throw new Error(`openssl ${args.join(' ')}: ${(e.stderr ?? e.message).toString().trim()}`);
  }
}

export function withTmp(fn) {
  const dir = mkdtempSync(join(tmpdir(), 'lab-pki-'));
  try { return fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** 'rsa2048' | 'p256' | 'p384' -> PEM (PKCS#8) */
export function genKey(type) {
  const args = type === 'rsa2048'
    ? ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']
    : ['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${type === 'p384' ? 'P-384' : 'P-256'}`];
  return openssl(args).toString();
}

/** Self-signed CA certificate. */
export function makeCa(keyPem, cn, days = 3650) {
  return withTmp((d) => {
    writeFileSync(join(d, 'k'), keyPem, { mode: 0o600 });
    return openssl(['req', '-x509', '-new', '-key', join(d, 'k'), '-sha256', '-days', String(days), '-subj', `/O=macvpn lab/CN=${cn}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-addext', 'subjectKeyIdentifier=hash']).toString();
  });
}

/**
 * Issue a certificate for keyPem's public key. san: 'DNS:x' / 'email:x' / 'IP:x' (comma list).
 * eku: e.g. 'serverAuth,1.3.6.1.5.5.8.2.2' or 'clientAuth'. serial: hex string.
 */
export function issueCert({ caCert, caKey, keyPem, cn, san, eku, serial, days = 825 }) {
  return withTmp((d) => {
    writeFileSync(join(d, 'ca.crt'), caCert);
    writeFileSync(join(d, 'ca.key'), caKey, { mode: 0o600 });
    writeFileSync(join(d, 'k'), keyPem, { mode: 0o600 });
    writeFileSync(join(d, 'ext'), [
      'basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment',
      `subjectAltName=${san}`, `extendedKeyUsage=${eku}`, 'authorityKeyIdentifier=keyid', '',
    ].join('\n'));
    openssl(['req', '-new', '-key', join(d, 'k'), '-subj', `/O=macvpn lab/CN=${cn}`, '-out', join(d, 'csr')]);
    return openssl(['x509', '-req', '-in', join(d, 'csr'), '-CA', join(d, 'ca.crt'), '-CAkey', join(d, 'ca.key'),
      '-set_serial', `0x${serial}`, '-sha256', '-days', String(days), '-extfile', join(d, 'ext')]).toString();
  });
}

/** CRL (PEM) signed by the CA, listing the given certificates (PEM) as revoked. */
export function makeCrl({ caCert, caKey, revoked = [], days = 3650 }) {
  return withTmp((d) => {
    writeFileSync(join(d, 'ca.crt'), caCert);
    writeFileSync(join(d, 'ca.key'), caKey, { mode: 0o600 });
    const utc = (d) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
    const when = utc(new Date(Date.now() - 60_000));
    writeFileSync(join(d, 'index.txt'), revoked.map((pem) => {
      const c = new X509Certificate(pem);
      const exp = utc(new Date(c.validTo));
      return `R\t${exp}\t${when}\t${c.serialNumber}\tunknown\t${c.subject.split('\n').map((x) => '/' + x).join('')}\n`;
    }).join(''));
    writeFileSync(join(d, 'crlnumber'), '01\n');
    writeFileSync(join(d, 'cnf'), [
      '[ca]', 'default_ca = lab', '[lab]', `database = ${join(d, 'index.txt')}`, `crlnumber = ${join(d, 'crlnumber')}`,
      'default_md = sha256', `default_crl_days = ${days}`, '',
    ].join('\n'));
    return openssl(['ca', '-config', join(d, 'cnf'), '-gencrl', '-keyfile', join(d, 'ca.key'), '-cert', join(d, 'ca.crt')]).toString();
  });
}

/** PKCS#12 in the legacy form Macs import (3DES key bag, RC2-40 cert bag, SHA-1 MAC). */
export function makeP12({ keyPem, certPem, password, name, legacy = true }) {
  return withTmp((d) => {
    writeFileSync(join(d, 'k'), keyPem, { mode: 0o600 });
    writeFileSync(join(d, 'c'), certPem);
    return openssl(['pkcs12', '-export', ...(legacy ? ['-legacy'] : []), '-inkey', join(d, 'k'), '-in', join(d, 'c'),
      '-name', name, '-passout', 'env:LAB_P12_PW'], { env: { ...process.env, LAB_P12_PW: password } });
  });
}

/** CMS SignedData (DER, content attached) over bytes, as macvpn signs profiles. */
export function cmsSign({ content, signerCert, signerKey, chain = '' }) {
  return withTmp((d) => {
    writeFileSync(join(d, 'in'), content);
    writeFileSync(join(d, 's.crt'), signerCert);
    writeFileSync(join(d, 's.key'), signerKey, { mode: 0o600 });
    const extra = chain ? (writeFileSync(join(d, 'chain'), chain), ['-certfile', join(d, 'chain')]) : [];
    return openssl(['cms', '-sign', '-binary', '-nodetach', '-outform', 'DER', '-in', join(d, 'in'),
      '-signer', join(d, 's.crt'), '-inkey', join(d, 's.key'), ...extra, '-md', 'sha256']);
  });
}

/** Content and signer certificate of a CMS-signed profile (signature checked against caFile). */
export function cmsOpen(profileFile, caFile) {
  return withTmp((d) => {
    openssl(['cms', '-verify', '-inform', 'DER', '-in', profileFile, '-CAfile', caFile, '-purpose', 'any',
      '-out', join(d, 'out'), '-signer', join(d, 'signer')]);
    return { content: readFileSync(join(d, 'out')), signer: readFileSync(join(d, 'signer'), 'utf8') };
  });
}

/**
 * Find, among the files under dir (recursively), the private key whose public key is the one in
 * certPem. The lab does not need to know how macvpn names its secrets: it matches keys.
 */
export function findKeyFor(certPem, dir) {
  const want = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' }).toString('hex');
  const walk = (p) => {
    let st; try { st = statSync(p); } catch { return null; }
    if (st.isDirectory()) {
      for (const e of readdirSync(p).sort()) { const r = walk(join(p, e)); if (r) return r; }
      return null;
    }
    if (st.size > 1 << 20) return null;
    const text = readFileSync(p, 'latin1');
    for (const m of text.match(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/g) ?? []) {
      try {
        const pub = createPublicKey(createPrivateKey(m)).export({ type: 'spki', format: 'der' }).toString('hex');
        if (pub === want) return { file: p, pem: m + '\n' };
      } catch { /* encrypted or not a key */ }
    }
    return null;
  };
  return walk(dir);
}

export function certInfo(pem) {
  const c = new X509Certificate(pem);
  return { subject: c.subject.replace(/\n/g, ', '), issuer: c.issuer.replace(/\n/g, ', '), san: c.subjectAltName ?? '',
    serial: c.serialNumber, eku: c.keyUsage ?? [], keyType: c.publicKey.asymmetricKeyType,
    curve: c.publicKey.asymmetricKeyDetails?.namedCurve, validTo: c.validTo };
}
