import type { Logger } from '../../log';
import type { CardChannel } from '../commands';
import type { TagValues } from '../cryptogram';
import { buildDolData, parseDol, type DolSource } from '../dol';
import { AIP } from '../gpo';
import type { RecordRead } from '../records';
import { TSI, TVR, type Bit, type BitField } from '../tvr';
import type { CaKeyStore } from './capk';
import {
  recoverIccKey, recoverIssuerKey, type IccPublicKey, type IssuerPublicKey,
} from './certificates';
import { OdaFailure, type OdaReason, type OdaStep } from './failure';
import { checkDdol, internalAuthenticate } from './internal-authenticate';
import { verifySignedDynamicData, verifySignedStaticData } from './signatures';
import { checkSignedRecords, staticDataToAuthenticate } from './static-data';

/**
 * Offline data authentication as a kernel step (EMV Book 3 10.3): choose the method both
 * card (AIP) and terminal (9F33) support, perform it, and record the outcome in the TVR and
 * TSI. A failed authentication does not end the transaction; terminal action analysis
 * weighs the TVR bits later.
 */
export type OdaMethod = 'CDA' | 'DDA' | 'SDA';

export interface OdaSettings {
  caKeys: CaKeyStore;
  /** Default DDOL (Book 3 10.3), used when the card has no DDOL (9F49). */
  defaultDdol?: Buffer;
}

export interface OdaContext {
  card: CardChannel;
  /** AID of the selected application; its first 5 bytes are the RID. */
  aid: Buffer;
  aip: Buffer;
  /** Terminal Capabilities (9F33). */
  capabilities: Buffer;
  /** Data objects read from the card. */
  tags: TagValues;
  pan: string;
  odaRecords: readonly Buffer[];
  /** The records behind odaRecords, with their SFI (see static-data.ts signedRecords). */
  signedRecords?: readonly RecordRead[];
  date: Date;
  /** Values for the DDOL: the terminal's data, the card's, TVR and TSI as they are. */
  source: DolSource;
  tvr: BitField;
  tsi: BitField;
  settings: OdaSettings;
  log: Logger;
}

export interface OdaOutcome {
  method?: OdaMethod;
  passed: boolean;
  failure?: OdaFailure;
  issuerKey?: IssuerPublicKey;
  iccKey?: IccPublicKey;
  /** Data Authentication Code (9F45), after SDA. */
  dataAuthenticationCode?: Buffer;
  /** ICC Dynamic Number (9F4C), after DDA. */
  iccDynamicNumber?: Buffer;
}

/**
 * What the kernel reports of the authentication: no keys and no certificate contents (the
 * ICC certificate holds the PAN), only the method and, when it failed, where and why.
 */
export interface OdaSummary {
  method?: OdaMethod;
  passed: boolean;
  failure?: { step: OdaStep; reason: OdaReason; detail: Record<string, unknown> };
}

export function odaSummary(outcome: OdaOutcome): OdaSummary {
  const { method, passed, failure } = outcome;
  if (failure === undefined) return { method, passed };
  return { method, passed, failure: {
    step: failure.step, reason: failure.reason, detail: failure.detail,
  } };
}

/** Terminal Capabilities byte 3 (Book 4 annex A2). */
const CAPABILITY = { SDA: 0x80, DDA: 0x40, CDA: 0x08 } as const;
const FAILED_BIT: Record<OdaMethod, Bit> = {
  SDA: TVR.SDA_FAILED, DDA: TVR.DDA_FAILED, CDA: TVR.CDA_FAILED,
};
/**
 * The methods this kernel performs. For CDA this step recovers the keys; the signature comes
 * with the GENERATE AC answer and is checked there (cda-step.ts).
 */
export const IMPLEMENTED_METHODS: readonly OdaMethod[] = ['CDA', 'DDA', 'SDA'];

/** Book 3 10.3: CDA if both support it, else DDA, else SDA; none when they share none. */
export function selectOdaMethod(
  aip: Buffer, capabilities: Buffer, implemented: readonly OdaMethod[] = IMPLEMENTED_METHODS,
): OdaMethod | undefined {
  const card = aip[0] ?? 0;
  const terminal = capabilities[2] ?? 0;
  const order: OdaMethod[] = ['CDA', 'DDA', 'SDA'];
  return order.find((m) =>
    implemented.includes(m) && (card & AIP[m]) !== 0 && (terminal & CAPABILITY[m]) !== 0);
}

