import { formatDong, parseDong, stepOf, WORDS } from './words.js';

const $ = (id) => document.getElementById(id);
/** How often device health is read again while the page is open. */
const DEVICES_MS = 3_000;
/** How often a waiting QR payment's status is read: the bank is polled behind it anyway. */
const QR_POLL_MS = 1_000;
const state = {
  lang: localStorage.getItem('quay.lang') === 'en' ? 'en' : 'vi',
  token: sessionStorage.getItem('quay.token'),
  fees: [], payment: null, dialog: null,
};
const w = (key) => WORDS[state.lang][key] ?? key;

/** An error the API answered with: its code and its words in both languages. */
class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.en ?? `HTTP ${status}`);
    this.status = status;
    this.body = body?.error ?? {};
  }
  text() {
    return `${this.body[state.lang] ?? this.message} (${this.body.code ?? this.status})`;
  }
}

async function api(path, { method = 'GET', body, headers = {} } = {}) {
  const auth = state.token ? { authorization: `Bearer ${state.token}` } : {};
  const response = await fetch(path, { method, headers: { ...auth, ...headers,
    ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  body: body === undefined ? undefined : JSON.stringify(body) });
  const data = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

const errorText = (err) => `${w('error')} ${err instanceof ApiError ? err.text() : err.message}`;

function translate() {
  document.documentElement.lang = state.lang;
  document.title = w('title');
  for (const el of document.querySelectorAll('[data-w]')) el.textContent = w(el.dataset.w);
  fillFees();
  showPayment();
  if (!$('work').hidden) loadToday();
}

function fillFees() {
  const select = $('fee');
  const chosen = select.value;
  select.replaceChildren(new Option(w('feeNone'), ''));
  for (const fee of state.fees) {
    const label = fee.amount ? `${fee[state.lang]} — ${formatDong(fee.amount)}` : fee[state.lang];
    select.add(new Option(label, fee.code));
  }
  select.value = chosen;
}

/** Choosing a fee fills the description and, for a fixed fee, the amount. */
function feeChosen() {
  const fee = state.fees.find((f) => f.code === $('fee').value);
  if (!fee) return;
  $('description').value = fee[state.lang];
  if (fee.amount) $('amount').value = formatDong(fee.amount).replace(' ₫', '');
  amountTyped();
}

function amountTyped() {
  const amount = parseDong($('amount').value);
  $('amount-shown').textContent = amount === null ? '' : formatDong(amount);
}

async function signIn(event) {
  event.preventDefault();
  $('sign-in-error').textContent = '';
  try {
    const session = await api('/v1/sessions', { method: 'POST',
      body: { name: $('user-name').value.trim(), secret: $('user-secret').value } });
    state.token = session.token;
    sessionStorage.setItem('quay.token', session.token);
    sessionStorage.setItem('quay.name', session.name);
    $('user-secret').value = '';
    await enter(session.name);
  } catch (err) {
    $('sign-in-error').textContent = errorText(err);
  }
}

async function signOut() {
  await api('/v1/sessions/current', { method: 'DELETE' }).catch(() => undefined);
  state.token = null;
  sessionStorage.removeItem('quay.token');
  sessionStorage.removeItem('quay.name');
  $('work').hidden = true;
  $('who').hidden = true;
  $('sign-in').hidden = false;
  $('user-name').focus();
}

async function enter(name) {
  $('sign-in').hidden = true;
  $('work').hidden = false;
  $('who').hidden = name === null;
  $('who-name').textContent = name ?? '';
  state.fees = (await api('/v1/fees')).items;
  fillFees();
  await Promise.all([loadToday(), loadDevices()]);
  $('fee').focus();
  state.devicesTimer ??= setInterval(() => {
    if (!$('work').hidden) loadDevices().catch(() => undefined);
  }, DEVICES_MS);
}

/** The fee as typed, checked; null (with the error shown and the field focused) if not. */
function readCharge() {
  $('charge-error').textContent = '';
  const amount = parseDong($('amount').value);
  if (amount === null) return fail('badAmount', 'amount');
  const reference = $('dossier').value.trim();
  if (!reference) return fail('required', 'dossier');
  const optional = (id) => $(id).value.trim() || undefined;
  return { amount, reference, description: optional('description'), payer: optional('payer') };
}

const newKey = () => `page-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

async function charge(event) {
  event.preventDefault();
  const body = readCharge();
  if (!body) return;
  $('pay').disabled = true;
  try {
    const row = await api('/v1/payments', { method: 'POST',
      headers: { prefer: 'respond-async', 'idempotency-key': newKey() }, body });
    state.payment = row;
    $('print-result').textContent = '';
    showPayment();
    await follow(row.journalId);
  } catch (err) {
    $('charge-error').textContent = errorText(err);
  } finally {
    $('pay').disabled = false;
  }
}

function fail(key, field) {
  $('charge-error').textContent = w(key);
  $(field).focus();
  return null;
}

/**
 * The same fee paid by VietQR: the code is shown here and on the customer's screen, and its
 * status read until the bank's transfer arrives, the code expires or the clerk cancels it.
 */
async function chargeQr() {
  const body = readCharge();
  if (!body) return;
  $('pay').disabled = true;
  $('pay-qr').disabled = true;
  try {
    state.payment = await api('/v1/qr-payments', { method: 'POST',
      body: { ...body, idempotencyKey: newKey() } });
    $('print-result').textContent = '';
    showPayment();
    $('qr-cancel').focus();
    // The waiting row and the busy terminal are seen at once, not only once the payment ends.
    await Promise.all([loadToday(), loadDevices()]);
    await followQr(state.payment.journalId);
    $('fee').focus();
  } catch (err) {
    $('charge-error').textContent = errorText(err);
  } finally {
    $('pay').disabled = false;
    $('pay-qr').disabled = false;
  }
}

async function followQr(id) {
  while (state.payment?.journalId === id && state.payment.status === 'waiting') {
    await new Promise((wake) => setTimeout(wake, QR_POLL_MS));
    const now = await api(`/v1/qr-payments/${id}`);
    if (state.payment?.journalId === id) state.payment = { ...state.payment, ...now };
    showPayment();
  }
  await Promise.all([loadToday(), loadDevices()]);
}

async function cancelQr() {
  try {
    const id = state.payment.journalId;
    const now = await api(`/v1/qr-payments/${id}/cancel`, { method: 'POST' });
    if (state.payment?.journalId === id) state.payment = { ...state.payment, ...now };
    showPayment();
  } catch (err) {
    $('print-result').textContent = errorText(err);
  }
}

/** A QR payment's words: an expired and a cancelled code are both declined (errors.ts). */
function qrStep(p) {
  if (p.status === 'waiting') return 'qrWaiting';
  if (p.status !== 'declined') return p.status;
  return p.reason?.code === 'QR_CANCELLED' ? 'qrCancelled' : 'qrExpired';
}

function showQrPayment(p) {
  const waiting = p.status === 'waiting';
  $('status').textContent = `${w(qrStep(p))} — ${formatDong(p.amount)}`;
  $('status').dataset.status = p.status;
  const parts = [`#${p.journalId}`, p.reference, `${w('qrContent')}: ${p.qrReference}`];
  if (p.bankTransferId) parts.push(`${w('transferId')} ${p.bankTransferId}`);
  if (p.reason && p.status !== 'declined') parts.push(`${w('reason')} ${p.reason[state.lang]}`);
  $('payment-detail').textContent = parts.join(' · ');
  $('qr-code').hidden = !waiting;
  if (waiting && $('qr-code').getAttribute('src') !== p.png) $('qr-code').src = p.png;
  $('qr-code').alt = w('qrCode');
  $('qr-cancel').hidden = !waiting;
  $('abort').hidden = true;
  $('reprint').hidden = true;
}

/**
 * Follows the payment's server-sent events. EventSource cannot carry the bearer token, so the
 * stream is read through fetch and split into events here (blank line between events).
 */
async function follow(id) {
  const auth = state.token ? { authorization: `Bearer ${state.token}` } : {};
  const response = await fetch(`/v1/payments/${id}/events`, { headers: auth });
  if (!response.ok) throw new ApiError(response.status, await response.json());
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      onEvent(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
    }
  }
  await Promise.all([loadToday(), loadDevices()]);
}

