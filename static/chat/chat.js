/* intake-chat frame app: draws the conversation and speaks the chat protocol (docs/protocol.md).
   Plain JS, no build step. Visitor, bot and staff text only ever goes in through textContent. */
(() => {
'use strict';
const d = document, w = window, H = d.documentElement, D = H.dataset;
const T = JSON.parse(D.strings || '{}');
const PARENT = D.parent || '';
const EMBED = !!PARENT && w.parent !== w;
const MODE = EMBED ? D.mode : 'page';
const $ = id => d.getElementById(id);
const logEl = $('log'), form = $('composer'), statusEl = $('status'), panel = $('crisis');
const scroller = $('scroll'), picks = $('picks');
const BASE = D.base || '';  // a flow editor's preview talks to its sandbox under this path
const KEY = 'intake-chat.' + (BASE ? 'preview.' : '');

[['--accent', D.accent], ['--on-accent', D.onAccent], ['--ink', D.ink]].forEach(([k, v]) => v && H.style.setProperty(k, v));
/* a logo that fails to load: hidden, not the broken-image mark */
const logo = d.querySelector('.logo');
if (logo && logo.decode) logo.decode().catch(() => { logo.hidden = true; });

/* ---------- storage: sessionStorage by default, localStorage if the host asked; memory if blocked */
const stores = () => { const out = []; try { out.push(sessionStorage, localStorage); } catch (e) { /* blocked */ } return out; };
let memory = false;
const store = (() => {
  try {
    const s = D.storage === 'local' ? localStorage : sessionStorage;
    s.setItem(KEY + 'probe', '1'); s.removeItem(KEY + 'probe');
    return s;
  } catch (e) {
    memory = true;
    const m = new Map();
    return {getItem: k => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: k => m.delete(k)};
  }
})();
const get = k => { try { return JSON.parse(store.getItem(KEY + k)); } catch (e) { return null; } };
const put = (k, v) => { try { if (v == null) store.removeItem(KEY + k); else store.setItem(KEY + k, JSON.stringify(v)); } catch (e) { /* full or blocked */ } };
function forgetAll() {
  for (const s of stores()) {
    try { for (const k of Object.keys(s)) if (k.startsWith(KEY)) s.removeItem(k); } catch (e) { /* blocked */ }
  }
  if (memory) for (const k of ['token', 'open', 'outbox', 'draft']) put(k, null);
}

/* ---------- small DOM helpers */
function el(tag, attrs, kids) {
  const e = d.createElement(tag);
  for (const k in attrs || {}) {
    const v = attrs[k];
    if (v == null || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k === 'class') e.className = v;
    else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of kids || []) if (c != null && c !== false) e.append(c);
  return e;
}
const vh = text => el('span', {class: 'vh', text});
let uid = 0;
const nextId = p => p + (++uid);

/* ---------- talking to the host page (exact origins both ways, no personal data) */
function tell(type, extra) {
  if (EMBED) w.parent.postMessage(Object.assign({intake: 1, type}, extra || {}), PARENT);
}
w.addEventListener('message', e => {
  if (!EMBED || e.origin !== PARENT || e.source !== w.parent) return;
  const m = e.data;
  if (!m || m.intake !== 1) return;
  if (m.type === 'open') onOpen();
  else if (m.type === 'close') onClose();
  else if (m.type === 'warm') warm();
  else if (m.type === 'exit') quickExit();
});

/* ---------- state */
let token = get('token');
let seen = new Set(), lastSeq = 0;
let outbox = get('outbox') || [];     // frames sent or waiting, until the server has answered them
let ask = null, phase = 'idle';       // phase: idle | asking | handoff | ended
let shown = MODE !== 'launcher';
let unread = 0, replaying = false, repeatOf = null, answered = false, began = false;
let crisisSeen = false;

/* ---------- status line */
function status(text, busy) {
  statusEl.textContent = text || '';
  statusEl.className = 'status' + (text ? ' on' : '') + (busy ? ' busy' : '');
}

/* ---------- transport: WebSocket first, HTTP long-poll when sockets fail */
const WS_URL = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + BASE + '/ws/chat';
const API = BASE + '/api/chat/sessions';
let transport = D.transport === 'http' || !('WebSocket' in w) ? 'http' : 'ws';
let ws = null, live = false, wsFails = 0, wsWorked = false, retryTimer = 0, retries = 0;
let wanted = false, polling = false, posting = false, conn = 0;

function connect() {
  wanted = true;
  clearTimeout(retryTimer);
  if (transport === 'ws') openSocket(); else httpHello();
}
function warm() { if (token || began) connect(); }

function openSocket() {
  if (ws) return;
  if (!live) status(retries ? reconnectText() : T.connecting, true);
  let s;
  try { s = new WebSocket(WS_URL); } catch (e) { wsFails++; return fallBack(); }
  ws = s;
  const id = ++conn;
  let replied = false;
  s.onopen = () => raw(hello());
  s.onmessage = e => {
    if (ws !== s) return;
    let m;
    try { m = JSON.parse(e.data); } catch (x) { return; }
    if (!replied) { replied = true; wsWorked = true; wsFails = 0; }
    receive(Array.isArray(m) ? m : [m], id);
  };
  /* two sockets in a row without a reply, and none ever worked: HTTP from now on */
  s.onclose = () => {
    if (ws !== s) return;
    ws = null; live = false;
    if (!replied) wsFails++;
    if (!wsWorked && wsFails >= 2 && navigator.onLine !== false) return fallBack();
    lost();
  };
}
function fallBack() { transport = 'http'; ws = null; connect(); }
const raw = f => { try { ws.send(JSON.stringify(f)); } catch (e) { /* the close handler retries */ } };
function hello() {
  if (token) return {type: 'resume', token, after: lastSeq};
  const f = {type: 'start', locale: D.locale};
  if (D.flow) f.flow = D.flow;
  return f;
}

async function http(method, url, body) {
  try {
    const r = await fetch(url, {
      method, credentials: 'omit', cache: 'no-store',
      headers: body ? {'Content-Type': 'application/json'} : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    let data = null;
    try { data = await r.json(); } catch (e) { /* not JSON */ }
    if (!data || typeof data !== 'object') return r.status >= 500 ? null : {events: [{type: 'error', code: 'internal', text: T.error}]};
    if (r.status >= 500 && !data.events) return null;
    return data;
  } catch (e) { return null; }
}
function eventsOf(data) {
  if (Array.isArray(data.events)) return data.events;
  const err = data.error && typeof data.error === 'object' ? data.error : data;
  return err.code ? [Object.assign({type: 'error'}, err)] : [];
}
const RETRY = {rate_limited: 1, storage_unavailable: 1, server_busy: 1, internal: 1};
const later = ev => Math.max(1, Math.min(30, +ev.retry_after || 3)) * 1000;
async function httpHello() {
  if (live || posting) return;
  if (navigator.onLine === false) return lost();
  status(retries ? reconnectText() : T.connecting, true);
  const id = ++conn;
  if (!token) {
    posting = true;
    const data = await http('POST', API, hello());
    posting = false;
    if (id !== conn) return;  // cleared or left meanwhile
    if (!data) return lost();
    const evs = eventsOf(data);
    if (data.token && !evs.some(e => e.type === 'session')) evs.unshift({type: 'session', token: data.token});
    const err = evs.find(e => e.type === 'error');
    if (err && RETRY[err.code]) { status(err.text); retryTimer = setTimeout(connect, later(err)); return; }
    receive(evs, id);
    if (!token) return;
  } else if (lastSeq === 0) replay();
  live = true; retries = 0;
  status('');
  flush();
  poll();
}
async function poll() {
  if (polling) return;
  polling = true;
  while (wanted && token && transport === 'http' && live) {
    const t = token;
    const data = await http('GET', API + '/' + encodeURIComponent(t) + '/events?after=' + lastSeq);
    if (t !== token) continue;
    if (!data) { polling = false; return lost(); }
    const evs = eventsOf(data), err = evs.find(e => e.type === 'error');
    receive(evs, conn);
    if (err) { polling = false; if (token && wanted) { live = false; retryTimer = setTimeout(connect, later(err)); } return; }
  }
  polling = false;
}
async function postNext() {
  if (posting || !live || !outbox.length) return;
  posting = true;
  const item = outbox[0], id = conn;
  item.on = id;
  const data = await http('POST', API + '/' + encodeURIComponent(token) + '/events', item.frame);
  posting = false;
  if (id !== conn) return;
  if (!data) return lost();
  const evs = eventsOf(data), err = evs.find(e => e.type === 'error');
  if (err && RETRY[err.code]) { item.on = 0; status(err.text); setTimeout(postNext, later(err)); return; }
  if (err) refuse(item, err); else ack(item.id);
  receive(evs.filter(e => e !== err), conn);
  postNext();
}

function lost() {
  live = false;
  if (!wanted) return;
  clearTimeout(retryTimer);
  status(reconnectText(), true);
  markQueued();
  const delay = Math.min(15000, 400 * 2 ** retries++) * (0.8 + Math.random() * 0.4);
  retryTimer = setTimeout(connect, delay);
}
const reconnectText = () => (navigator.onLine === false ? T.offline : T.reconnecting);
w.addEventListener('online', () => { retries = 0; if (wanted && !live) connect(); });
w.addEventListener('offline', () => { if (wanted) status(T.offline, true); });

/* ---------- sending: every frame carries an id, so a resend after a drop is applied only once.
   A frame stays in the outbox (and in storage) until the server's `visitor` event names its id. */
function send(frame, mine) {
  frame.id = 'w' + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  const item = {id: frame.id, frame, text: mine == null ? null : String(mine), on: 0};
  outbox.push(item);
  saveOutbox();
  if (item.text != null) bubble('you', item.text, {fid: item.id, queued: !live});
  answered = true;
  if (crisisSeen && !panel.hidden) shut();
  if (live) flush(); else connect();
  if (phase === 'asking' && frame.type !== 'back') typing(true);
}
const saveOutbox = () => put('outbox', outbox.length ? outbox.map(x => ({id: x.id, frame: x.frame, text: x.text, on: 0})) : null);
function flush() {
  if (!live) return;
  if (transport === 'http') return postNext();
  for (const item of outbox) {
    if (item.on === conn) continue;
    item.on = conn;
    raw(item.frame);
  }
  markQueued();
}
function ack(id) {
  const i = outbox.findIndex(x => x.id === id);
  if (i < 0) return;
  outbox.splice(i, 1);
  saveOutbox();
  const b = bubbleOf(id);
  if (b) { b.classList.remove('queued'); const q = b.querySelector('.q'); if (q) q.remove(); }
  if (b && phase === 'handoff') markSent(b);
  if (id === switchId) relocate(switchTo);
}
const bubbleOf = id => logEl.querySelector('[data-fid="' + String(id).replace(/[^\w-]/g, '') + '"]');
/* The server would not take a frame (too long, not expected now): hand the text back to the visitor. */
function refuse(item, ev) {
  const i = outbox.indexOf(item);
  if (i >= 0) outbox.splice(i, 1);
  saveOutbox();
  const b = bubbleOf(item.id);
  if (b) b.remove();
  if (ask && item.frame.type === 'reply' && ev.code !== 'not_expected') {
    if (item.frame.text) put('draft', {node: (lastSent && lastSent.node[0] === '*' ? '*' : '') + ask.node, text: item.frame.text});
    invalidText = ev.text || T.error; invalidNode = ask.node; drawn = null;
  } else status(ev.text || T.error);
}
function markQueued() {
  for (const item of outbox) {
    const b = bubbleOf(item.id);
    if (!b) continue;
    const waiting = !live || item.on !== conn;
    b.classList.toggle('queued', waiting);
    const q = b.querySelector('.q');
    if (waiting && !q) b.append(el('span', {class: 'q', text: T.queued}));
    if (!waiting && q) q.remove();
  }
}

/* ---------- receiving */
let settleTimer = 0;
function replay() { replaying = true; logEl.setAttribute('aria-busy', 'true'); }
function receive(events, id) {
  for (const ev of events) {
    if (!ev || typeof ev !== 'object') continue;
    if (ev.type === 'session') { onSession(ev); continue; }
    if (ev.type === 'erased') return onErased();
    if (ev.type === 'visitor' && ev.id) ack(ev.id);
    if (ev.type === 'error') { onError(ev, id); continue; }
    if (typeof ev.seq === 'number') {
      if (seen.has(ev.seq)) continue;
      seen.add(ev.seq);
      lastSeq = Math.max(lastSeq, ev.seq);
    }
    try { show(ev); } catch (e) { /* one odd event must not stop the rest */ }
  }
  clearTimeout(settleTimer);
  settleTimer = setTimeout(settle, replaying ? 80 : 0);
}
/* After a burst of events (a replay): draw the composer once; frames still unsent go after the log. */
function settle() {
  if (replaying) { replaying = false; logEl.removeAttribute('aria-busy'); }
  for (const item of outbox) {
    if (item.text != null && !bubbleOf(item.id)) bubble('you', item.text, {fid: item.id});
  }
  markQueued();
  renderComposer();
  reveal();
}
function onSession(ev) {
  const resumed = !!token;
  if (ev.token && ev.token !== token) { token = ev.token; put('token', token); }
  if (resumed && lastSeq === 0) replay();
  live = true; retries = 0; began = true;
  status(waiting() ? T.waiting : '');
  flush();
}

let staffJoined = false, handoffMode = '';
const waiting = () => phase === 'handoff' && handoffMode === 'live' && !staffJoined;
function show(ev) {
  if (BOT_SAYS[ev.type]) typing(false);
  switch (ev.type) {
    case 'message': onMessage(ev); break;
    case 'ask': onAsk(ev); break;
    case 'invalid': markRejected(); repeatOf = ev.node; invalidText = ev.text || T.error; invalidNode = ev.node; break;
    case 'crisis': onCrisis(ev); break;
    case 'handoff':
      phase = 'handoff'; ask = null; handoffMode = ev.mode;
      if (ev.name != null) staffJoined = true;  // a person accepted the chat (live:joined)
      if (ev.text) {
        const res = (Array.isArray(ev.resources) ? ev.resources : []).filter(r => r && safeHref(r.href));
        const item = bubble('bot', ev.text);
        if (res.length) item.append(el('ul', {class: 'res'}, res.map(r => el('li', {}, [el('a', {href: r.href, text: r.label || r.href})]))));
      }
      status(waiting() ? T.waiting : '');  // a queued handoff ends the wait for a person
      tell('event', {name: 'handoff', detail: {mode: ev.mode === 'live' ? 'live' : 'queued'}});
      break;
    case 'staff':
      staffJoined = true;
      if (phase === 'handoff') status('');
      bubble('staff', ev.text, {name: ev.name});
      break;
    case 'end': phase = 'ended'; ask = null; if (ev.text) bubble('bot', ev.text); break;
    case 'visitor': onVisitor(ev); break;
    default: break;
  }
  if (!shown && !replaying && (ev.type === 'message' || ev.type === 'staff' || ev.type === 'ask')) {
    unread++; tell('unread', {n: unread});
  }
}
let invalidText = '', invalidNode = null;

function onAsk(ev) {
  const input = ev.input || {};
  const same = ask && ask.node === ev.node;
  if (!(same && (!answered || repeatOf === ev.node))) {
    bubble('bot', input.label || '', {notice: same ? null : input.notice, fields: input.kind === 'summary' ? input.fields : null});  // asked again: no long notice
    invalidNode = null;
  } else if (repeatOf !== ev.node) invalidNode = null;
  repeatOf = null; answered = false;
  ask = ev; phase = 'asking';
}
/* What the visitor did, as the server logged it: on a reload this redraws their side. */
const intentLabels = {};
function onVisitor(ev) {
  const offer = ev.offer_locale && d.querySelector('[data-offer="' + String(ev.offer_locale).replace(/\W/g, '') + '"]');
  if (offer) offer.hidden = false;
  if (ev.id && bubbleOf(ev.id)) return;
  const a = ev.action;
  let text = null;
  if (a === 'reply') {
    text = ev.skip ? T.skipped : Array.isArray(ev.labels) ? ev.labels.join(', ') : ev.label != null ? ev.label : echoOf(ev.text, 'auto');
  } else if (a === 'intent') text = intentLabels[ev.intent] || null;
  else if (a === 'restart') divider(T.started_over);
  if (text != null && text !== '') bubble('you', String(text), {fid: ev.id});
  if (a !== 'start' && a !== 'resume') answered = true;
}
function onError(ev, id) {
  if (ev.code === 'unknown_token' || ev.code === 'expired') {
    hangUp();
    token = null; put('token', null); outbox = []; saveOutbox();
    phase = 'ended'; ask = null; drawn = null;
    status('');
    bubble('bot', ev.text || T.expired, {cls: 'note'});
    return;
  }
  // over a socket, an error answers the oldest frame sent on this connection
  const head = transport === 'ws' ? outbox.find(x => x.on === id) : null;
  if (RETRY[ev.code]) {
    status(ev.text || T.error);
    if (head) { head.on = 0; setTimeout(() => { status(''); flush(); }, later(ev)); }
    else if (!live && ws) { const s = ws; setTimeout(() => { if (ws === s) raw(hello()); }, later(ev)); }
    return;
  }
  if (head) refuse(head, ev); else status(ev.text || T.error);
}

/* ---------- the transcript */
function bubble(who, text, o) {
  o = o || {};
  const label = who === 'you' ? T.you : who === 'staff' ? (o.name || '') + ' (' + T.staff + '):' : T.bot;
  const body = el('p', {class: 'txt'}, who === 'bot' ? linked(text) : [String(text == null ? '' : text)]);
  const item = el('div', {class: 'msg ' + who + (o.cls ? ' ' + o.cls : ''), 'data-fid': o.fid}, [
    who === 'staff' ? el('span', {class: 'who', text: label}) : vh(label + ' '),
    body,
  ]);
  if (o.notice) item.append(el('p', {class: 'notice', text: o.notice}));
  if (Array.isArray(o.fields) && o.fields.length) {
    item.append(el('dl', {class: 'fields'}, o.fields.flatMap(f => [
      el('dt', {text: String(f.label || f.var || '')}), el('dd', {text: f.value == null ? '—' : Array.isArray(f.value) ? f.value.join(', ') : echoOf(f.value, /phone|tel/i.test(f.var || '') ? 'tel' : 'auto')}),
    ])));
  }
  if (!replaying && who !== 'you') stamp(item);
  if (o.queued) { item.classList.add('queued'); item.append(el('span', {class: 'q', text: T.queued})); }
  logEl.append(item);
  if (!firstNew && !replaying) firstNew = item;
  scrollDown();
  return item;
}
/* Phone numbers and emails in bot words become links (nodes, never HTML); other text stays plain. */
const CONTACT = /(\b\d{3}[-.]\d{3}[-.]\d{4}\b|[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b)/;
function linked(text) {
  return String(text == null ? '' : text).split(CONTACT).map((part, i) => (i % 2
    ? el('a', {href: (part.includes('@') ? 'mailto:' : 'tel:') + part, text: part}) : part));
}
function divider(text) { logEl.append(el('div', {class: 'div', role: 'separator', text})); }
function scrollDown() { scroller.scrollTop = scroller.scrollHeight; }
// a phone keyboard shrinks the view
[w, w.visualViewport].forEach(t => t && t.addEventListener('resize', scrollDown));
/* To the end, unless that hides the first new bubble of a reply: then that one at the top. */
let firstNew = null;
function reveal() {
  const first = firstNew;
  firstNew = null;
  scrollDown();
  if (!first || !first.isConnected || !panel.hidden) return;
  const top = first.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
  if (top < 0) scroller.scrollTop += top - 8;
}

/* ---------- the composer: one control per input kind */
const textKinds = {text: 'text', email: 'email', phone: 'tel', date: 'date', number: 'number'};
let drawn = null, lastSent = null;
function renderComposer() {
  const key = phase + '|' + (ask ? ask.seq + ':' + ask.node + (ask.paused || '') : '') + '|' + (invalidNode || '') + invalidText;
  if (key === drawn) return;
  drawn = key;
  const hadFocus = form.contains(d.activeElement) || picks.contains(d.activeElement) || d.activeElement === d.body || d.activeElement === logEl;
  form.replaceChildren();
  picks.replaceChildren();
  form.onsubmit = null;
  $('start').hidden = true;
  if (!began && !token && MODE !== 'launcher') { $('start').hidden = false; return; }
  if (phase === 'ended') {
    form.append(el('button', {type: 'button', class: 'btn primary wide', text: T.new_chat, onclick: newChat}));
  } else if (phase === 'asking' && ask && !ask.paused) {
    drawAsk(ask);
  } else if (phase === 'handoff' || phase === 'asking') {
    // after a handoff no bot answers: say who reads what is typed
    form.append(textRow(phase !== 'handoff' ? T.message : handoffMode === 'queued' ? T.to_team_later : T.to_team, 'text', false));
  }
  if (hadFocus && shown) focusComposer();
}
function errorBox() {
  const box = el('p', {class: 'err', id: 'err', 'aria-live': 'polite'});
  if (ask && invalidNode === ask.node) box.textContent = invalidText;
  return box;
}
function drawAsk(a) {
  const input = a.input || {}, kind = input.kind || 'text';
  const err = errorBox();
  const bad = !!err.textContent;
  /* date, number and checkbox steps get a box for words too: the safety check reads every step */
  const freeBad = bad && !!lastSent && lastSent.node[0] === '*';
  if (textKinds[kind]) {
    const row = textRow(input.label || T.message, kind, true, input, bad && !freeBad);
    form.append(row, err);
    if (kind === 'date' || kind === 'number') form.append(oneSend(row, textRow(T.or_message, 'text', false, {}, freeBad, true)));
  } else if (kind === 'multi') {
    drawMulti(input, err, bad);
    form.append(textRow(T.or_message, 'text', false, {}, freeBad));
  } else {
    drawChoices(input, kind, err);
    form.append(err);
    form.append(textRow(T.or_type, 'text', false, {}, bad));
  }
  const extras = [];
  if (input.can_back) extras.push(el('button', {type: 'button', class: 'btn ghost', 'aria-label': T.back_hint, onclick: goBack}, ['← ' + T.back]));
  if (input.required === false) extras.push(el('button', {type: 'button', class: 'btn ghost', text: T.skip, onclick: () => send({type: 'reply', skip: true}, T.skipped)}));
  if (extras.length) picks.append(el('div', {class: 'row extras'}, extras));
}
function optionsOf(input, kind) {
  if (Array.isArray(input.options) && input.options.length) return input.options;
  if (kind === 'yesno') return [{value: 'yes', label: T.yes}, {value: 'no', label: T.no}];
  if (kind === 'consent') return [{value: 'accept', label: T.agree}, {value: 'decline', label: T.disagree}];
  return [];
}
function drawChoices(input, kind, err) {
  const opts = optionsOf(input, kind);
  const vertical = kind === 'summary' || opts.length > 4;
  const bar = el('div', {
    class: 'choices' + (vertical ? ' list' : ''), role: 'toolbar', 'aria-label': input.label || '',
    'aria-orientation': vertical ? 'vertical' : null, 'aria-describedby': err.textContent ? 'err' : null,
  });
  const isCurrent = o => input.value !== undefined && input.value !== null && String(input.value) === String(o.value);
  const stop = Math.max(0, opts.findIndex(isCurrent));  // back at a question: the earlier answer is the Tab stop
  opts.forEach((o, i) => {
    const current = isCurrent(o);
    bar.append(el('button', {
      type: 'button', class: 'chip' + (current ? ' current' : ''), tabindex: i === stop ? '0' : '-1',
      onclick: () => send({type: 'reply', choice: o.value}, o.label),
    }, [String(o.label), current ? vh(' ' + T.current) : null]));
  });
  bar.addEventListener('keydown', e => {
    const items = [...bar.children], i = items.indexOf(d.activeElement);
    if (i < 0) return;
    const n = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1}[e.key];
    let j = n ? (i + n + items.length) % items.length : e.key === 'Home' ? 0 : e.key === 'End' ? items.length - 1 : -1;
    if (j < 0) return;
    e.preventDefault();
    items[i].tabIndex = -1; items[j].tabIndex = 0; items[j].focus();
  });
  picks.append(bar);
}
function drawMulti(input, err, bad) {
  const chosen = Array.isArray(input.value) ? input.value.map(String) : [];
  const box = el('fieldset', {class: 'multi', 'aria-describedby': 'err', 'aria-invalid': bad ? 'true' : null}, [el('legend', {class: 'vh', text: input.label || ''})]);
  for (const o of input.options || []) {
    const id = nextId('o');
    box.append(el('div', {class: 'check'}, [
      el('input', {type: 'checkbox', id, value: String(o.value), checked: chosen.includes(String(o.value))}),
      el('label', {for: id, text: String(o.label)}),
    ]));
  }
  picks.append(box, el('div', {class: 'row'}, [el('button', {type: 'submit', form: 'composer', class: 'btn primary', text: T.continue})]));
  form.append(err);
  form.onsubmit = e => {
    e.preventDefault();
    const picked = [...box.querySelectorAll('input:checked')];
    if (!picked.length && input.required !== false) { err.textContent = T.choose_one; box.setAttribute('aria-invalid', 'true'); box.querySelector('input').focus(); return; }
    const labels = picked.map(i => i.labels[0].textContent);
    const values = picked.map(i => (input.options || []).find(o => String(o.value) === i.value).value);
    send({type: 'reply', choices: values}, labels.join(', ') || T.skipped);
  };
}
/* One Send at a date or number step: the words box when it has words, else the answer. */
function oneSend(row, free) {
  const words = free.querySelector('textarea'), answer = row.send;
  row.send = () => (words.value.trim() ? submitText(words, false) : answer());
  return free;
}
function textRow(label, kind, isAnswer, input, bad, bare) {
  input = input || {};
  const id = nextId('in');
  const long = kind === 'text';
  const field = el(long ? 'textarea' : 'input', {
    id, name: 'answer', rows: long ? '1' : null, type: long ? null : textKinds[kind],
    required: isAnswer && input.required !== false, placeholder: input.placeholder || (isAnswer ? null : label),
    autocomplete: kind === 'email' ? 'email' : kind === 'phone' ? 'tel' : 'off',
    inputmode: kind === 'number' ? 'decimal' : null, step: kind === 'number' ? 'any' : null,
    'aria-describedby': isAnswer || bad ? 'err' : null, 'aria-invalid': bad ? 'true' : null,
    maxlength: '2000', enterkeyhint: 'send',
  });
  const draft = get('draft');
  const node = (isAnswer ? '' : '*') + (ask ? ask.node : '');
  if (draft && draft.node === node) field.value = draft.text;
  else if (bad && lastSent && lastSent.node === node) field.value = lastSent.text;  // to fix what was refused
  else if (isAnswer && input.value != null && typeof input.value !== 'object') field.value = String(input.value);
  field.addEventListener('input', () => {
    put('draft', field.value ? {node, text: field.value} : null);
    if (long) grow(field);
    if (field.getAttribute('aria-invalid')) { field.removeAttribute('aria-invalid'); const e = $('err'); if (e) e.textContent = ''; }
  });
  if (long) {
    field.addEventListener('keydown', e => { if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submitText(field, isAnswer); } });
    requestAnimationFrame(() => grow(field));
  }
  const row = el('div', {class: 'row entry'}, [
    el('label', {for: id, class: 'vh', text: label}),
    field,
    bare ? null : el('button', {type: 'submit', class: 'btn primary send', text: T.send}),
  ]);
  if (!isAnswer) row.classList.add('free');
  row.send = () => submitText(field, isAnswer);
  const handler = e => { e.preventDefault(); row.send(); };
  if (isAnswer || !form.onsubmit) form.onsubmit = handler;
  if (!bare) row.querySelector('button').addEventListener('click', handler);
  return row;
}
function grow(f) { f.style.height = 'auto'; f.style.height = Math.min(f.scrollHeight, 160) + 'px'; }
function submitText(field, isAnswer) {
  const value = field.value.trim();
  const err = $('err');
  // words with spaces are a message (for the safety check), not a mistyped address
  if (isAnswer && !field.checkValidity() && !/\s/.test(value)) {
    if (err) err.textContent = field.validationMessage;
    field.setAttribute('aria-invalid', 'true');
    field.focus();
    return;
  }
  if (!value) { field.focus(); return; }
  put('draft', null);
  lastSent = {node: (isAnswer ? '' : '*') + (ask ? ask.node : ''), text: value};
  send({type: 'reply', text: value}, echoOf(value, isAnswer ? field.type : 'text'));
  field.value = '';
}
function goBack() { send({type: 'back'}); }
function focusComposer() {
  const target = picks.querySelector('.choices [tabindex="0"], .multi input') || form.querySelector('.entry:not(.free) :is(input, textarea), textarea, button') || $('start-btn');
  if (target && !target.closest('[hidden]')) target.focus({preventScroll: true});
}

/* ---------- crisis panel: prominent, then a slim bar that stays for the session */
const defaultRes = [...$('crisis-res').querySelectorAll('a')].map(a => ({label: a.textContent, href: a.getAttribute('href')}));
const safeHref = h => typeof h === 'string' && /^(tel:|sms:|https?:\/\/)/i.test(h);
function onCrisis(ev) {
  crisisSeen = true;
  $('crisis-text').textContent = ev.text || T.crisis_text;
  bubble('bot', ev.text || T.crisis_text, {cls: 'alert'});
  const res = (Array.isArray(ev.resources) ? ev.resources : []).filter(r => r && safeHref(r.href));
  fillResources(res.length ? res : defaultRes);
  const acts = $('crisis-acts');
  acts.replaceChildren();
  for (const a of Array.isArray(ev.actions) ? ev.actions : []) {
    if (!a || typeof a.intent !== 'string') continue;
    intentLabels[a.intent] = a.label || a.intent;
    acts.append(el('button', {type: 'button', class: 'btn primary', text: a.label || a.intent, onclick: () => send({type: 'intent', intent: a.intent}, a.label || a.intent)}));
  }
  panel.classList.toggle('concern', ev.level === 'concern');
  if (!replaying) { openCrisis(true); tell('event', {name: 'crisis', detail: {}}); } else syncBar();
}
/* a bot message's buttons (related questions, "did you mean", the pause after a crisis) */
function onMessage(ev) {
  if (ev.node === 'care' && ask) ask.paused = 1;  // nothing pending until "keep going"
  const item = bubble('bot', ev.text), acts = (Array.isArray(ev.actions) ? ev.actions : []).filter(a => a && typeof a.intent === 'string');
  if (!acts.length) return;
  item.append(el('div', {class: 'acts'}, acts.map(a => {
    intentLabels[a.intent] = a.label || a.intent;
    return el('button', {type: 'button', class: 'btn', 'data-intent': a.intent, text: a.label || a.intent, onclick: () => send({type: 'intent', intent: a.intent}, a.label || a.intent)});
  })));
}
function fillResources(res) {
  $('crisis-res').replaceChildren(...res.map(r => el('li', {}, [el('a', {href: r.href, text: r.label || r.href})])));
  $('crisis-bar-links').replaceChildren(...res.slice(0, 2).map(r => el('a', {href: r.href, text: r.label || r.href})));
}
function openCrisis(focus) {
  const was = panel.hidden;
  crisis(false);
  if (focus && was) panel.focus();
}
function shut() { crisis(true); }
function crisis(hide) {
  panel.hidden = hide;
  $('crisis-link').setAttribute('aria-expanded', !hide);
  syncBar();
}
function hideCrisis() {
  shut();
  (crisisSeen ? $('crisis-more') : $('crisis-link')).focus();
}
function syncBar() { $('crisis-bar').hidden = !crisisSeen || !panel.hidden; }
$('crisis-link').addEventListener('click', () => (panel.hidden ? openCrisis(true) : hideCrisis()));
$('crisis-more').addEventListener('click', () => openCrisis(true));
$('crisis-hide').addEventListener('click', hideCrisis);

/* ---------- confirmations, restart, clear, quick exit */
let onYes = null, returnTo = null;
function confirmThen(question, fn, from) {
  $('confirm-q').textContent = question;
  onYes = fn; returnTo = from;
  $('confirm').hidden = false;
  $('confirm-no').focus();
}
function closeConfirm(refocus) {
  $('confirm').hidden = true; onYes = null;
  if (refocus && returnTo) returnTo.focus();
}
$('confirm-yes').addEventListener('click', () => { const fn = onYes; closeConfirm(false); if (fn) fn(); });
$('confirm-no').addEventListener('click', () => closeConfirm(true));
$('restart').addEventListener('click', e => confirmThen(T.restart_q, () => {
  if (!token) return newChat();
  put('draft', null);
  send({type: 'restart'});
  focusComposer();
}, e.currentTarget));
$('clear').addEventListener('click', e => confirmThen(T.clear_q, clearChat, e.currentTarget));

/* ---------- erasure: "delete this conversation" asks the server to erase it (docs/protocol.md) */
$('erase').addEventListener('click', e => confirmThen(T.erase_q, () => (token ? send({type: 'erase'}) : clearChat()), e.currentTarget));
function onErased() { clearChat(); $('start-text').textContent = T.erased; }

function hangUp() {
  wanted = false; live = false;
  clearTimeout(retryTimer);
  if (ws) { const s = ws; ws = null; try { s.close(); } catch (e) { /* already closed */ } }
  conn++;
}
function reset() {
  hangUp();
  forgetAll();
  token = null; outbox = []; seen = new Set(); lastSeq = 0;
  ask = null; phase = 'idle'; began = false; crisisSeen = false; staffJoined = false; drawn = null;
  handoffMode = '';
  invalidNode = null; unread = 0;
  logEl.replaceChildren(); form.replaceChildren(); picks.replaceChildren();
  shut(); fillResources(defaultRes); status(''); typing(false); tools(false);
}
function tools(on) { $('erase').disabled = $('restart').disabled = !on; }
function clearChat() {
  reset();
  $('start-text').textContent = T.cleared;
  $('start-btn').textContent = T.new_chat;
  $('start').hidden = false;
  $('start-btn').focus();
}
function newChat() {
  reset();
  begin();
  focusComposer();
}
function begin() { began = true; drawn = null; tools(true); connect(); }
$('start-btn').addEventListener('click', () => { $('start').hidden = true; begin(); });

function quickExit() {
  hangUp();
  forgetAll();
  d.body.replaceChildren();
  const url = D.exit || 'about:blank';
  if (!EMBED) return location.replace(url);
  tell('exit', {url});
  // framed without our loader: leave the top page ourselves, else blank this
  setTimeout(() => { try { w.top.location.replace(url); } catch (e) { location.replace('about:blank'); } }, 500);
}
$('exit').addEventListener('click', quickExit);

/* ---------- open / close and the keyboard */
function onOpen() {
  shown = true; unread = 0;
  put('open', true);
  if (!token && !began) begin(); else if (!live) connect();
  requestAnimationFrame(() => {
    if (!form.contains(d.activeElement) && !picks.contains(d.activeElement)) {
      if (form.firstChild) focusComposer(); else logEl.focus({preventScroll: true});
    }
  });
}
function onClose() { shown = false; put('open', null); }
function closeMe(esc) { onClose(); tell('close', {esc: !!esc}); }
if (MODE === 'launcher') { $('close').hidden = false; $('close').addEventListener('click', () => closeMe(false)); }

let escapes = [];
d.addEventListener('keydown', e => {
  if (e.key !== 'Escape') return;
  if (e.shiftKey) { e.preventDefault(); return quickExit(); }
  const now = Date.now();
  escapes = escapes.filter(t => now - t < 1500).concat(now);
  if (escapes.length >= 3) return quickExit();
  if (!$('confirm').hidden) return closeConfirm(true);
  if (!panel.hidden && panel.contains(d.activeElement)) return hideCrisis();
  if (MODE === 'launcher') closeMe(true);
});

/* ---------- echoes in the visitor's format, refused answers, typing, times, sent state */
const DAY_FIRST = !/^en/i.test(D.locale || 'en');
function echoOf(text, kind) {
  const t = String(text == null ? '' : text), iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (iso && (kind === 'date' || kind === 'auto')) return DAY_FIRST ? iso[3] + '/' + iso[2] + '/' + iso[1] : iso[2] + '/' + iso[3] + '/' + iso[1];
  const digits = t.replace(/[\s().-]/g, '');
  const us = kind === 'tel' && /^(?:\+?1)?(\d{3})(\d{3})(\d{4})$/.exec(digits);
  return us ? us[1] + '-' + us[2] + '-' + us[3] : t;
}
function markRejected() {
  const mine = logEl.querySelectorAll('.msg.you');
  const b = mine[mine.length - 1];
  if (!b || b.classList.contains('rejected') || b.nextElementSibling && !b.nextElementSibling.matches('.typing')) return;
  b.classList.add('rejected');
  b.append(el('span', {class: 'q', text: T.not_accepted}));
}
const BOT_SAYS = {message: 1, ask: 1, invalid: 1, crisis: 1, handoff: 1, staff: 1, end: 1, error: 1};
let typingTimer = 0;
function typing(on) {
  clearTimeout(typingTimer);
  const old = logEl.querySelector('.typing');
  if (old) old.remove();
  if (!on) return;
  typingTimer = setTimeout(() => {
    logEl.append(el('div', {class: 'msg bot typing', 'aria-hidden': 'true', title: T.typing}, [el('span'), el('span'), el('span')]));
    scrollDown();
  }, 300);
}
function stamp(item) {
  const now = new Date();
  item.append(el('time', {class: 'at', datetime: now.toISOString(), text: now.toLocaleTimeString(D.locale || undefined, {hour: 'numeric', minute: '2-digit'})}));
}
function markSent(b) {
  if (!b.querySelector('.sent')) b.append(el('span', {class: 'sent', text: T.sent}));
  stamp(b);
}

/* ---------- language (protocol `locale`), then this frame again in it: the replay redraws */
let switchId = '', switchTo = '';
function relocate(code) { const u = new URL(location.href); u.searchParams.set('locale', code); location.replace(u.href); }
function switchLocale(code) {
  if (!token) return relocate(code);
  send({type: 'locale', locale: code});
  switchId = outbox[outbox.length - 1].id; switchTo = code;
}
d.querySelectorAll('[data-to-locale]').forEach(b => b.addEventListener('click', () => switchLocale(b.dataset.toLocale)));

/* ---------- Tab (docs/embedding.md, Keyboard): forward from the last control to Quick exit;
   a full-screen (phone) panel keeps the focus both ways */
const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), textarea:not([disabled]), [tabindex="0"]';
function tabStops() {
  return [...d.querySelectorAll(FOCUSABLE)].filter(e => e.tabIndex >= 0 && e.getClientRects().length && !e.closest('[hidden]'));
}
const fullScreen = () => w.innerWidth >= screen.width - 2;
function keepTab(e) {
  if (e.key !== 'Tab' || MODE !== 'launcher' || !shown) return;
  const stops = tabStops();
  if (!stops.length) return;
  const first = stops[0], last = stops[stops.length - 1], at = d.activeElement;
  if (!e.shiftKey && at === last) { e.preventDefault(); first.focus(); }
  else if (e.shiftKey && at === first && fullScreen()) { e.preventDefault(); last.focus(); }
}
d.addEventListener('keydown', keepTab);

/* ---------- start-up: resume a stored conversation; otherwise wait to be opened */
if (token) { began = true; connect(); }
if (MODE !== 'launcher' && !token) renderComposer();
if (MODE === 'page') onOpen();
tell('ready', {exit: D.exit, accent: D.accent, on_accent: D.onAccent, open: !!(token && get('open'))});
})();
