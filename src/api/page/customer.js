import { formatDong, stepOf, WORDS } from './words.js';

// The customer reads this screen in Vietnamese, with every diacritic: unlike the pole display,
// a browser has the letters, so nothing is folded to ASCII here.
const words = WORDS.vi;
const POLL_MS = 500;
/** After this long, a finished payment gives way to the welcome screen for the next payer. */
const SHOW_RESULT_MS = 60_000;

const $ = (id) => document.getElementById(id);

function show(payment) {
  const ended = payment && !['insertCard', 'enterPin', 'processing']
    .includes(stepOf(payment.status, payment.state));
  const stale = ended && Date.now() - Date.parse(payment.updatedAt) > SHOW_RESULT_MS;
  const screen = $('c-screen');
  if (!payment || stale) {
    screen.dataset.status = 'idle';
    $('c-label').textContent = words.welcome;
    $('c-amount').textContent = '';
    $('c-step').textContent = '';
    $('c-reason').textContent = '';
    return;
  }
  const step = stepOf(payment.status, payment.state);
  screen.dataset.status = payment.status;
  $('c-label').textContent = payment.kind === 'purchase' ? words.customerAmount
    : words[`kind_${payment.kind}`];
  $('c-amount').textContent = formatDong(payment.amount);
  $('c-step').textContent = step === 'enterPin' ? words.customerPin
    : step === 'approved' ? `${words.approved}. ${words.thankYou}` : words[step] ?? '';
  $('c-reason').textContent = payment.reason ? payment.reason.vi : '';
}

async function poll() {
  try {
    const response = await fetch('/v1/customer-screen');
    if (response.ok) show((await response.json()).payment);
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

$('c-title').textContent = words.title;
poll();
