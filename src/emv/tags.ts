/**
 * The EMV data objects quay's kernel reads or supplies (EMV Book 3 annex A), as data: the
 * name, the format (which decides how a DOL pads or truncates a value, Book 3 5.4) and who
 * supplies the value. Tags are upper-case hex.
 */
export type TagFormat = 'n' | 'cn' | 'an' | 'ans' | 'b';
export type TagSource = 'card' | 'terminal' | 'issuer';

export interface TagInfo {
  name: string;
  format: TagFormat;
  source: TagSource;
}

function card(name: string, format: TagFormat): TagInfo {
  return { name, format, source: 'card' };
}
function terminal(name: string, format: TagFormat): TagInfo {
  return { name, format, source: 'terminal' };
}
function issuer(name: string, format: TagFormat): TagInfo {
  return { name, format, source: 'issuer' };
}

export const EMV_TAGS: Readonly<Record<string, TagInfo>> = {
  // Selection (Book 1 11-12)
  '4F': card('Application Identifier (ADF name)', 'b'),
  '50': card('Application Label', 'ans'),
  '61': card('Application Template', 'b'),
  '6F': card('File Control Information Template', 'b'),
  '73': card('Directory Discretionary Template', 'b'),
  '84': card('Dedicated File Name', 'b'),
  '87': card('Application Priority Indicator', 'b'),
  '88': card('Short File Identifier', 'b'),
  '9D': card('Directory Definition File Name', 'b'),
  '9F11': card('Issuer Code Table Index', 'n'),
  '9F12': card('Application Preferred Name', 'ans'),
  '9F38': card('Processing Options Data Object List', 'b'),
  '5F2D': card('Language Preference', 'an'),
  'A5': card('FCI Proprietary Template', 'b'),
  'BF0C': card('FCI Issuer Discretionary Data', 'b'),

  // Application data read from records and GPO
  '57': card('Track 2 Equivalent Data', 'b'),
  '5A': card('Application Primary Account Number', 'cn'),
  '5F20': card('Cardholder Name', 'ans'),
  '5F24': card('Application Expiration Date', 'n'),
  '5F25': card('Application Effective Date', 'n'),
  '5F28': card('Issuer Country Code', 'n'),
  '5F30': card('Service Code', 'n'),
  '5F34': card('PAN Sequence Number', 'n'),
  '70': card('READ RECORD Response Template', 'b'),
  '77': card('Response Message Template Format 2', 'b'),
  '80': card('Response Message Template Format 1', 'b'),
  '82': card('Application Interchange Profile', 'b'),
  '8C': card('Card Risk Management Data Object List 1', 'b'),
  '8D': card('Card Risk Management Data Object List 2', 'b'),
  '8E': card('Cardholder Verification Method List', 'b'),
  '8F': card('Certification Authority Public Key Index', 'b'),
  '90': card('Issuer Public Key Certificate', 'b'),
  '92': card('Issuer Public Key Remainder', 'b'),
  '93': card('Signed Static Application Data', 'b'),
  '94': card('Application File Locator', 'b'),
  '97': card('Transaction Certificate Data Object List', 'b'),
  '9F07': card('Application Usage Control', 'b'),
  '9F08': card('Application Version Number (card)', 'b'),
  '9F0D': card('Issuer Action Code - Default', 'b'),
  '9F0E': card('Issuer Action Code - Denial', 'b'),
  '9F0F': card('Issuer Action Code - Online', 'b'),
  '9F10': card('Issuer Application Data', 'b'),
  '9F13': card('Last Online ATC Register', 'b'),
  '9F14': card('Lower Consecutive Offline Limit', 'b'),
  '9F17': card('PIN Try Counter', 'b'),
  '9F1F': card('Track 1 Discretionary Data', 'ans'),
  '9F20': card('Track 2 Discretionary Data', 'cn'),
  '9F23': card('Upper Consecutive Offline Limit', 'b'),
  '9F26': card('Application Cryptogram', 'b'),
  '9F2D': card('ICC PIN Encipherment Public Key Certificate', 'b'),
  '9F2E': card('ICC PIN Encipherment Public Key Exponent', 'b'),
  '9F2F': card('ICC PIN Encipherment Public Key Remainder', 'b'),
  '9F27': card('Cryptogram Information Data', 'b'),
  '9F32': card('Issuer Public Key Exponent', 'b'),
  '9F36': card('Application Transaction Counter', 'b'),
  '9F42': card('Application Currency Code', 'n'),
  '9F44': card('Application Currency Exponent', 'n'),
  '9F46': card('ICC Public Key Certificate', 'b'),
  '9F47': card('ICC Public Key Exponent', 'b'),
  '9F48': card('ICC Public Key Remainder', 'b'),
  '9F49': card('Dynamic Data Authentication Data Object List', 'b'),
  '9F4A': card('Static Data Authentication Tag List', 'b'),
  '9F4B': card('Signed Dynamic Application Data', 'b'),
  '9F4C': card('ICC Dynamic Number', 'b'),
  '9F4D': card('Log Entry', 'b'),

  // Terminal and transaction data
  '81': terminal('Amount, Authorised (Binary)', 'b'),
  '95': terminal('Terminal Verification Results', 'b'),
  '98': terminal('Transaction Certificate Hash Value', 'b'),
  '9A': terminal('Transaction Date', 'n'),
  '9B': terminal('Transaction Status Information', 'b'),
  '9C': terminal('Transaction Type', 'n'),
  '5F2A': terminal('Transaction Currency Code', 'n'),
  '5F36': terminal('Transaction Currency Exponent', 'n'),
  '9F01': terminal('Acquirer Identifier', 'n'),
  '9F02': terminal('Amount, Authorised (Numeric)', 'n'),
  '9F03': terminal('Amount, Other (Numeric)', 'n'),
  '9F04': terminal('Amount, Other (Binary)', 'b'),
  '9F06': terminal('Application Identifier (terminal)', 'b'),
  '9F09': terminal('Application Version Number (terminal)', 'b'),
  '9F15': terminal('Merchant Category Code', 'n'),
  '9F16': terminal('Merchant Identifier', 'ans'),
  '9F1A': terminal('Terminal Country Code', 'n'),
  '9F1C': terminal('Terminal Identification', 'an'),
  '9F1E': terminal('Interface Device Serial Number', 'an'),
  '9F21': terminal('Transaction Time', 'n'),
  '9F33': terminal('Terminal Capabilities', 'b'),
  '9F34': terminal('Cardholder Verification Method Results', 'b'),
  '9F35': terminal('Terminal Type', 'n'),
  '9F37': terminal('Unpredictable Number', 'b'),
  '9F39': terminal('Point-of-Service Entry Mode', 'n'),
  '9F40': terminal('Additional Terminal Capabilities', 'b'),
  '9F41': terminal('Transaction Sequence Counter', 'n'),
  '9F4E': terminal('Merchant Name and Location', 'ans'),
  '9F66': terminal('Terminal Transaction Qualifiers (contactless)', 'b'),

  // From the issuer, through the acquirer
  '71': issuer('Issuer Script Template 1', 'b'),
  '72': issuer('Issuer Script Template 2', 'b'),
  '86': issuer('Issuer Script Command', 'b'),
  '8A': issuer('Authorisation Response Code', 'an'),
  '91': issuer('Issuer Authentication Data', 'b'),
  '9F18': issuer('Issuer Script Identifier', 'b'),
};

/** Format of a tag; tags this dictionary does not know are treated as binary. */
export function tagFormat(tag: string): TagFormat {
  return EMV_TAGS[tag]?.format ?? 'b';
}

/** Name for logs: the dictionary name, or the tag itself. */
export function tagName(tag: string): string {
  return EMV_TAGS[tag]?.name ?? `tag ${tag}`;
}
