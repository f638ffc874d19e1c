import { formatDong, stepOf, WORDS } from './words.js';

// The customer reads this screen in Vietnamese, with every diacritic: unlike the pole display,
// a browser has the letters, so nothing is folded to ASCII here. A payer who reads English
// may switch the screen with its button; it opens in Vietnamese.
let lang = 'vi';
const w = (key) => WORDS[lang][key] ?? '';
const POLL_MS = 500;
/** After this long, a finished payment gives way to the welcome screen for the next payer. */
const SHOW_RESULT_MS = 60_000;
/** Steps after which a payment can still change by itself: the screen keeps following. */
const RUNNING = ['insertCard', 'enterPin', 'processing', 'qrScan'];

const $ = (id) => document.getElementById(id);
let last = null;

/**
 * A QR payment's step: the code to scan while it waits (until the bank has taken the code,
 * there is none yet: the bank is being contacted); once ended, declined covers both an
 * expired and a cancelled code, which the reason's code (errors.ts) tells apart.
 */
function qrStep(payment) {
  if (payment.state === 'qr_waiting') return payment.qr ? 'qrScan' : 'processing';
  if (payment.status !== 'declined') return payment.status;
  return payment.reason?.code === 'QR_CANCELLED' ? 'qrCancelled' : 'qrExpired';
}

function stepText(step) {
  if (step === 'enterPin') return w('customerPin');
  if (step === 'approved') return `${w('approved')}. ${w('thankYou')}`;
  return w(step);
}

function showIdle(screen) {
  screen.dataset.status = 'idle';
  $('c-label').textContent = w('welcome');
  for (const id of ['c-amount', 'c-step', 'c-reason']) $(id).textContent = '';
  showCode(null);
}

/** The code and what goes with it, only while a QR payment waits; hidden otherwise. */
function showCode(qr) {
  screen().classList.toggle('qr', Boolean(qr));
  for (const id of ['c-qr', 'c-words', 'c-ref']) $(id).hidden = !qr;
  if (!qr) {
    $('c-qr').removeAttribute('src');
    return;
  }
  if ($('c-qr').getAttribute('src') !== qr.png) $('c-qr').src = qr.png;
  $('c-qr').alt = w('qrCode');
  $('c-words').textContent = qr.amountWords[lang];
  $('c-ref').textContent = `${w('ref')} ${qr.reference} · ${w('qrContent')}: ${qr.qrReference}`;
}

const screen = () => $('c-screen');

function show(payment) {
  last = payment;
  const step = payment && (payment.kind === 'qr' ? qrStep(payment)
    : stepOf(payment.status, payment.state));
  const ended = payment && !RUNNING.includes(step);
  const stale = ended && Date.now() - Date.parse(payment.updatedAt) > SHOW_RESULT_MS;
  if (!payment || stale) return showIdle(screen());
  screen().dataset.status = payment.status;
  $('c-label').textContent = ['purchase', 'qr'].includes(payment.kind) ? w('customerAmount')
    : w(`kind_${payment.kind}`);
  $('c-amount').textContent = formatDong(payment.amount);
  $('c-step').textContent = stepText(step);
  $('c-reason').textContent = payment.reason ? payment.reason[lang] : '';
  showCode(payment.qr ?? null);
}

function translate() {
  document.documentElement.lang = lang;
  $('c-title').textContent = w('title');
  $('c-lang').textContent = w('lang');
  show(last);
}

async function poll() {
  try {
    const response = await fetch('/v1/customer-screen');
    if (response.ok) show((await response.json()).payment);
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

$('c-lang').addEventListener('click', () => {
  lang = lang === 'vi' ? 'en' : 'vi';
  translate();
});
translate();
poll();
