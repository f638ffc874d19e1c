/**
 * Makes quay's test CA and the CDA test card signed by it:
 *   config/capk/quay-test-ca.yaml   the CA public key (RID A000000003, index F1), test: true
 *   config/cards/visa-cda.yaml      a Visa CDA profile card: certificates and its ICC key
 * Run again only to replace both (new keys each time): npx tsx scripts/make-test-cards.ts
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { iccCertificate, issuerCertificate, makeKey } from '../drivers/card/virtual/test-ca';

const RID = 'A000000003';
const CA_INDEX = 0xf1;
const PAN = '4761739001010051';
const AIP = '1D00'; // CVM, terminal risk management, issuer authentication, CDA

const here = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const upper = (b: Buffer) => b.toString('hex').toUpperCase();
/** Hex in lines of 64 digits, for YAML folded scalars. */
const folded = (b: Buffer, indent: string) =>
  (upper(b).match(/.{1,64}/g) ?? []).map((line) => `${indent}${line}`).join('\n');

const ca = makeKey(1152);
const issuer = makeKey(1024);
const icc = makeKey(768);
const issuerCert = issuerCertificate(ca, issuer, {
  issuerIdentifier: PAN.slice(0, 6), expiry: '1230', serial: '000001',
});
const iccCert = iccCertificate(issuer, icc, {
  pan: PAN, expiry: '1229', serial: '000001', staticData: Buffer.from(AIP, 'hex'),
});
const checksum = createHash('sha1').update(Buffer.concat([
  Buffer.from(RID, 'hex'), Buffer.from([CA_INDEX]), ca.modulus, ca.exponent,
])).digest();

writeFileSync(here('config/capk/quay-test-ca.yaml'), `\
# quay's own test CA key, made by scripts/make-test-cards.ts with its issuer and ICC
# keys (config/cards/visa-cda.yaml). Test key: never in a production key folder.
test: true
keys:
  ${RID}:
    issuer: quay test CA
    certificates:
      F1:
        modulus: ${upper(ca.modulus)}
        exponent: '03'
        checksum: ${upper(checksum)}
`);

const base = readFileSync(here('config/cards/visa-cvn10.yaml'), 'utf8');
const body = base.slice(base.indexOf('kind: profile'))
  .replace(/^name: .*$/m, 'name: Visa CDA test card')
  .replace(/^pan: .*$/m, `pan: '${PAN}'`)
  .replace(/^# 1C00: .*\n# .*\n/m, '')
  .replace(/^aip: .*$/m, `# ${AIP}: cardholder verification, terminal risk management, issuer`
    + `\n# authentication, CDA (Book 3 annex C1).\naip: '${AIP}'`);
const pem = icc.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
writeFileSync(here('config/cards/visa-cda.yaml'), `\
# A Visa test card with combined DDA / application cryptogram generation (CDA). Its
# issuer certificate is signed by quay's test CA (config/capk/quay-test-ca.yaml, RID
# ${RID} index F1), its ICC certificate by the issuer key; GENERATE AC with P1 b5 set answers
# with a signature (9F4B) holding the cryptogram. Made by scripts/make-test-cards.ts; test keys
# only.
# Same issuer master key for AC as visa-cvn10.yaml. Format: config/cards/README.md.
${body.trimEnd()}
oda:
  caIndex: ${CA_INDEX}
  issuerCertificate: >-
${folded(issuerCert.certificate, '    ')}
  issuerRemainder: '${upper(issuerCert.remainder)}'
  issuerExponent: '03'
  iccCertificate: >-
${folded(iccCert.certificate, '    ')}
  iccRemainder: '${upper(iccCert.remainder)}'
  iccExponent: '03'
  iccPrivateKey: |
${pem.trimEnd().split('\n').map((line) => `    ${line}`).join('\n')}
`);
console.log('wrote config/capk/quay-test-ca.yaml and config/cards/visa-cda.yaml');
