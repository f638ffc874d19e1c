/**
 * Makes quay's test CA and the test cards signed by it (one issuer key for all of them):
 *   config/capk/quay-test-ca.yaml        the CA public key (RID A000000003, index F1), test: true
 *   config/cards/visa-cda.yaml           CDA: certificates and its ICC key
 *   config/cards/visa-sda.yaml           SDA: issuer certificate and Signed Static Data (93)
 *   config/cards/visa-dda.yaml           DDA: certificates, ICC key, DDOL
 *   config/cards/visa-pin-enciphered.yaml  DDA and a separate ICC PIN encipherment key
 * Each profile is visa-cvn10.yaml with its own PAN, AIP, CVM list and keys. Run again only
 * to replace them all (new keys each time): npx tsx scripts/make-test-cards.ts
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildCardFiles, CARD_SFI } from '../drivers/card/virtual/card-data';
import { cardProfileFromYaml } from '../drivers/card/virtual/card-profile';
import {
  iccCertificate, issuerCertificate, makeKey, signedStaticData, type Certificate, type TestKey,
} from '../drivers/card/virtual/test-ca';
import { parseTlv } from '../src/emv/tlv';

const RID = 'A000000003';
const CA_INDEX = 0xf1;
const ISSUER_IDENTIFIER = '476173';

const here = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const upper = (b: Buffer) => b.toString('hex').toUpperCase();
/** Hex in lines of 64 digits, for YAML folded scalars. */
const folded = (b: Buffer, indent: string) =>
  (upper(b).match(/.{1,64}/g) ?? []).map((line) => `${indent}${line}`).join('\n');
const pemOf = (key: TestKey, indent: string) =>
  key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trimEnd().split('\n')
    .map((line) => `${indent}${line}`).join('\n');

const ca = makeKey(1152);
const issuer = makeKey(1024);
const issuerCert = issuerCertificate(ca, issuer, {
  issuerIdentifier: ISSUER_IDENTIFIER, expiry: '1230', serial: '000001',
});

interface CardSpec {
  file: string;
  header: string;
  name: string;
  pan: string;
  aip: string;
  aipComment: string;
  cvmList?: { value: string; comment: string };
  /** Profile lines added after issuerAuthRequired (pin, ...). */
  extra?: string;
  signedCardRecords: number;
  sda?: boolean;
  icc?: boolean;
  pinKey?: boolean;
  ddol?: string;
}

const ENCIPHERED_PIN_FIRST = '00000000 00000000 4403 4203 5E03 1F03';

const CARDS: CardSpec[] = [
  {
    file: 'visa-cda.yaml', name: 'Visa CDA test card', pan: '4761739001010051', aip: '1D00',
    aipComment: 'cardholder verification, terminal risk management, issuer\n# authentication, CDA',
    signedCardRecords: 0, icc: true,
    header: `A Visa test card with combined DDA / application cryptogram generation (CDA). Its
# issuer certificate is signed by quay's test CA (config/capk/quay-test-ca.yaml, RID
# ${RID} index F1), its ICC certificate by the issuer key; GENERATE AC with P1 b5 set answers
# with a signature (9F4B) holding the cryptogram. No record is signed: the static data to be
# authenticated is the AIP (9F4A '82').`,
  },
  {
    file: 'visa-sda.yaml', name: 'Visa SDA test card', pan: '4761739001010069', aip: '5C00',
    aipComment: 'SDA, cardholder verification, terminal risk management, issuer\n'
      + '# authentication',
    signedCardRecords: 1, sda: true,
    header: `A Visa test card with static data authentication (SDA, Book 2 5). Its issuer
# certificate is signed by quay's test CA (config/capk/quay-test-ca.yaml, RID ${RID} index
# F1); its Signed Static Application Data (93, Data Authentication Code DAC1) covers SFI 2
# record 1 (PAN, dates, CVM list, IACs), which the AFL flags, and the AIP (9F4A '82').`,
  },
  {
    file: 'visa-dda.yaml', name: 'Visa DDA test card', pan: '4761739001010077', aip: '3C00',
    aipComment: 'DDA, cardholder verification, terminal risk management, issuer\n'
      + '# authentication',
    signedCardRecords: 1, icc: true, ddol: '9F37 04',
    header: `A Visa test card with dynamic data authentication (DDA, Book 2 6.5). Certificates
# from quay's test CA (config/capk/quay-test-ca.yaml, RID ${RID} index F1) and its issuer
# key; the ICC certificate covers SFI 2 record 1 and the AIP. INTERNAL AUTHENTICATE signs the
# DDOL data (9F49 = 9F37 04: the terminal's unpredictable number), response format 1.`,
  },
  {
    file: 'visa-pin-enciphered.yaml', name: 'Visa enciphered offline PIN test card',
    pan: '4761739001010093', aip: '3C00',
    aipComment: 'DDA, cardholder verification, terminal risk management, issuer\n'
      + '# authentication',
    signedCardRecords: 1, icc: true, pinKey: true, ddol: '9F37 04',
    cvmList: { value: ENCIPHERED_PIN_FIRST, comment: `X = Y = 0; enciphered offline PIN (44: code
# 04, b7 "apply the next rule if it fails"), then online PIN, signature, no CVM; each "if
# the terminal supports the CVM".` },
    extra: `# Test PIN: the card checks it (VERIFY P2 88), the acquirer simulator for online PIN.
testPin: '1234'
pinTryLimit: 3`,
    header: `A Visa DDA test card whose CVM list asks for the enciphered offline PIN first. The
# PIN is enciphered under a separate ICC PIN Encipherment key (9F2D 9F2E 9F2F, Book 2 7.1)
# certified by the issuer key; certificates from quay's test CA (RID ${RID} index F1).`,
  },
];