export async function performOda(ctx: OdaContext): Promise<OdaOutcome> {
  const method = selectOdaMethod(ctx.aip, ctx.capabilities);
  if (method === undefined) {
    ctx.tvr.set(TVR.ODA_NOT_PERFORMED);
    return { passed: false };
  }
  if (method === 'SDA') ctx.tvr.set(TVR.SDA_SELECTED);
  ctx.tsi.set(TSI.ODA_PERFORMED);
  const outcome: OdaOutcome = { method, passed: false };
  try {
    if (method === 'SDA') await staticAuthentication(ctx, outcome);
    else if (method === 'CDA') recoverKeys(ctx, outcome);
    else await dynamicAuthentication(ctx, outcome);
    outcome.passed = true;
  } catch (err) {
    if (!(err instanceof OdaFailure)) throw err;
    outcome.failure = err;
    ctx.tvr.set(FAILED_BIT[method]);
    if (err.iccDataMissing) ctx.tvr.set(TVR.ICC_DATA_MISSING);
    ctx.log.info({ method, step: err.step, reason: err.reason, detail: err.detail },
      'offline data authentication failed');
  }
  return outcome;
}

/** Book 2 5.1.1 and 6.1.1: the data objects each method cannot do without. */
const REQUIRED: Record<'SDA' | 'DDA', readonly string[]> = {
  SDA: ['8F', '90', '9F32', '93'],
  DDA: ['8F', '90', '9F32', '9F46', '9F47'],
};

function required(ctx: OdaContext, method: 'SDA' | 'DDA'): void {
  const tags = ctx.tags;
  const missing = REQUIRED[method].filter((tag) => tags[tag] === undefined);
  if (missing.length > 0) throw new OdaFailure('data', 'missing', { missing });
  if (tags['8F']!.length !== 1) throw new OdaFailure('data', 'length', { tag: '8F' });
  checkSignedRecords(ctx.signedRecords ?? []);
}

function issuerKey(ctx: OdaContext): IssuerPublicKey {
  const rid = ctx.aid.subarray(0, 5).toString('hex').toUpperCase();
  const index = ctx.tags['8F']![0]!;
  const caKey = ctx.settings.caKeys.find(rid, index, ctx.date);
  if (caKey === undefined) throw new OdaFailure('ca-key', 'missing', { rid, index });
  return recoverIssuerKey({
    caKey, certificate: ctx.tags['90']!, remainder: ctx.tags['92'], exponent: ctx.tags['9F32']!,
    pan: ctx.pan, date: ctx.date,
    isRevoked: (serial) => ctx.settings.caKeys.isRevoked(rid, index, serial),
  });
}

async function staticAuthentication(ctx: OdaContext, outcome: OdaOutcome): Promise<void> {
  required(ctx, 'SDA');
  const staticData = staticDataToAuthenticate(ctx.odaRecords, ctx.tags['9F4A'], ctx.aip);
  outcome.issuerKey = issuerKey(ctx);
  const result = verifySignedStaticData(outcome.issuerKey, ctx.tags['93']!, staticData);
  outcome.dataAuthenticationCode = result.dataAuthenticationCode;
  ctx.tags['9F45'] = result.dataAuthenticationCode;
}

/** Issuer and ICC public keys, as DDA and CDA both need them (Book 2 6.1-6.4). */
function recoverKeys(ctx: OdaContext, outcome: OdaOutcome): void {
  required(ctx, 'DDA');
  const staticData = staticDataToAuthenticate(ctx.odaRecords, ctx.tags['9F4A'], ctx.aip);
  outcome.issuerKey = issuerKey(ctx);
  outcome.iccKey = recoverIccKey({
    issuerKey: outcome.issuerKey, certificate: ctx.tags['9F46']!, remainder: ctx.tags['9F48'],
    exponent: ctx.tags['9F47']!, pan: ctx.pan, staticData, date: ctx.date,
  });
}

async function dynamicAuthentication(ctx: OdaContext, outcome: OdaOutcome): Promise<void> {
  recoverKeys(ctx, outcome);

  const ddolBytes = ctx.tags['9F49'] ?? ctx.settings.defaultDdol;
  if (ddolBytes === undefined) throw new OdaFailure('internal-authenticate', 'ddol');
  const ddol = parseDol(ddolBytes, 'DDOL');
  checkDdol(ddol);
  const ddolData = buildDolData(ddol, ctx.source);
  const signed = await internalAuthenticate(ctx.card, ddolData, ctx.log);
  const result = verifySignedDynamicData(outcome.iccKey!, signed, ddolData);
  outcome.iccDynamicNumber = result.iccDynamicNumber;
  ctx.tags['9F4C'] = result.iccDynamicNumber;
}