function onEvent(block) {
  const name = /^event: (.*)$/m.exec(block)?.[1];
  const data = /^data: (.*)$/m.exec(block)?.[1];
  if (!name || !data) return;
  const event = JSON.parse(data);
  state.payment = name === 'end' ? event : { ...state.payment, ...event };
  showPayment();
  if (name === 'end') $('reprint').focus();
}

function showPayment() {
  const p = state.payment;
  if (!p) return;
  if (p.kind === 'qr') return showQrPayment(p);
  $('qr-code').hidden = true;
  $('qr-cancel').hidden = true;
  const step = stepOf(p.status, p.state);
  const ended = !['insertCard', 'enterPin', 'processing'].includes(step);
  $('status').textContent = `${w(step)} — ${formatDong(p.amount)}`;
  $('status').dataset.status = p.status;
  const reason = p.reason ? ` ${w('reason')} ${p.reason[state.lang]}` : '';
  $('payment-detail').textContent = `#${p.journalId} · ${p.reference ?? ''}${
    p.maskedPan ? ` · ${p.maskedPan}` : ''}${
    p.authCode ? ` · ${w('approval')} ${p.authCode}` : ''}${reason}`;
  $('abort').hidden = ended;
  $('reprint').hidden = !ended || !p.receiptKept;
}