function write(path: string, text: string): void {
  writeFileSync(here(path), text);
  console.log(`wrote ${path}`);
}

/** visa-cvn10.yaml turned into the spec's profile, without its ODA data. */
function profileBody(spec: CardSpec): string {
  const base = readFileSync(here('config/cards/visa-cvn10.yaml'), 'utf8');
  let body = base.slice(base.indexOf('kind: profile'))
    .replace(/^name: .*$/m, `name: ${spec.name}`)
    .replace(/^pan: .*$/m, `pan: '${spec.pan}'`)
    .replace(/^# 1C00: .*\n# .*\n/m, '')
    .replace(/^aip: .*$/m, `# ${spec.aip}: ${spec.aipComment} (Book 3 annex C1).\n`
      + `aip: '${spec.aip}'`);
  if (spec.cvmList !== undefined) {
    body = body.replace(/^# X = Y = 0;.*\n# .*\n/m, '')
      .replace(/^cvmList: .*$/m, `# ${spec.cvmList.comment}\ncvmList: '${spec.cvmList.value}'`);
  }
  body = body.trimEnd();
  return spec.extra === undefined ? body : `${body}\n${spec.extra}`;
}

/** Book 3 10.3: the values of the flagged records of SFI 2 (SFI 1..10: without 70 L), AIP. */
function staticData(body: string, spec: CardSpec): Buffer {
  const files = buildCardFiles(cardProfileFromYaml(body, spec.file));
  const records = (files.appRecords.get(CARD_SFI) ?? []).slice(0, spec.signedCardRecords);
  const values = records.map((record) => parseTlv(record)[0]!.value);
  return Buffer.concat([...values, Buffer.from(spec.aip, 'hex')]);
}

function keyLines(prefix: 'icc' | 'pin', cert: Certificate, key: TestKey): string {
  return `  ${prefix}Certificate: >-
${folded(cert.certificate, '    ')}
  ${prefix}Remainder: '${upper(cert.remainder)}'
  ${prefix}Exponent: '03'
  ${prefix}PrivateKey: |
${pemOf(key, '    ')}`;
}

function odaLines(spec: CardSpec, body: string): string {
  const data = staticData(body, spec);
  const lines = [`oda:
  caIndex: ${CA_INDEX}
  issuerCertificate: >-
${folded(issuerCert.certificate, '    ')}
  issuerRemainder: '${upper(issuerCert.remainder)}'
  issuerExponent: '03'`];
  if (spec.signedCardRecords > 0) lines.push(`  signedCardRecords: ${spec.signedCardRecords}`);
  if (spec.sda === true) {
    const signed = signedStaticData(issuer, {
      dataAuthenticationCode: Buffer.from('DAC1', 'hex'), staticData: data,
    });
    lines.push(`  signedStaticData: >-\n${folded(signed, '    ')}`);
  }
  if (spec.icc === true) {
    const icc = makeKey(768);
    const cert = iccCertificate(issuer, icc, {
      pan: spec.pan, expiry: '1229', serial: '000001', staticData: data,
    });
    lines.push(keyLines('icc', cert, icc));
  }
  if (spec.ddol !== undefined) lines.push(`  ddol: '${spec.ddol}'`);
  if (spec.pinKey === true) {
    // Book 2 7.1: the PIN key's certificate hash covers no static data.
    const pinKey = makeKey(768);
    const cert = iccCertificate(issuer, pinKey, {
      pan: spec.pan, expiry: '1229', serial: '000002', staticData: Buffer.alloc(0),
    });
    lines.push(keyLines('pin', cert, pinKey));
  }
  return lines.join('\n');
}

const checksum = createHash('sha1').update(Buffer.concat([
  Buffer.from(RID, 'hex'), Buffer.from([CA_INDEX]), ca.modulus, ca.exponent,
])).digest();

write('config/capk/quay-test-ca.yaml', `\
# quay's own test CA key, made by scripts/make-test-cards.ts with the issuer and ICC keys
# of the ODA test cards (config/cards/visa-cda.yaml, visa-sda, visa-dda, visa-pin-enciphered).
# Test key: never in a production key folder.
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

for (const spec of CARDS) {
  const body = profileBody(spec);
  write(`config/cards/${spec.file}`, `\
# ${spec.header}
# Made by scripts/make-test-cards.ts; test keys only. Same issuer master key for AC as
# visa-cvn10.yaml. Format: config/cards/README.md.
${body}
${odaLines(spec, body)}
`);
}
