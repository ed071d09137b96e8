/* intake-chat loader (docs/embedding.md): adds a launcher and the chat iframe. postMessage only with
   exact origins, never personal data. API: IntakeChat.open(), .close(), .on(name, fn) */
(() => {
  'use strict';
  const w = window, d = document;
  if (w.IntakeChat && w.IntakeChat.version) return;
  const s = d.currentScript || d.querySelector('script[data-intake-chat]');
  if (!s) return;
  const o = s.dataset, ORIGIN = new URL(s.src, location.href).origin;
  const inline = o.mode === 'inline';
  const lang = (o.locale || d.documentElement.lang || 'en').slice(0, 2).toLowerCase();
  const L = lang === 'es' ? ['Chatee con nosotros', 'nuevo', 'Cerrar chat'] : ['Chat with us', 'new', 'Close chat'];
  const q = new URLSearchParams({parent: location.origin, locale: lang, mode: inline ? 'inline' : 'launcher'});
  for (const k of ['color', 'greeting', 'storage', 'flow', 'title', 'transport']) if (o[k]) q.set(k, o[k]);
  if (o.logo) q.set('logo', new URL(o.logo, location.href).href);
  const frame = d.createElement('iframe');
  frame.src = ORIGIN + '/widget/frame?' + q;
  frame.title = o.title || L[0];
  const handlers = {}, queue = [];
  let ready = false, isOpen = inline, exitUrl = '', leaving = false, escs = [];
  let root, btn, panel, badge;

  const attr = (e, k, v) => e.setAttribute(k, v);
  const label = () => { btn.children[1].textContent = isOpen ? L[2] : o.greeting || L[0]; };
  const post = m => {
    m.intake = 1;
    if (ready) frame.contentWindow.postMessage(m, ORIGIN); else queue.push(m);
  };
  const emit = (name, detail) => (handlers[name] || []).slice().forEach(fn => {
    try { fn(Object.assign({type: name}, detail)); } catch (e) { setTimeout(() => { throw e; }); }
  });

  function open() {
    if (inline) { frame.scrollIntoView({block: 'nearest'}); frame.focus(); post({type: 'open'}); return; }
    if (!panel) return;
    const was = isOpen;
    isOpen = true;
    panel.hidden = false;
    attr(btn, 'aria-expanded', 'true');
    badge.textContent = '';
    label();
    frame.focus();
    post({type: 'open'});
    was || emit('open');
  }
  function close(refocus) {
    if (inline || !isOpen) return;
    isOpen = false;
    panel.hidden = true;
    attr(btn, 'aria-expanded', 'false');
    label();
    post({type: 'close'});
    if (refocus) btn.focus();
    emit('close');
  }
  // Quick exit: forget the widget and put a neutral page in place of this one (no history entry).
  function exit(url) {
    if (leaving) return;
    leaving = true;
    (root || frame).remove();
    location.replace(/^https?:\/\//.test(url || '') ? url : exitUrl || 'about:blank');
  }
  function hostExit() {
    if (!ready) return exit();
    post({type: 'exit'});           // the frame forgets the chat, then answers 'exit'
    setTimeout(exit, 400);
  }
  function esc(n) {
    const now = Date.now();
    escs = escs.filter(t => now - t < 1500);
    while (n--) escs.push(now);
    if (escs.length >= 3) hostExit();
  }

  w.addEventListener('message', e => {
    if (e.origin !== ORIGIN || e.source !== frame.contentWindow) return;
    const m = e.data;
    if (!m || m.intake !== 1) return;
    switch (m.type) {
      case 'ready':
        ready = true;
        exitUrl = /^https?:\/\//.test(m.exit || '') ? m.exit : '';
        queue.splice(0).forEach(post);
        // the launcher shows once the chat can work, in the server-checked colours (>= 4.5:1)
        if (btn) {
          btn.style.setProperty('--c', m.accent);
          btn.style.setProperty('--f', m.on_accent);
          btn.hidden = false;
        }
        if (m.open && !inline) open();
        break;
      case 'close': close(true); if (m.esc) esc(1); break;
      case 'unread': if (badge && !isOpen) badge.textContent = m.n > 0 ? +m.n + ' ' + L[1] : ''; break;
      case 'event':
        if (m.name === 'handoff') emit('handoff', {mode: m.detail && m.detail.mode === 'live' ? 'live' : 'queued'});
        else if (m.name === 'crisis') emit('crisis');
        break;
      case 'exit': exit(m.url); break;
    }
  });
  d.addEventListener('keydown', e => {
    if (e.key !== 'Escape' || leaving) return;
    if (e.shiftKey) return hostExit();
    if (isOpen && !inline) close(true);
    esc(1);
  });

  function mount() {
    if (inline) {
      const target = d.querySelector(o.target || '');
      if (!target) return;
      frame.style.cssText = 'display:block;width:100%;height:100%;min-height:480px;border:0';
      target.append(frame);
      return;
    }
    root = d.createElement('aside');
    attr(root, 'aria-label', frame.title);
    attr(root, 'data-intake-chat-root', '');
    const sh = root.attachShadow({mode: 'open'});
    const side = o.position === 'left' ? 'left' : 'right';
    const css = ':host{all:initial}' +
      '.l{position:fixed;bottom:20px;' + side + ':20px;z-index:2147483000;display:flex;align-items:center;gap:8px;min-height:52px;max-width:calc(100vw - 40px);padding:0 20px;border:0;border-radius:26px;background:var(--c);color:var(--f);font:600 16px/1.2 system-ui,sans-serif;box-shadow:0 4px 16px #0005;cursor:pointer}' +
      '.l[hidden]{display:none}.l:focus-visible{outline:3px solid #111;outline-offset:3px;box-shadow:0 0 0 3px #fff}' +
      '.b{padding:2px 8px;border-radius:10px;background:#fff;color:#111;font-size:13px}.b:empty{display:none}' +
      '.p{position:fixed;bottom:84px;' + side + ':20px;z-index:2147483000;width:400px;max-width:calc(100vw - 40px);height:min(680px,calc(100vh - 104px));border-radius:14px;overflow:hidden;background:#fff;box-shadow:0 12px 40px #0005}' +
      '.p[hidden]{display:none}iframe{display:block;width:100%;height:100%;border:0}' +
      '@media (max-width:480px),(max-height:520px){.p{inset:0;width:auto;max-width:none;height:auto;border-radius:0}}' +
      '@media (prefers-reduced-motion:no-preference){.p{animation:r .18s ease-out}@keyframes r{from{transform:translateY(10px)}}}';
    // a constructed sheet is not blocked by a host page's strict style-src
    const sheet = new CSSStyleSheet();
    sh.adoptedStyleSheets = [sheet];
    sheet.replaceSync(css);
    btn = d.createElement('button');
    btn.className = 'l';
    btn.type = 'button';
    btn.hidden = true;
    attr(btn, 'aria-expanded', 'false');
    attr(btn, 'aria-controls', 'p');
    btn.innerHTML = '<svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M3 4h18v13H9l-5 4v-4H3z"/></svg><span></span><span class="b"></span>';
    label();
    badge = btn.children[2];
    btn.addEventListener('click', () => (isOpen ? close(true) : open()));
    // about to open: a frame with a stored chat may connect now
    btn.addEventListener('pointerenter', () => post({type: 'warm'}), {once: true});
    panel = d.createElement('div');
    panel.className = 'p';
    panel.id = 'p';
    panel.hidden = true;
    attr(panel, 'role', 'dialog');
    attr(panel, 'aria-label', frame.title);
    panel.append(frame);
    sh.append(btn, panel);
    d.body.append(root);
  }

  w.IntakeChat = {
    version: 1,
    open,
    close: () => close(false),
    on(name, fn) { (handlers[name] = handlers[name] || []).push(fn); },
    off(name, fn) { handlers[name] = (handlers[name] || []).filter(f => f != fn); },
  };
  if (d.body) mount(); else d.addEventListener('DOMContentLoaded', mount);
})();