async function abort() {
  try {
    await api(`/v1/payments/${state.payment.journalId}/abort`, { method: 'POST' });
  } catch (err) {
    $('print-result').textContent = errorText(err);
  }
}

async function reprint(id) {
  try {
    const out = await api(`/v1/payments/${id}/reprint`, { method: 'POST' });
    $('print-result').textContent = out.printed ? w('printed')
      : `${w('notPrinted')} ${out.error?.message ?? ''}`;
  } catch (err) {
    $('print-result').textContent = errorText(err);
  }
}

function startOfToday() {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
}

async function loadToday() {
  const page = await api(`/v1/transactions?limit=200&from=${encodeURIComponent(startOfToday())}`);
  const rows = page.items.map((t) => {
    const tr = document.createElement('tr');
    tr.dataset.id = t.journalId;
    const time = new Date(t.createdAt).toLocaleTimeString(state.lang === 'vi' ? 'vi-VN' : 'en-GB');
    for (const text of [time, `${w(`kind_${t.kind}`)} #${t.journalId}`, t.reference,
      formatDong(t.amount), t.maskedPan ?? '', w(t.status)]) {
      tr.insertCell().textContent = text;
    }
    const cell = tr.insertCell();
    const button = (key, action) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = w(key);
      b.setAttribute('aria-label', `${w(key)} #${t.journalId}`);
      b.addEventListener('click', action);
      cell.append(b);
    };
    if (t.receiptKept) button('reprint', () => reprint(t.journalId));
    // A void is only possible before settlement; afterwards the money goes back by refund.
    if (t.kind === 'purchase' && t.state === 'approved') {
      button('void', () => openDialog({ kind: 'void', row: t }));
    }
    if (t.kind === 'purchase' && t.status === 'approved') {
      button('refund', () => openDialog({ kind: 'refund', row: t }));
    }
    // A QR payment was a bank transfer: the card host cannot give it back (issue rule).
    if (t.kind === 'qr' && t.status === 'approved') {
      const note = document.createElement('span');
      note.className = 'note';
      note.textContent = w('qrRefundNote');
      cell.append(note);
    }
    return tr;
  });
  $('rows').replaceChildren(...rows);
  $('no-rows').hidden = rows.length > 0;
}

async function loadDevices() {
  const [devices, offline] = await Promise.all([api('/v1/devices'), api('/v1/offline')]);
  const items = [
    [w('terminal'), devices.terminal.busy ? w('busy') : w('ready')],
    [w('offline'), String(offline.toForward)],
    [w('reversals'), String(devices.reversals.pending)],
    [w('notifications'), String(devices.notifications.pending)],
  ];
  $('device-list').replaceChildren(...items.flatMap(([term, value]) => {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    return [dt, dd];
  }));
}

function reportText(r) {
  const line = (key, part) => `${w(key)}: ${part.count} · ${formatDong(part.amount)}`;
  const head = r.kind === 'Z' ? `${w('settled')} ${r.batch} (${w('nextBatch')} ${r.nextBatch})`
    : `${w('xReport')} — ${w('batch')} ${r.batch}`;
  return [head, line('sales', r.sales), line('refunds', r.refunds), line('voids', r.voids),
    `${w('net')}: ${formatDong(r.net)}`];
}

function showReport(report) {
  $('report').replaceChildren(...reportText(report).map((text) => {
    const p = document.createElement('p');
    p.textContent = text;
    return p;
  }));
}

/** The supervisor's dialog: a native modal, so Esc closes it and focus stays inside. */
function openDialog(what) {
  state.dialog = what;
  const text = what.kind === 'settle' ? w('settleOf')
    : `${w(what.kind === 'void' ? 'voidOf' : 'refundOf')} ${what.row.journalId} — ${
      formatDong(what.row.amount)}`;
  $('supervisor-what').textContent = text;
  $('refund-field').hidden = what.kind !== 'refund';
  $('refund-amount').value = what.kind === 'refund' ? String(what.row.amount) : '';
  $('supervisor-error').textContent = '';
  // Nothing of the last supervisor stays filled in at a shared counter.
  $('supervisor-name').value = '';
  $('supervisor-secret').value = '';
  $('supervisor-dialog').showModal();
  $(what.kind === 'refund' ? 'refund-amount' : 'supervisor-name').focus();
}

async function confirmDialog(event) {
  event.preventDefault();
  const what = state.dialog;
  const supervisor = { name: $('supervisor-name').value.trim(),
    secret: $('supervisor-secret').value };
  try {
    if (what.kind === 'settle') {
      showReport(await api('/v1/settlement', { method: 'POST', body: { supervisor } }));
    } else {
      const body = { supervisor };
      if (what.kind === 'refund') {
        body.amount = parseDong($('refund-amount').value);
        if (body.amount === null) throw new Error(w('badAmount'));
      }
      const out = await api(`/v1/payments/${what.row.journalId}/${what.kind}`,
        { method: 'POST', body });
      $('print-result').textContent = `${w(`kind_${out.kind}`)} #${out.journalId}: ${
        w(out.status)}${out.reason ? ` — ${out.reason}` : ''}`;
    }
    $('supervisor-secret').value = '';
    $('supervisor-dialog').close();
    await Promise.all([loadToday(), loadDevices()]);
  } catch (err) {
    $('supervisor-error').textContent = errorText(err);
  }
}

function wire() {
  $('lang').addEventListener('click', () => {
    state.lang = state.lang === 'vi' ? 'en' : 'vi';
    localStorage.setItem('quay.lang', state.lang);
    translate();
  });
  $('sign-in-form').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', signOut);
  // input as well as change: arrowing through a closed list chooses without a change event.
  $('fee').addEventListener('input', feeChosen);
  $('fee').addEventListener('change', feeChosen);
  $('amount').addEventListener('input', amountTyped);
  $('charge-form').addEventListener('submit', charge);
  $('pay-qr').addEventListener('click', chargeQr);
  $('qr-cancel').addEventListener('click', cancelQr);
  $('abort').addEventListener('click', abort);
  $('reprint').addEventListener('click', () => reprint(state.payment.journalId));
  $('refresh').addEventListener('click', () => Promise.all([loadToday(), loadDevices()]));
  $('x-report').addEventListener('click', async () => {
    try { showReport(await api('/v1/reports/x')); } catch (err) {
      $('report').textContent = errorText(err);
    }
  });
  $('settle').addEventListener('click', () => openDialog({ kind: 'settle' }));
  $('supervisor-form').addEventListener('submit', confirmDialog);
  $('supervisor-cancel').addEventListener('click', () => $('supervisor-dialog').close());
}

async function start() {
  wire();
  translate();
  // Where no users are configured (loopback use only), the API needs no sign-in.
  try {
    await api('/v1/devices');
    await enter(state.token ? sessionStorage.getItem('quay.name') : null);
  } catch {
    state.token = null;
    $('sign-in').hidden = false;
    $('user-name').focus();
  }
}

start();
