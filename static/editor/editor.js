/* Flow editor (console): the flow as a list and a map of sections and steps, forms generated from the
   flow JSON Schema, a JSON tab, autosave with revision checks, checks shown on each step, preview.
   Plain JS, no framework, no third-party requests. Flow text only ever goes in through textContent
   or form values, never innerHTML. */
(function () {
  'use strict';

  var root = document.getElementById('flow-editor');
  if (!root) { return; }
  var D = root.dataset;
  var $ = function (id) { return document.getElementById(id); };

  var SAVE_DELAY = 900;      // ms after the last change
  var CHECK_DELAY = 600;     // ms after the last keystroke in the JSON tab
  var ID_RE = /^[a-z][a-z0-9_-]*$/;
  var VAR_RE = /^[a-z][a-z0-9_]*$/;
  var LANGS = {en: 'English', es: 'Spanish', fr: 'French', pt: 'Portuguese', zh: 'Chinese', vi: 'Vietnamese', ru: 'Russian', ar: 'Arabic', ko: 'Korean', de: 'German', it: 'Italian', ht: 'Haitian Creole', tl: 'Tagalog', pl: 'Polish'};
  // Plain words for an office manager; the flow format's own name is in TECH_TYPES, shown as a hint.
  var TYPE_NAMES = {message: 'Message', question: 'Question', branch: 'Decision', set: 'Remember a value', 'goto': 'Jump to a step', include: 'Use a section', summary: 'Summary', handoff: 'Pass to staff', end: 'End', questionnaire: 'Questionnaire'};
  var TECH_TYPES = {branch: 'branch', set: 'set', 'goto': 'goto', include: 'include', handoff: 'handoff', questionnaire: 'questionnaire'};
  var TYPE_HELP = {
    message: 'The assistant says something, then goes on to the next step.',
    question: 'The assistant asks something and stores the answer.',
    branch: 'Chooses the next step from earlier answers, by rules tried in order. Nothing is said.',
    set: 'Stores fixed values (for example a flag) without asking.',
    'goto': 'Jumps to another step.',
    include: 'Goes through the steps of another section, then comes back here.',
    summary: 'Shows the answers so the visitor can check or change them.',
    handoff: 'Passes the conversation to staff (a referral, or a live chat).',
    end: 'The conversation ends here.',
    questionnaire: 'Asks an installed screening questionnaire one item at a time; only staff see the score (docs/questionnaires.md).'
  };
  // Words for the schema's property names; the schema's own descriptions are shown as hints.
  var LABELS = {
    text: 'What the assistant says', input: 'Kind of answer', 'var': 'Remember the answer as',
    options: 'Answer buttons', notice: 'Notice shown with the question', required: 'An answer is required',
    validation: 'Checks on the answer', invalid: 'Said when the answer is not valid',
    max_retries: 'Invalid answers allowed', on_max_retries: 'After too many invalid answers, go to',
    personal: 'The answer is personal information (needs consent first)', placeholder: 'Hint inside the answer box',
    intents: 'Do not match phrases such as "talk to a person" here', next: 'Then go to',
    section_title: 'Note for editors', cases: 'Rules (tried in order; the first that matches decides)', 'default': 'Otherwise go to',
    values: 'Values to remember', target: 'Jump to', section: 'Section to go through', fields: 'Answers shown',
    confirm: 'Confirm button', mode: 'How staff take over', optional_fields: 'Optional answers sent with the referral',
    min_length: 'Shortest answer (characters)', max_length: 'Longest answer (characters)',
    pattern: 'The answer must look like', min: 'Smallest allowed', max: 'Largest allowed',
    message: 'Said when a check fails', title: 'Title', description: 'Note for staff (never shown)',
    start: 'First step', person_node: 'Step for "talk to a person"', label: 'Label', value: 'Value'
  };
  // The flow format's names, for people who read the JSON tab or docs/flow-format.md.
  var TECH = {
    'var': 'A short name for the answer, used in {placeholders} and in decisions (technical: var).',
    pattern: 'Technical: a regular expression, e.g. ^[0-9]{5}$ for a five-digit ZIP code. Leave empty unless you know them.',
    cases: 'Technical: the branch\u2019s cases.', section: 'Technical: include.', target: 'Technical: goto target.',
    mode: 'Technical: handoff mode.',
    intents: 'Technical: intents.', on_max_retries: 'Technical: on_max_retries.', max_retries: 'Technical: max_retries.',
    person_node: 'Technical: settings.person_node.', start: 'Technical: start.', values: 'Technical: set values.'
  };
  var ORDER = ['text', 'input', 'options', 'notice', 'var', 'required', 'personal', 'validation', 'placeholder',
    'cases', 'default', 'values', 'target', 'section', 'fields', 'optional_fields', 'mode', 'confirm', 'next',
    'invalid', 'max_retries', 'on_max_retries', 'intents', 'section_title'];
  var ADVANCED = {invalid: 1, max_retries: 1, on_max_retries: 1, intents: 1, section_title: 1, placeholder: 1};
  var DEFAULT_TRUE = {required: 1};
  var TERMINAL = {handoff: 1, end: 1, 'goto': 1};

  var S = {
    data: null, revision: 0, schema: null, codes: {}, check: {findings: [], errors: 0, warnings: 0},
    dirty: false, saving: false, conflict: false, failed: 0, timer: 0, changeCount: 0,
    selected: {kind: 'flow'}, tab: 'list', info: {}, preview: {ticket: null, revision: 0, open: false},
    jsonTimer: 0, jsonSeq: 0, notice: ''
  };

  /* ---------- small helpers */
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    var k;
    for (k in attrs || {}) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) { continue; }
      if (k === 'text') { e.textContent = v; }
      else if (k === 'class') { e.className = v; }
      else if (k === 'value') { e.value = v; }
      else if (k === 'checked') { e.checked = !!v; }
      else if (k.slice(0, 2) === 'on') { e.addEventListener(k.slice(2), v); }
      else { e.setAttribute(k, v === true ? '' : v); }
    }
    (kids || []).forEach(function (c) { if (c !== null && c !== undefined && c !== false) { e.append(c); } });
    return e;
  }
  var uid = 0;
  function nextId(prefix) { uid += 1; return 'fe-' + prefix + '-' + uid; }
  function clone(x) { return JSON.parse(JSON.stringify(x)); }
  function isObj(x) { return x !== null && typeof x === 'object' && !Array.isArray(x); }
  function locales() { return Array.isArray(S.data.locales) && S.data.locales.length ? S.data.locales : ['en']; }
  function langName(loc) { return (LANGS[loc.slice(0, 2)] || loc) + ' (' + loc + ')'; }
  function firstText(t) {
    if (!isObj(t)) { return ''; }
    var loc = locales()[0];
    return typeof t[loc] === 'string' ? t[loc] : String(Object.values(t)[0] || '');
  }
  function short(text, n) { text = String(text || '').replace(/\s+/g, ' ').trim(); return text.length > n ? text.slice(0, n - 1) + '…' : text; }
  function labelOf(name) { return LABELS[name] || name.replace(/_/g, ' '); }
  function ref(ps) { return ps && ps.$ref ? ps.$ref.split('/').pop() : ''; }
  function def(name) { return S.schema.$defs[name] || {}; }

  /* ---------- the flow model */
  function sections() { return isObj(S.data.sections) ? S.data.sections : {}; }
  function sectionNames() { return Object.keys(sections()); }
  function nodesOf(name) { var s = sections()[name]; return isObj(s) && Array.isArray(s.nodes) ? s.nodes : []; }
  function allNodes() {
    var out = [];
    sectionNames().forEach(function (name) {
      nodesOf(name).forEach(function (node, index) { if (isObj(node)) { out.push({section: name, index: index, node: node}); } });
    });
    return out;
  }
  function find(id) {
    var all = allNodes();
    for (var i = 0; i < all.length; i++) { if (all[i].node.id === id) { return all[i]; } }
    return null;
  }
  function nodeIds() { return allNodes().map(function (x) { return x.node.id; }).filter(function (x) { return typeof x === 'string'; }); }
  function variables() {
    var seen = {};
    allNodes().forEach(function (x) {
      if (x.node.type === 'question' && typeof x.node['var'] === 'string') { seen[x.node['var']] = x.node; }
      if (x.node.type === 'set' && isObj(x.node.values)) { Object.keys(x.node.values).forEach(function (k) { seen[k] = seen[k] || x.node; }); }
    });
    return seen;
  }
  function uniqueId(base) {
    base = (base || 'step').toLowerCase().replace(/[^a-z0-9_-]+/g, '_').replace(/^[^a-z]+/, '') || 'step';
    var ids = nodeIds(), candidate = base, n = 2;
    while (ids.indexOf(candidate) >= 0) { candidate = base + '_' + n; n += 1; }
    return candidate;
  }
  function emptyText() { var t = {}; locales().forEach(function (l) { t[l] = ''; }); return t; }

  // Every place a node id is named, as [object, key] pairs, so a rename can follow it.
  function references() {
    var out = [];
    if (typeof S.data.start === 'string') { out.push([S.data, 'start']); }
    if (isObj(S.data.settings) && typeof S.data.settings.person_node === 'string') { out.push([S.data.settings, 'person_node']); }
    (Array.isArray(S.data.intents) ? S.data.intents : []).forEach(function (i) { if (isObj(i) && typeof i.target === 'string') { out.push([i, 'target']); } });
    allNodes().forEach(function (x) {
      var n = x.node;
      ['next', 'default', 'target', 'on_max_retries'].forEach(function (k) { if (typeof n[k] === 'string') { out.push([n, k]); } });
      (Array.isArray(n.options) ? n.options : []).forEach(function (o) { if (isObj(o) && typeof o.next === 'string') { out.push([o, 'next']); } });
      (Array.isArray(n.cases) ? n.cases : []).forEach(function (c) { if (isObj(c) && typeof c.next === 'string') { out.push([c, 'next']); } });
    });
    return out;
  }
  function pointersTo(id) { return references().filter(function (r) { return r[0][r[1]] === id; }).length; }

  // Where a node leads, for the map: [{to, label, kind}]
  function edgesOf(entry) {
    var n = entry.node, out = [];
    var push = function (to, label, kind) { if (typeof to === 'string' && to) { out.push({to: to, label: label, kind: kind}); } };
    (Array.isArray(n.options) ? n.options : []).forEach(function (o) { if (isObj(o)) { push(o.next, firstText(o.label) || o.value, 'option'); } });
    (Array.isArray(n.cases) ? n.cases : []).forEach(function (c, i) { if (isObj(c)) { push(c.next, 'rule ' + (i + 1), 'case'); } });
    push(n['default'], 'otherwise', 'case');
    push(n.target, 'jump', 'jump');
    push(n.on_max_retries, 'too many tries', 'retry');
    if (n.type === 'include' && nodesOf(n.section).length && isObj(nodesOf(n.section)[0])) { push(nodesOf(n.section)[0].id, 'runs section', 'include'); }
    if (typeof n.next === 'string') { push(n.next, 'next', 'next'); }
    else if (!TERMINAL[n.type] && n.type !== 'branch') {
      var following = nodesOf(entry.section)[entry.index + 1];
      if (isObj(following)) { push(following.id, '', 'flow'); }
    }
    return out;
  }

  /* ---------- findings */
  function findingsFor(id) { return S.check.findings.filter(function (f) { return f.node === id; }); }
  function flowFindings() {
    var ids = nodeIds();
    return S.check.findings.filter(function (f) { return !f.node || ids.indexOf(f.node) < 0; });
  }
  function counts(list) {
    var e = 0, w = 0;
    list.forEach(function (f) { if (f.severity === 'error') { e += 1; } else { w += 1; } });
    return {errors: e, warnings: w};
  }
  function findingItem(f, withLink) {
    var head = [el('span', {class: 'fe-code', text: f.code}), ' ', el('strong', {text: f.severity === 'error' ? 'Error' : 'Warning'})];
    if (withLink && f.node && find(f.node)) {
      head.push(' at ', el('button', {type: 'button', class: 'fe-linkish', text: f.node, onclick: function () { select({kind: 'node', id: f.node}, true); }}));
    }
    head.push(': ' + f.message);
    var kids = head.slice();
    if (f.fix) { kids.push(' ', el('span', {class: 'fe-fix', text: 'How to fix: ' + f.fix})); }
    return el('li', {class: 'fe-finding fe-' + f.severity, 'data-code': f.code}, kids);
  }

  /* ---------- status, summary */
  function renderSave() {
    var text;
    if (S.conflict) { text = 'Not saved: someone else saved this draft. See the message above.'; }
    else if (S.saving) { text = 'Saving…'; }
    else if (S.dirty) { text = S.failed ? 'Not saved yet (the server did not answer); trying again…' : 'Unsaved changes…'; }
    else { text = 'All changes saved (revision ' + S.revision + ').'; }
    $('fe-save').textContent = text;
    $('fe-save').className = 'fe-save' + (S.conflict ? ' fe-bad' : S.dirty || S.saving ? ' fe-busy' : ' fe-good');
    var info = S.info, parts = [];
    parts.push(info.current ? 'Live: version ' + info.current.number + '.' : 'Not published yet.');
    if (!info.changed) { parts.push('The draft is the same as the live version.'); }
    else if (info.pending) { parts.push('Waiting for review: a change now withdraws the request, and the draft has to be sent again.'); }
    else if (info.approved) { parts.push('Approved: ready to publish.'); }
    else if (info.review && info.review.status === 'changes_requested') { parts.push('Sent back by ' + info.review.reviewer + ': "' + (info.review.comment || '') + '"'); }
    $('fe-state').textContent = parts.join(' ');
  }

  function renderSummary() {
    var box = $('fe-summary');
    box.textContent = '';
    var c = {errors: S.check.errors || 0, warnings: S.check.warnings || 0};
    var line = el('p', {class: 'fe-counts'}, [
      el('span', {class: 'fe-count ' + (c.errors ? 'fe-error' : 'fe-none'), text: c.errors + ' error' + (c.errors === 1 ? '' : 's')}), ' ',
      el('span', {class: 'fe-count ' + (c.warnings ? 'fe-warning' : 'fe-none'), text: c.warnings + ' warning' + (c.warnings === 1 ? '' : 's')}),
      ' ', el('span', {class: 'hint', text: c.errors ? 'Errors block publishing; they are marked on the steps below.' : c.warnings ? 'Warnings need an acknowledgement when you publish.' : 'Every check passes.'})
    ]);
    box.append(line);
    if (S.check.findings.length) {
      var details = el('details', {class: 'fe-all-findings'}, [el('summary', {text: 'Show all ' + S.check.findings.length + ' finding' + (S.check.findings.length === 1 ? '' : 's')}),
        el('ul', {class: 'fe-findings'}, S.check.findings.map(function (f) { return findingItem(f, true); }))]);
      if (S.check.findings.length <= 6) { details.open = true; }
      box.append(details);
    }
  }

  /* ---------- list view */
  function badge(list) {
    var c = counts(list), out = [];
    if (c.errors) { out.push(el('span', {class: 'fe-badge fe-error', text: c.errors + (c.errors === 1 ? ' error' : ' errors')})); }
    if (c.warnings) { out.push(el('span', {class: 'fe-badge fe-warning', text: c.warnings + (c.warnings === 1 ? ' warning' : ' warnings')})); }
    return out;
  }

  function renderList() {
    var pane = $('fe-list');
    var scroll = pane.scrollTop;
    pane.textContent = '';
    pane.append(el('h2', {class: 'visually-hidden', text: 'Steps by section'}));
    var flowItem = el('button', {type: 'button', class: 'fe-item fe-flow-item', 'aria-current': S.selected.kind === 'flow' ? 'true' : null,
      onclick: function () { select({kind: 'flow'}); }}, [el('span', {class: 'fe-item-type', text: 'Flow'}), el('span', {class: 'fe-item-text', text: 'Title, first step, languages, settings'})].concat(badge(flowFindings())));
    pane.append(flowItem);
    var topicCount = topicList().length;
    pane.append(el('button', {type: 'button', class: 'fe-item fe-flow-item', 'aria-current': S.selected.kind === 'topics' || S.selected.kind === 'topic' ? 'true' : null,
      onclick: function () { select({kind: 'topics'}); }}, [el('span', {class: 'fe-item-type', text: 'Topics'}),
      el('span', {class: 'fe-item-text', text: 'What visitors may ask at any step (' + topicCount + (topicCount === 1 ? ' topic)' : ' topics)')})].concat(badge(topicFindings(null)))));
    sectionNames().forEach(function (name) {
      var head = el('div', {class: 'fe-section-head'}, [
        el('h3', {}, [el('button', {type: 'button', class: 'fe-linkish', 'aria-current': S.selected.kind === 'section' && S.selected.name === name ? 'true' : null,
          onclick: function () { select({kind: 'section', name: name}); }, text: 'Section: ' + name})]),
        el('span', {class: 'hint', text: firstText(sections()[name].title)})
      ]);
      var list = el('ol', {class: 'fe-nodes'});
      nodesOf(name).forEach(function (node) {
        if (!isObj(node)) { return; }
        var current = S.selected.kind === 'node' && S.selected.id === node.id;
        var item = el('li', {}, [el('button', {type: 'button', class: 'fe-item fe-type-' + node.type, 'data-node': node.id, 'aria-current': current ? 'true' : null,
          onclick: function () { select({kind: 'node', id: node.id}); }},
          [el('span', {class: 'fe-item-type', text: TYPE_NAMES[node.type] || node.type}), el('code', {class: 'fe-item-id', text: String(node.id)}),
            el('span', {class: 'fe-item-text', text: short(firstText(node.text) || describeNode(node), 90)})].concat(badge(findingsFor(node.id))))]);
        list.append(item);
      });
      var add = el('button', {type: 'button', class: 'secondary fe-small', text: 'Add a step to “' + name + '”', onclick: function () { openAdd(name, null); }});
      pane.append(el('section', {class: 'fe-section', 'aria-label': 'Section ' + name}, [head, list, add]));
    });
    pane.append(addSectionForm());
    pane.scrollTop = scroll;
  }

  function describeNode(n) {
    if (n.type === 'branch') { var k = Array.isArray(n.cases) ? n.cases.length : 0; return k + (k === 1 ? ' rule' : ' rules') + ', otherwise go to ' + (n['default'] || '?'); }
    if (n.type === 'goto') { return '→ ' + (n.target || '?'); }
    if (n.type === 'include') { return 'goes through the section ' + (n.section || '?'); }
    if (n.type === 'set') { return isObj(n.values) ? Object.keys(n.values).join(', ') : ''; }
    return '';
  }

  function addSectionForm() {
    var id = nextId('newsec');
    var input = el('input', {type: 'text', id: id, pattern: '[a-z][a-z0-9_-]*', placeholder: 'e.g. faq_hours'});
    var message = el('p', {class: 'hint', 'aria-live': 'polite'});
    return el('form', {class: 'fe-add-section', onsubmit: function (e) {
      e.preventDefault();
      var name = input.value.trim();
      if (!ID_RE.test(name)) { message.textContent = 'Use lower-case letters, digits, _ or -, starting with a letter.'; return; }
      if (sections()[name]) { message.textContent = 'There is already a section called ' + name + '.'; return; }
      var id2 = uniqueId(name + '_start');
      change(function () { S.data.sections[name] = {nodes: [{id: id2, type: 'message', text: emptyText()}]}; });
      select({kind: 'node', id: id2}, true);
    }}, [el('label', {'for': id, text: 'New section name'}), el('div', {class: 'row'}, [input, el('button', {type: 'submit', class: 'secondary fe-small', text: 'Add section'})]), message]);
  }

  /* ---------- selecting */
  function select(what, focus) {
    S.selected = what;
    if (S.tab === 'json') { showTab('list'); }
    renderList();
    renderMap();
    renderForm();
    if (focus) {
      var heading = $('fe-form').querySelector('h2');
      if (heading) { heading.focus(); }
    }
    if (what.kind === 'node') {
      var item = $('fe-list').querySelector('[data-node="' + cssId(what.id) + '"]');
      if (item && item.scrollIntoView) { item.scrollIntoView({block: 'nearest'}); }
    }
  }
  function cssId(id) { return String(id).replace(/[^A-Za-z0-9_-]/g, ''); }

  /* ---------- changing and saving */
  // Every edit goes through here: apply, mark unsaved, redraw what depends on it, save soon.
  function change(mutate, opts) {
    if (S.conflict) { return; }
    mutate();
    S.dirty = true;
    S.changeCount += 1;
    opts = opts || {};
    if (!opts.keepForm) { renderForm(); }
    if (!opts.quiet) { renderList(); renderMap(); }
    renderSave();
    notePreviewStale();
    clearTimeout(S.timer);
    S.timer = setTimeout(save, SAVE_DELAY);
  }

  function api(method, url, body, raw) {
    var headers = {'Accept': 'application/json', 'X-CSRF-Token': D.csrf};
    if (body !== undefined) { headers['Content-Type'] = raw ? 'text/plain; charset=utf-8' : 'application/json'; }
    return fetch(url, {method: method, headers: headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body)})
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (json) { return {status: r.status, ok: r.ok, body: json}; });
      });
  }

  function save() {
    clearTimeout(S.timer);
    if (S.saving || S.conflict || !S.dirty) { return Promise.resolve(); }
    S.saving = true;
    var sentCount = S.changeCount;
    renderSave();
    return api('PUT', D.draftUrl, {data: S.data, revision: S.revision}).then(function (res) {
      S.saving = false;
      if (res.ok) {
        S.failed = 0;
        adopt(res.body, false);
        if (S.changeCount === sentCount) { S.dirty = false; } else { S.timer = setTimeout(save, 50); }
      } else if (res.status === 409) {
        showConflict(res.body.error || {});
      } else if (res.status === 401) {
        S.failed += 1;
        $('fe-save').textContent = 'You are signed out. Your changes are still on this page: sign in again in another tab, then come back.';
        S.timer = setTimeout(save, 10000);
        return;
      } else {
        S.failed += 1;
        var message = (res.body.error && res.body.error.message) || 'The server refused the change.';
        S.notice = message;
        renderNotice();
        if (res.status >= 500) { S.timer = setTimeout(save, Math.min(30000, 1000 * Math.pow(2, S.failed))); }
      }
      renderSave();
      renderSummary();
      renderList();
      renderMap();
      refreshFindingsInForm();
    }, function () {
      S.saving = false;
      S.failed += 1;
      renderSave();
      S.timer = setTimeout(save, Math.min(30000, 1000 * Math.pow(2, S.failed)));
    });
  }

  function adopt(body, replaceData) {
    S.revision = body.revision;
    S.check = body.check || {findings: [], errors: 0, warnings: 0};
    S.info = body;
    if (replaceData) { S.data = body.data; }
    var link = $('fe-review-link');
    if (link) { link.textContent = body.changed ? (body.approved ? 'Publish…' : 'Review & publish') : 'Review & publish'; }
  }

  function showConflict(error) {
    S.conflict = true;
    var box = $('fe-conflict');
    box.textContent = '';
    box.append(el('p', {}, [el('strong', {text: 'Your last changes were not saved. '}), error.message || 'Someone else saved this draft after you opened it.']));
    var mine = JSON.stringify(S.data, null, 2);
    var download = el('a', {class: 'button secondary', download: D.flow + '-my-changes.json', text: 'Download my version'});
    download.href = URL.createObjectURL(new Blob([mine + '\n'], {type: 'application/json'}));
    box.append(el('div', {class: 'row'}, [download,
      el('button', {type: 'button', text: 'Load their version (my unsaved changes are dropped)', onclick: function () {
        S.conflict = false; S.dirty = false; load();
      }})]));
    box.hidden = false;
    box.focus();
    renderSave();
  }

  function renderNotice() {
    var form = $('fe-form');
    var old = form.querySelector('.fe-notice');
    if (old) { old.remove(); }
    if (S.notice) { form.prepend(el('p', {class: 'error fe-notice', role: 'alert', text: S.notice})); }
  }

  window.addEventListener('beforeunload', function (e) {
    if (S.dirty || S.saving || S.conflict) { e.preventDefault(); e.returnValue = ''; return ''; }
    return undefined;
  });
  // Save at once when the page is hidden (tab switch, closing): the debounce might not run.
  document.addEventListener('visibilitychange', function () { if (document.visibilityState === 'hidden' && S.dirty) { save(); } });

  /* ---------- forms generated from the schema */
  function kindOf(ps, name) {
    var r = ref(ps);
    if (r === 'text') { return 'text'; }
    if (r === 'node_id') { return 'node'; }
    if (r === 'section_name') { return 'section'; }
    if (r === 'var') { return 'var'; }
    if (r === 'bound') { return 'bound'; }
    if (r && isObj(def(r).properties) && def(r).type === 'object') { return 'object'; }
    if (Array.isArray(ps.enum)) { return 'enum'; }
    if (ps['const'] === false) { return 'flag'; }
    if (ps.type === 'boolean') { return 'bool'; }
    if (ps.type === 'integer') { return 'int'; }
    if (ps.type === 'string') { return 'string'; }
    if (ps.type === 'array' && isObj(ps.items)) {
      var ir = ref(ps.items);
      if (ir === 'option') { return 'options'; }
      if (ir === 'var') { return 'vars'; }
      if (isObj(ps.items.properties) && ps.items.properties.when) { return 'cases'; }
      if (isObj(ps.items.properties) && ps.items.properties['var'] && ps.items.properties.label) { return 'fields'; }
    }
    if (ps.type === 'object' && isObj(ps.additionalProperties) && ref(ps.additionalProperties) === 'literal') { return 'values'; }
    return 'json';
  }
  // Only a property's own description: the shared definitions describe JSON, not the conversation.
  function hintOf(ps) { return (ps && ps.description) || ''; }

  // One field for property `name` of object `obj`; `required` keeps empty values instead of removing them.
  function field(obj, name, ps, required, ctx) {
    var kind = kindOf(ps, name);
    var builder = WIDGETS[kind] || WIDGETS.json;
    var built = builder(obj, name, ps, required, ctx || {});
    var box = el('div', {class: 'fe-field fe-field-' + kind, 'data-field': name}, [built]);
    return box;
  }

  function setOrDelete(obj, name, value, keep) {
    if (value === undefined || value === '' || (isObj(value) && !Object.keys(value).length) || (Array.isArray(value) && !value.length && !keep)) {
      if (keep) { obj[name] = value === undefined ? '' : value; } else { delete obj[name]; }
    } else { obj[name] = value; }
  }

  function labelled(id, name, ps, control, extraHint, ctx) {
    var hint = (ctx && ctx.hint !== undefined) ? ctx.hint : extraHint || hintOf(ps);
    if (TECH[name] && !(ctx && ctx.label)) { hint = hint ? hint + ' ' + TECH[name] : TECH[name]; }
    var hintId = hint ? id + '-hint' : null;
    if (hintId) { control.setAttribute('aria-describedby', hintId); }
    return el('div', {class: 'fe-labelled'}, [el('label', {'for': id, text: (ctx && ctx.label) || labelOf(name)}), control, hint ? el('p', {class: 'hint', id: hintId, text: hint}) : null]);
  }

  // obj[name] as an object that is attached to obj only once something is written into it, and
  // removed again when it becomes empty: an untouched group adds nothing to the flow.
  function attached(obj, name) {
    var target = isObj(obj[name]) ? obj[name] : {};
    return new Proxy(target, {
      set: function (t, k, v) { t[k] = v; obj[name] = t; return true; },
      deleteProperty: function (t, k) { delete t[k]; if (!Object.keys(t).length) { delete obj[name]; } return true; }
    });
  }

  function nodeSelect(id, value, emptyLabel) {
    var select = el('select', {id: id});
    select.append(el('option', {value: '', text: emptyLabel}));
    var known = false;
    sectionNames().forEach(function (name) {
      var group = el('optgroup', {label: 'Section ' + name});
      nodesOf(name).forEach(function (n) {
        if (!isObj(n) || typeof n.id !== 'string') { return; }
        if (n.id === value) { known = true; }
        group.append(el('option', {value: n.id, text: n.id + ' — ' + short(firstText(n.text) || TYPE_NAMES[n.type] || '', 40)}));
      });
      select.append(group);
    });
    if (value && !known) { select.append(el('option', {value: value, text: value + ' (does not exist)'})); }
    select.value = value || '';
    return select;
  }

  var WIDGETS = {
    text: function (obj, name, ps, required, ctx) {
      var t = isObj(obj[name]) ? obj[name] : {};
      var legendId = nextId('legend');
      var fs = el('fieldset', {class: 'fe-text', 'aria-describedby': null}, [el('legend', {id: legendId, text: ((ctx && ctx.label) || labelOf(name)) + (required ? '' : ' (optional)')})]);
      var grid = el('div', {class: 'fe-langs'});
      locales().concat(Object.keys(t).filter(function (k) { return locales().indexOf(k) < 0; })).forEach(function (loc) {
        var id = nextId('t');
        var area = el('textarea', {id: id, rows: name === 'text' || name === 'notice' ? 3 : 2, lang: loc, 'data-locale': loc, value: typeof t[loc] === 'string' ? t[loc] : ''});
        area.addEventListener('input', function () {
          change(function () {
            var current = isObj(obj[name]) ? obj[name] : {};
            current[loc] = area.value;
            var anyText = Object.keys(current).some(function (k) { return current[k] !== ''; });
            if (!required && !anyText) { delete obj[name]; } else { obj[name] = current; }
          }, {keepForm: true, quiet: true});
          refreshListItem();
        });
        grid.append(el('div', {class: 'fe-lang'}, [el('label', {'for': id, text: langName(loc)}), area]));
      });
      fs.append(grid);
      var hint = hintOf(ps);
      if (name === 'text' && !hint) { hint = 'Write {name} to say an earlier answer stored as "name".'; }
      if (hint) { fs.append(el('p', {class: 'hint', text: hint})); }
      return fs;
    },
    node: function (obj, name, ps, required, ctx) {
      var id = nextId('n');
      var empty = (ctx && ctx.empty) || (name === 'next' ? '— the next step in this section' : required ? '— choose a step —' : '— none');
      var select = nodeSelect(id, obj[name], empty);
      select.addEventListener('change', function () { change(function () { setOrDelete(obj, name, select.value, required); }, {keepForm: true}); });
      return labelled(id, name, ps, select, name === 'next' ? 'Leave empty to go on to the step below this one.' : '', ctx);
    },
    section: function (obj, name, ps, required) {
      var id = nextId('s');
      var select = el('select', {id: id});
      select.append(el('option', {value: '', text: '— choose a section —'}));
      sectionNames().forEach(function (s) { select.append(el('option', {value: s, text: s})); });
      select.value = obj[name] || '';
      select.addEventListener('change', function () { change(function () { setOrDelete(obj, name, select.value, required); }, {keepForm: true}); });
      return labelled(id, name, ps, select);
    },
    'var': function (obj, name, ps, required) {
      var id = nextId('v'), listId = nextId('vars');
      var input = el('input', {type: 'text', id: id, value: obj[name] || '', list: listId, autocomplete: 'off', spellcheck: 'false'});
      var list = el('datalist', {id: listId}, Object.keys(variables()).map(function (v) { return el('option', {value: v}); }));
      input.addEventListener('input', function () { change(function () { setOrDelete(obj, name, input.value.trim(), required); }, {keepForm: true, quiet: true}); });
      return el('div', {}, [labelled(id, name, ps, input, 'Lower-case letters, digits and _; for example first_name.'), list]);
    },
    'enum': function (obj, name, ps, required) {
      var id = nextId('e');
      var select = el('select', {id: id});
      if (!required) { select.append(el('option', {value: '', text: '— none'})); }
      ps.enum.forEach(function (v) { select.append(el('option', {value: v, text: v})); });
      select.value = obj[name] === undefined ? '' : obj[name];
      select.addEventListener('change', function () {
        change(function () {
          setOrDelete(obj, name, select.value, required);
          if (name === 'input') { fitInputKind(obj); }
        });
      });
      return labelled(id, name, ps, select);
    },
    flag: function (obj, name, ps) {
      var id = nextId('f');
      var box = el('input', {type: 'checkbox', id: id, checked: obj[name] === false});
      box.addEventListener('change', function () { change(function () { if (box.checked) { obj[name] = false; } else { delete obj[name]; } }, {keepForm: true}); });
      return el('div', {class: 'fe-check'}, [box, el('label', {'for': id, text: labelOf(name)})]);
    },
    bool: function (obj, name, ps) {
      var id = nextId('b');
      var byDefault = !!DEFAULT_TRUE[name];
      var box = el('input', {type: 'checkbox', id: id, checked: obj[name] === undefined ? byDefault : !!obj[name]});
      box.addEventListener('change', function () {
        change(function () { if (box.checked === byDefault) { delete obj[name]; } else { obj[name] = box.checked; } }, {keepForm: true});
      });
      return el('div', {class: 'fe-check'}, [box, el('label', {'for': id, text: labelOf(name)})]);
    },
    int: function (obj, name, ps, required) {
      var id = nextId('i');
      var input = el('input', {type: 'number', id: id, step: '1', value: obj[name] === undefined ? '' : String(obj[name]),
        min: ps.minimum !== undefined ? String(ps.minimum) : null, max: ps.maximum !== undefined ? String(ps.maximum) : null});
      input.addEventListener('input', function () {
        change(function () { setOrDelete(obj, name, input.value === '' ? undefined : Number(input.value), required); }, {keepForm: true, quiet: true});
      });
      return labelled(id, name, ps, input);
    },
    string: function (obj, name, ps, required) {
      var id = nextId('str');
      var input = el('input', {type: 'text', id: id, value: obj[name] || ''});
      input.addEventListener('input', function () { change(function () { setOrDelete(obj, name, input.value, required); }, {keepForm: true, quiet: true}); });
      return labelled(id, name, ps, input);
    },
    bound: function (obj, name, ps) {
      var id = nextId('bd');
      var input = el('input', {type: 'text', id: id, value: obj[name] === undefined ? '' : String(obj[name]), inputmode: 'text'});
      input.addEventListener('input', function () {
        var raw = input.value.trim();
        change(function () { setOrDelete(obj, name, raw === '' ? undefined : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw, false); }, {keepForm: true, quiet: true});
      });
      return labelled(id, name, ps, input, 'A number, or for a date question a date YYYY-MM-DD or the word today.');
    },
    object: function (obj, name, ps, required, ctx) {
      var sub = def(ref(ps));
      var fs = el('fieldset', {class: 'fe-object'}, [el('legend', {text: labelOf(name)})]);
      var proxy = attached(obj, name);
      var keys = Object.keys(sub.properties || {});
      if (name === 'validation' && ctx.node) { keys = keys.filter(function (k) { return relevantCheck(ctx.node, k) || proxy[k] !== undefined; }); }
      keys.forEach(function (key) { fs.append(field(proxy, key, sub.properties[key], false)); });
      if (!keys.length) { fs.append(el('p', {class: 'hint', text: 'This kind of answer has no extra checks.'})); }
      return fs;
    },
    options: function (obj, name) {
      var fs = el('fieldset', {class: 'fe-options'}, [el('legend', {text: labelOf(name)})]);
      var options = Array.isArray(obj[name]) ? obj[name] : [];
      options.forEach(function (option, i) {
        if (!isObj(option)) { return; }
        var row = el('div', {class: 'fe-option'});
        var vid = nextId('ov');
        var value = el('input', {type: 'text', id: vid, value: option.value || '', spellcheck: 'false'});
        value.addEventListener('input', function () { change(function () { option.value = value.value; }, {keepForm: true, quiet: true}); });
        row.append(el('h3', {text: 'Button ' + (i + 1)}));
        row.append(labelled(vid, 'value', {}, value, 'Stored as the answer; letters, digits and _ work best.'));
        row.append(WIDGETS.text(option, 'label', {}, true));
        row.append(WIDGETS.node(option, 'next', {}, false, {label: 'When chosen, go to', empty: "— where the question's “Then go to” leads", hint: ''}));
        row.append(rowTools(options, i, 'button ' + (i + 1)));
        fs.append(row);
      });
      fs.append(el('button', {type: 'button', class: 'secondary fe-small', text: 'Add a button', onclick: function () {
        change(function () { obj[name] = options; options.push({value: 'option_' + (options.length + 1), label: emptyText()}); });
      }}));
      return fs;
    },
    cases: function (obj, name) {
      var fs = el('fieldset', {class: 'fe-cases'}, [el('legend', {text: labelOf(name)})]);
      var cases = Array.isArray(obj[name]) ? obj[name] : [];
      cases.forEach(function (c, i) {
        if (!isObj(c)) { return; }
        var row = el('div', {class: 'fe-case'}, [el('h3', {text: 'Rule ' + (i + 1)})]);
        row.append(conditionEditor(c));
        row.append(WIDGETS.node(c, 'next', {}, true, {label: 'When it matches, go to', hint: ''}));
        row.append(rowTools(cases, i, 'rule ' + (i + 1)));
        fs.append(row);
      });
      fs.append(el('button', {type: 'button', class: 'secondary fe-small', text: 'Add a rule', onclick: function () {
        var v = Object.keys(variables())[0] || 'answer';
        change(function () { obj[name] = cases; cases.push({when: {'var': v, op: 'answered'}, next: obj['default'] || nodeIds()[0] || 'start'}); });
      }}));
      return fs;
    },
    vars: function (obj, name, ps, required) {
      var fs = el('fieldset', {class: 'fe-vars'}, [el('legend', {text: labelOf(name) + (name === 'fields' ? ' (the referral must carry these)' : '')})]);
      var chosen = Array.isArray(obj[name]) ? obj[name] : [];
      var all = Object.keys(variables());
      chosen.forEach(function (v) { if (all.indexOf(v) < 0) { all.push(v); } });
      all.forEach(function (v) {
        var id = nextId('cv');
        var box = el('input', {type: 'checkbox', id: id, checked: chosen.indexOf(v) >= 0});
        box.addEventListener('change', function () {
          change(function () {
            var list = (Array.isArray(obj[name]) ? obj[name] : []).filter(function (x) { return x !== v; });
            if (box.checked) { list.push(v); }
            setOrDelete(obj, name, list, required);
          }, {keepForm: true});
        });
        fs.append(el('div', {class: 'fe-check'}, [box, el('label', {'for': id, text: v + (variables()[v] ? '' : ' (no question stores it)')})]));
      });
      if (!all.length) { fs.append(el('p', {class: 'hint', text: 'No question stores an answer yet.'})); }
      return fs;
    },
    fields: function (obj, name) {
      var fs = el('fieldset', {class: 'fe-sumfields'}, [el('legend', {text: 'Fields shown in the summary'})]);
      var list = Array.isArray(obj[name]) ? obj[name] : [];
      list.forEach(function (f, i) {
        if (!isObj(f)) { return; }
        var row = el('div', {class: 'fe-option'}, [el('h3', {text: 'Field ' + (i + 1)})]);
        row.append(WIDGETS['var'](f, 'var', {}, true));
        row.append(WIDGETS.text(f, 'label', {}, true));
        row.append(rowTools(list, i, 'field ' + (i + 1)));
        fs.append(row);
      });
      fs.append(el('button', {type: 'button', class: 'secondary fe-small', text: 'Add a field', onclick: function () {
        change(function () { obj[name] = list; list.push({'var': Object.keys(variables())[0] || 'answer', label: emptyText()}); });
      }}));
      return fs;
    },
    values: function (obj, name) {
      var fs = el('fieldset', {class: 'fe-values'}, [el('legend', {text: labelOf(name)})]);
      var values = isObj(obj[name]) ? obj[name] : {};
      Object.keys(values).forEach(function (key) {
        var kid = nextId('vk'), vid = nextId('vv');
        var k = el('input', {type: 'text', id: kid, value: key, spellcheck: 'false'});
        var v = el('input', {type: 'text', id: vid, value: JSON.stringify(values[key])});
        k.addEventListener('change', function () {
          var nk = k.value.trim();
          if (!nk || nk === key) { return; }
          change(function () { var copy = {}; Object.keys(values).forEach(function (x) { copy[x === key ? nk : x] = values[x]; }); obj[name] = copy; });
        });
        v.addEventListener('input', function () { change(function () { values[key] = literal(v.value); obj[name] = values; }, {keepForm: true, quiet: true}); });
        fs.append(el('div', {class: 'row fe-kv'}, [el('label', {'for': kid, text: 'Variable'}), k, el('label', {'for': vid, text: 'Value'}), v,
          el('button', {type: 'button', class: 'danger fe-small', text: 'Remove', 'aria-label': 'Remove ' + key, onclick: function () {
            change(function () { delete values[key]; obj[name] = values; });
          }})]));
      });
      fs.append(el('button', {type: 'button', class: 'secondary fe-small', text: 'Add a value', onclick: function () {
        change(function () { var k2 = 'flag', n = 2; while (values[k2] !== undefined) { k2 = 'flag_' + n; n += 1; } values[k2] = true; obj[name] = values; });
      }}));
      fs.append(el('p', {class: 'hint', text: 'Values: true, false, null, a number, or text in "quotes".'}));
      return fs;
    },
    json: function (obj, name) {
      var id = nextId('j');
      var area = el('textarea', {id: id, class: 'fe-code', rows: 4, spellcheck: 'false', value: obj[name] === undefined ? '' : JSON.stringify(obj[name], null, 2)});
      var msg = el('p', {class: 'hint', 'aria-live': 'polite'});
      area.addEventListener('change', function () {
        try { var v = area.value.trim() ? JSON.parse(area.value) : undefined; msg.textContent = ''; change(function () { setOrDelete(obj, name, v, false); }, {keepForm: true}); }
        catch (e) { msg.textContent = 'Not valid JSON: ' + e.message; }
      });
      return el('div', {}, [el('label', {'for': id, text: labelOf(name) + ' (JSON)'}), area, msg]);
    }
  };

  // Which answer checks mean something for a question's kind of answer.
  function relevantCheck(node, key) {
    var input = node.input;
    if (key === 'required') { return false; }  // the question's own "An answer is required" wins
    if (key === 'message') { return input !== 'yesno' && input !== 'consent' && input !== 'choice'; }
    if (key === 'min_length' || key === 'max_length' || key === 'pattern') { return input === 'text' || input === 'phone' || input === 'email'; }
    if (key === 'min' || key === 'max') { return input === 'number' || input === 'date' || input === 'multi'; }
    return true;
  }

  function literal(raw) {
    var t = raw.trim();
    if (t === '') { return ''; }
    try { return JSON.parse(t); } catch (e) { return t; }
  }

  // Up, down and remove for one item of a list inside a step.
  function rowTools(list, i, what) {
    return el('div', {class: 'row fe-row-tools'}, [
      el('button', {type: 'button', class: 'secondary fe-small', text: 'Up', 'aria-label': 'Move ' + what + ' up', disabled: i === 0 ? true : null,
        onclick: function () { change(function () { var x = list.splice(i, 1)[0]; list.splice(i - 1, 0, x); }); }}),
      el('button', {type: 'button', class: 'secondary fe-small', text: 'Down', 'aria-label': 'Move ' + what + ' down', disabled: i === list.length - 1 ? true : null,
        onclick: function () { change(function () { var x = list.splice(i, 1)[0]; list.splice(i + 1, 0, x); }); }}),
      el('button', {type: 'button', class: 'danger fe-small', text: 'Remove', 'aria-label': 'Remove ' + what,
        onclick: function () { change(function () { list.splice(i, 1); }); }})
    ]);
  }

  // A condition as a small form (answer, test, value); combined conditions are edited as JSON.
  function conditionEditor(c) {
    var when = isObj(c.when) ? c.when : {};
    var box = el('div', {class: 'fe-condition'});
    var simple = typeof when['var'] === 'string' || typeof when.age_of === 'string' || !Object.keys(when).length;
    if (!simple) {
      box.append(WIDGETS.json(c, 'when'));
      box.querySelector('label').textContent = 'Combined rule (technical: all / any / not, as JSON)';
      return box;
    }
    var isAge = typeof when.age_of === 'string';
    var kindId = nextId('ck'), varId = nextId('cv'), opId = nextId('co'), valId = nextId('cval');
    var kind = el('select', {id: kindId}, [el('option', {value: 'var', text: 'the answer to'}), el('option', {value: 'age', text: 'the age from the date'})]);
    kind.value = isAge ? 'age' : 'var';
    var vars = Object.keys(variables());
    var current = isAge ? when.age_of : when['var'];
    if (current && vars.indexOf(current) < 0) { vars.push(current); }
    var varSel = el('select', {id: varId}, vars.map(function (v) { return el('option', {value: v, text: v}); }));
    varSel.value = current || '';
    var ops = isAge ? def('age_condition').properties.op.enum : def('var_condition').properties.op.enum;
    var OPW = {eq: 'is', ne: 'is not', lt: 'is less than', le: 'is at most', gt: 'is more than', ge: 'is at least', 'in': 'is one of', not_in: 'is none of', answered: 'was answered', not_answered: 'was not answered'};
    var opSel = el('select', {id: opId}, ops.map(function (o) { return el('option', {value: o, text: OPW[o] || o}); }));
    opSel.value = when.op || ops[0];
    var question = variables()[current];
    var valueControl = valueInput(valId, when, question, isAge);
    function write() {
      var w = {};
      if (kind.value === 'age') { w.age_of = varSel.value; w.op = opSel.value; w.value = Number(valueControl.value || 0); }
      else {
        w['var'] = varSel.value; w.op = opSel.value;
        if (w.op !== 'answered' && w.op !== 'not_answered') { w.value = readValue(valueControl, w.op, variables()[w['var']]); }
      }
      c.when = w;
    }
    [kind, varSel, opSel].forEach(function (s) { s.addEventListener('change', function () { change(write); }); });
    valueControl.addEventListener(valueControl.tagName === 'SELECT' ? 'change' : 'input', function () { change(write, {keepForm: true, quiet: true}); });
    box.append(el('div', {class: 'row fe-cond-row'}, [
      el('label', {'for': kindId, text: 'When'}), kind, el('label', {'for': varId, class: 'visually-hidden', text: 'Answer'}), varSel,
      el('label', {'for': opId, class: 'visually-hidden', text: 'Test'}), opSel,
      (opSel.value === 'answered' || opSel.value === 'not_answered') ? null : el('label', {'for': valId, class: 'visually-hidden', text: 'Value'}),
      (opSel.value === 'answered' || opSel.value === 'not_answered') ? null : valueControl]));
    return box;
  }
  function valueInput(id, when, question, isAge) {
    var input = question && question.input;
    var multiple = when.op === 'in' || when.op === 'not_in';
    if (!isAge && !multiple && (input === 'yesno' || input === 'consent')) {
      var s = el('select', {id: id}, [el('option', {value: 'true', text: input === 'consent' ? 'accepted (true)' : 'yes (true)'}), el('option', {value: 'false', text: input === 'consent' ? 'declined (false)' : 'no (false)'})]);
      s.value = when.value === false ? 'false' : 'true';
      return s;
    }
    if (!isAge && !multiple && (input === 'choice' || input === 'multi') && Array.isArray(question.options)) {
      var sel = el('select', {id: id}, question.options.filter(isObj).map(function (o) { return el('option', {value: o.value, text: firstText(o.label) + ' (' + o.value + ')'}); }));
      sel.value = typeof when.value === 'string' ? when.value : '';
      return sel;
    }
    var shown = Array.isArray(when.value) ? when.value.join(', ') : when.value === undefined ? '' : String(when.value);
    return el('input', {type: 'text', id: id, value: shown, placeholder: multiple ? 'a, b, c' : ''});
  }
  function readValue(control, op, question) {
    var raw = control.value;
    if (op === 'in' || op === 'not_in') { return raw.split(',').map(function (x) { return x.trim(); }).filter(Boolean).map(function (x) { return typedValue(x, question); }); }
    return typedValue(raw, question);
  }
  function typedValue(raw, question) {
    var input = question && question.input;
    if (input === 'yesno' || input === 'consent') { return raw === 'true'; }
    if (input === 'number') { return raw.trim() === '' ? 0 : Number(raw); }
    if (input === 'choice' || input === 'multi' || input === 'text' || input === 'email' || input === 'phone' || input === 'date') { return raw; }
    return literal(raw);
  }

  // Changing the kind of answer: buttons only belong to choice questions.
  function fitInputKind(node) {
    var wantsOptions = node.input === 'choice' || node.input === 'multi';
    if (wantsOptions && !Array.isArray(node.options)) { node.options = [{value: 'option_1', label: emptyText()}, {value: 'option_2', label: emptyText()}]; }
    if (!wantsOptions && node.options !== undefined) { delete node.options; }
    if (node.input !== 'consent' && node.notice !== undefined && !Object.values(node.notice || {}).some(Boolean)) { delete node.notice; }
  }

  /* ---------- the form pane */
  function renderForm() {
    var pane = $('fe-form');
    pane.textContent = '';
    S.notice = '';
    if (!S.data) { return; }
    if (S.selected.kind === 'node' && find(S.selected.id)) { pane.append(nodeForm(find(S.selected.id))); }
    else if (S.selected.kind === 'topics') { pane.append(topicsForm()); }
    else if (S.selected.kind === 'topic' && topicIndex(S.selected.id) >= 0) { pane.append(topicForm(topicIndex(S.selected.id))); }
    else if (S.selected.kind === 'section' && sections()[S.selected.name]) { pane.append(sectionForm(S.selected.name)); }
    else { S.selected = {kind: 'flow'}; pane.append(flowForm()); }
  }

  function findingsBox(list) {
    var box = el('div', {class: 'fe-node-findings', 'aria-live': 'polite'});
    if (list.length) {
      box.append(el('h3', {text: 'Checks on this step'}), el('ul', {class: 'fe-findings'}, list.map(function (f) { return findingItem(f, false); })));
    }
    return box;
  }
  function refreshFindingsInForm() {
    var box = $('fe-form').querySelector('.fe-node-findings');
    if (!box) { return; }
    var list = S.selected.kind === 'node' ? findingsFor(S.selected.id) : S.selected.kind === 'flow' ? flowFindings() : [];
    box.replaceWith(findingsBox(list));
  }
  function refreshListItem() {
    if (S.selected.kind !== 'node') { return; }
    var entry = find(S.selected.id);
    var item = $('fe-list').querySelector('[data-node="' + cssId(S.selected.id) + '"] .fe-item-text');
    if (entry && item) { item.textContent = short(firstText(entry.node.text) || describeNode(entry.node), 90); }
  }

  function nodeForm(entry) {
    var node = entry.node;
    var type = node.type;
    var nodeDef = def(type + '_node');
    var props = nodeDef.properties || {};
    var required = nodeDef.required || [];
    var wrap = el('div', {class: 'fe-node'});
    wrap.append(el('h2', {tabindex: '-1', text: (TYPE_NAMES[type] || type) + ': ' + node.id}));
    wrap.append(el('p', {class: 'hint', text: (TYPE_HELP[type] || '') + (TECH_TYPES[type] ? ' (Technical: a “' + TECH_TYPES[type] + '” step.)' : '') + ' In section “' + entry.section + '”, step ' + (entry.index + 1) + ' of ' + nodesOf(entry.section).length + '.'}));
    wrap.append(nodeTools(entry));
    wrap.append(findingsBox(findingsFor(node.id)));
    wrap.append(idField(node));
    var names = Object.keys(props).filter(function (k) { return k !== 'id' && k !== 'type'; });
    names.sort(function (a, b) { return rank(a) - rank(b); });
    var advanced = el('details', {class: 'fe-advanced'}, [el('summary', {text: 'More settings'})]);
    names.forEach(function (name) {
      if (name === 'options' && !(node.input === 'choice' || node.input === 'multi')) { return; }
      if (name === 'notice' && node.input !== 'consent' && node.notice === undefined) { return; }
      // a branch or a jump always leads elsewhere itself: its own "next" is never used
      if (name === 'next' && (type === 'branch' || type === 'goto') && node.next === undefined) { return; }
      var target = ADVANCED[name] ? advanced : wrap;
      target.append(field(node, name, props[name], required.indexOf(name) >= 0, {node: node}));
    });
    if (advanced.children.length > 1) { wrap.append(advanced); }
    var unknown = Object.keys(node).filter(function (k) { return !props[k]; });
    if (unknown.length) { wrap.append(el('p', {class: 'error', text: 'Keys this kind of step does not have (remove them in the JSON tab): ' + unknown.join(', ')})); }
    return wrap;
  }
  function rank(name) { var i = ORDER.indexOf(name); return i < 0 ? 100 : i; }

  function idField(node) {
    var id = nextId('id');
    var input = el('input', {type: 'text', id: id, value: node.id, spellcheck: 'false', autocomplete: 'off'});
    var msg = el('p', {class: 'hint', id: id + '-msg', 'aria-live': 'polite', text: 'Lower-case letters, digits, _ or -. Renaming updates every step that leads here.'});
    input.setAttribute('aria-describedby', id + '-msg');
    input.addEventListener('change', function () {
      var fresh = input.value.trim(), old = node.id;
      if (fresh === old) { return; }
      if (!ID_RE.test(fresh)) { msg.textContent = 'Not renamed: use lower-case letters, digits, _ or -, starting with a letter.'; input.value = old; return; }
      if (nodeIds().indexOf(fresh) >= 0) { msg.textContent = 'Not renamed: another step is already called ' + fresh + '.'; input.value = old; return; }
      change(function () {
        references().forEach(function (r) { if (r[0][r[1]] === old) { r[0][r[1]] = fresh; } });
        node.id = fresh;
      }, {keepForm: true});
      S.selected = {kind: 'node', id: fresh};
      renderForm();
      renderList();
      renderMap();
    });
    return el('div', {class: 'fe-field'}, [el('label', {'for': id, text: 'Step name (technical: id)'}), input, msg]);
  }

  function nodeTools(entry) {
    var node = entry.node, list = nodesOf(entry.section), i = entry.index;
    var moveId = nextId('mv');
    var move = el('select', {id: moveId}, [el('option', {value: '', text: 'Move to section…'})].concat(sectionNames().filter(function (s) { return s !== entry.section; }).map(function (s) { return el('option', {value: s, text: s}); })));
    move.addEventListener('change', function () {
      if (!move.value) { return; }
      var to = move.value;
      change(function () { list.splice(list.indexOf(node), 1); nodesOf(to).push(node); });
      select({kind: 'node', id: node.id});
    });
    return el('div', {class: 'row fe-tools', role: 'group', 'aria-label': 'Step actions'}, [
      el('button', {type: 'button', class: 'secondary fe-small', text: 'Move up', disabled: i === 0 ? true : null, onclick: function () {
        change(function () { list.splice(i, 1); list.splice(i - 1, 0, node); }); select({kind: 'node', id: node.id}); }}),
      el('button', {type: 'button', class: 'secondary fe-small', text: 'Move down', disabled: i === list.length - 1 ? true : null, onclick: function () {
        change(function () { list.splice(i, 1); list.splice(i + 1, 0, node); }); select({kind: 'node', id: node.id}); }}),
      el('label', {'for': moveId, class: 'visually-hidden', text: 'Move to section'}), move,
      el('button', {type: 'button', class: 'secondary fe-small', text: 'Add a step after this', onclick: function () { openAdd(entry.section, node.id); }}),
      el('button', {type: 'button', class: 'secondary fe-small', text: 'Duplicate', onclick: function () {
        var copy = clone(node);
        copy.id = uniqueId(node.id + '_copy');
        change(function () { list.splice(list.indexOf(node) + 1, 0, copy); });
        select({kind: 'node', id: copy.id}, true);
      }}),
      el('button', {type: 'button', class: 'danger fe-small', text: 'Delete', onclick: function () {
        var n = pointersTo(node.id);
        var question = 'Delete the step “' + node.id + '”?' + (n ? ' ' + n + ' other place(s) lead here and will show an error until you change them.' : '');
        if (!window.confirm(question)) { return; }
        var at = list.indexOf(node);
        change(function () { list.splice(at, 1); });
        var neighbour = list[Math.max(0, at - 1)];
        select(neighbour ? {kind: 'node', id: neighbour.id} : {kind: 'section', name: entry.section}, true);
      }}),
      el('button', {type: 'button', class: 'secondary fe-small fe-jump', text: 'Show this step in the preview', onclick: function () { jumpTo(node.id); }})
    ]);
  }

  /* ---------- adding a step */
  function openAdd(section, after) {
    var pane = $('fe-form');
    pane.textContent = '';
    var typeId = nextId('nt'), idId = nextId('ni');
    var type = el('select', {id: typeId}, Object.keys(TYPE_NAMES).map(function (t) { return el('option', {value: t, text: TYPE_NAMES[t] + ' — ' + TYPE_HELP[t]}); }));
    type.value = 'question';
    var idInput = el('input', {type: 'text', id: idId, placeholder: 'e.g. ask_hours', spellcheck: 'false'});
    var msg = el('p', {class: 'hint', 'aria-live': 'polite'});
    var form = el('form', {class: 'stack fe-add', onsubmit: function (e) {
      e.preventDefault();
      var id = idInput.value.trim() || uniqueId(type.value);
      if (!ID_RE.test(id)) { msg.textContent = 'Use lower-case letters, digits, _ or -, starting with a letter.'; return; }
      if (nodeIds().indexOf(id) >= 0) { msg.textContent = 'There is already a step called ' + id + '.'; return; }
      var node = newNode(type.value, id);
      change(function () {
        var list = nodesOf(section);
        var at = after ? list.findIndex(function (n) { return isObj(n) && n.id === after; }) + 1 : list.length;
        list.splice(at, 0, node);
      });
      select({kind: 'node', id: id}, true);
    }}, [el('h2', {tabindex: '-1', text: 'Add a step to section “' + section + '”' + (after ? ' after “' + after + '”' : '')}),
      el('label', {'for': typeId, text: 'Kind of step'}), type, el('label', {'for': idId, text: 'Step name (technical: id; optional)'}), idInput, msg,
      el('div', {class: 'row'}, [el('button', {type: 'submit', text: 'Add the step'}), el('button', {type: 'button', class: 'secondary', text: 'Cancel', onclick: function () { renderForm(); }})])]);
    pane.append(form);
    form.querySelector('h2').focus();
  }

  function newNode(type, id) {
    var node = {id: id, type: type};
    var nodeDef = def(type + '_node');
    var vars = Object.keys(variables());
    var someNode = nodeIds()[0] || id;
    (nodeDef.required || []).forEach(function (name) {
      if (node[name] !== undefined) { return; }
      var ps = nodeDef.properties[name], kind = kindOf(ps, name);
      if (kind === 'text') { node[name] = emptyText(); }
      else if (name === 'input') { node.input = 'text'; }
      else if (name === 'var') { node['var'] = uniqueVar(id); }
      else if (name === 'mode') { node.mode = 'queued'; }
      else if (name === 'instrument') { node.instrument = 'checkin-demo'; }
      else if (kind === 'vars') { node[name] = []; }
      else if (kind === 'node') { node[name] = someNode; }
      else if (kind === 'section') { node[name] = sectionNames()[0]; }
      else if (kind === 'cases') { node[name] = [{when: {'var': vars[0] || 'answer', op: 'answered'}, next: someNode}]; }
      else if (kind === 'fields') { node[name] = [{'var': vars[0] || 'answer', label: emptyText()}]; }
      else if (kind === 'values') { node[name] = {flag: true}; }
    });
    return node;
  }
  function uniqueVar(id) {
    var base = id.replace(/-/g, '_').replace(/^(ask|q)_/, '') || 'answer', candidate = base, n = 2;
    var vars = variables();
    while (vars[candidate]) { candidate = base + '_' + n; n += 1; }
    return VAR_RE.test(candidate) ? candidate : 'answer_' + n;
  }

  /* ---------- section and flow forms */
  function sectionForm(name) {
    var body = sections()[name];
    var wrap = el('div', {class: 'fe-node'}, [el('h2', {tabindex: '-1', text: 'Section: ' + name}),
      el('p', {class: 'hint', text: 'A section is a group of steps. Steps follow one another in order unless a step says where to go.'})]);
    wrap.append(field(body, 'title', def('section').properties.title, false));
    var empty = !nodesOf(name).length;
    wrap.append(el('div', {class: 'row'}, [
      el('button', {type: 'button', class: 'secondary fe-small', text: 'Add a step', onclick: function () { openAdd(name, null); }}),
      el('button', {type: 'button', class: 'danger fe-small', text: 'Delete this section', disabled: empty ? null : true, 'aria-describedby': empty ? null : 'fe-secdel',
        onclick: function () { change(function () { delete S.data.sections[name]; }); select({kind: 'flow'}, true); }}),
      empty ? null : el('span', {class: 'hint', id: 'fe-secdel', text: 'Delete or move its steps first.'})]));
    return wrap;
  }

  function flowForm() {
    var top = S.schema.properties;
    var wrap = el('div', {class: 'fe-node'}, [el('h2', {tabindex: '-1', text: 'Flow: ' + firstText(S.data.title)}),
      el('p', {class: 'hint', text: 'Settings for the whole conversation. Choose a step on the left (or on the map) to change what it says.'})]);
    wrap.append(findingsBox(flowFindings()));
    wrap.append(field(S.data, 'title', top.title, true));
    wrap.append(field(S.data, 'description', top.description, false));
    wrap.append(field(S.data, 'start', top.start, true));
    var settingsDef = def('settings');
    var settings = attached(S.data, 'settings');
    wrap.append(field(settings, 'person_node', settingsDef.properties.person_node, false));
    wrap.append(field(settings, 'max_retries', settingsDef.properties.max_retries, false));
    wrap.append(el('p', {class: 'hint', text: 'Languages: ' + locales().map(langName).join(', ') + '. Global phrases (' + (Array.isArray(S.data.intents) ? S.data.intents.length : 0) + ') and built-in messages are edited in the JSON tab.'}));
    return wrap;
  }

  /* ---------- topics: what a visitor may ask at any step (docs/topics.md) */
  function topicList() { return Array.isArray(S.data && S.data.topics) ? S.data.topics : []; }
  function topicIndex(id) { return topicList().findIndex(function (t) { return isObj(t) && t.id === id; }); }
  // Findings about topic i (null: about any topic), by their JSON path.
  function topicFindings(i) {
    var prefix = i === null ? '$.topics' : '$.topics[' + i + ']';
    return S.check.findings.filter(function (f) {
      var p = typeof f.path === 'string' ? f.path : '';
      if (i === null) { return p.indexOf(prefix) === 0; }
      return p === prefix || p.indexOf(prefix + '.') === 0 || p.indexOf(prefix + '[') === 0;
    });
  }
  function topicsForm() {
    var wrap = el('div', {class: 'fe-node'}, [el('h2', {tabindex: '-1', text: 'Topics'}),
      el('p', {class: 'hint', text: 'Questions a visitor may type at any step (fees, telehealth, privacy …). The assistant answers with the topic’s reviewed answer, then asks its pending question again. Each topic has example questions in every language: the more ordinary wordings, the better it is found. (Technical: topics.)'})]);
    wrap.append(findingsBox(topicFindings(null)));
    var list = el('ul', {class: 'fe-topic-list'});
    topicList().forEach(function (t) {
      if (!isObj(t)) { return; }
      var n = locales().map(function (l) { return (isObj(t.examples) && Array.isArray(t.examples[l]) ? t.examples[l].length : 0) + ' ' + l; }).join(', ');
      list.append(el('li', {}, [el('button', {type: 'button', class: 'fe-linkish', text: firstText(t.label) || t.id, onclick: function () { select({kind: 'topic', id: t.id}, true); }}),
        el('span', {class: 'hint', text: ' — ' + (Array.isArray(t.answer) ? 'answer' : 'action: ' + (t.action || '?')) + '; examples: ' + n}),
        el('span', {}, badge(topicFindings(topicIndex(t.id))))]));
    });
    wrap.append(list);
    wrap.append(topicTester());
    return wrap;
  }
  function topicForm(i) {
    var topic = topicList()[i];
    var wrap = el('div', {class: 'fe-node'}, [el('h2', {tabindex: '-1', text: 'Topic: ' + (firstText(topic.label) || topic.id)}),
      el('p', {class: 'hint', text: 'Technical: topics[' + i + '], id “' + topic.id + '”. '}, [el('button', {type: 'button', class: 'fe-linkish', text: 'All topics', onclick: function () { select({kind: 'topics'}, true); }})])]);
    wrap.append(findingsBox(topicFindings(i)));
    wrap.append(WIDGETS.text(topic, 'label', {}, true, {label: 'Name of the topic on its button'}));
    if (Array.isArray(topic.answer)) {
      var fs = el('fieldset', {class: 'fe-options'}, [el('legend', {text: 'The answer (messages said in order)'})]);
      topic.answer.forEach(function (message, k) {
        var row = el('div', {class: 'fe-option'}, [WIDGETS.text(topic.answer, String(k), {}, true, {label: 'Message ' + (k + 1)})]);
        row.append(rowTools(topic.answer, k, 'message ' + (k + 1)));
        fs.append(row);
      });
      fs.append(el('button', {type: 'button', class: 'secondary fe-small', text: 'Add a message', onclick: function () {
        change(function () { topic.answer.push(emptyText()); });
      }}));
      wrap.append(fs);
    } else {
      wrap.append(el('p', {class: 'hint', text: 'This topic takes an action (' + (topic.action || '?') + ') instead of answering; change it in the JSON tab.'}));
    }
    if (!isObj(topic.examples)) { topic.examples = {}; }
    locales().forEach(function (loc) { wrap.append(examplesEditor(topic, loc)); });
    wrap.append(topicTester());
    return wrap;
  }
  function examplesEditor(topic, loc) {
    var list = Array.isArray(topic.examples[loc]) ? topic.examples[loc] : [];
    var fs = el('fieldset', {class: 'fe-examples', 'data-locale': loc}, [el('legend', {text: 'Example questions in ' + langName(loc) + ' (' + list.length + ')'})]);
    var ul = el('ul', {class: 'fe-example-list'});
    list.forEach(function (text, k) {
      var id = nextId('ex');
      var input = el('input', {type: 'text', id: id, value: text, lang: loc, spellcheck: 'true'});
      input.addEventListener('input', function () { change(function () { list[k] = input.value; topic.examples[loc] = list; }, {keepForm: true, quiet: true}); });
      ul.append(el('li', {class: 'row'}, [el('label', {'for': id, class: 'visually-hidden', text: 'Example ' + (k + 1) + ' in ' + langName(loc)}), input,
        el('button', {type: 'button', class: 'danger fe-small', text: 'Remove', 'aria-label': 'Remove example ' + (k + 1) + ' in ' + langName(loc) + ': ' + text,
          onclick: function () { change(function () { list.splice(k, 1); topic.examples[loc] = list; }); }})]));
    });
    fs.append(ul);
    var addId = nextId('exadd');
    var add = el('input', {type: 'text', id: addId, lang: loc, placeholder: 'A way a visitor might ask it'});
    var msg = el('p', {class: 'hint', 'aria-live': 'polite'});
    fs.append(el('form', {class: 'row fe-example-add', onsubmit: function (e) {
      e.preventDefault();
      var text = add.value.replace(/\s+/g, ' ').trim();
      if (!text) { msg.textContent = 'Type the example first.'; return; }
      if (list.some(function (x) { return String(x).toLowerCase() === text.toLowerCase(); })) { msg.textContent = 'That example is already listed.'; return; }
      change(function () { list.push(text); topic.examples[loc] = list; });
      var again = $('fe-form').querySelector('.fe-examples[data-locale="' + cssId(loc) + '"] .fe-example-add input');
      if (again) { again.focus(); }
    }}, [el('label', {'for': addId, text: 'New example in ' + langName(loc)}), add, el('button', {type: 'submit', class: 'secondary fe-small', text: 'Add the example'}), msg]));
    return fs;
  }
  // Which topic a typed message gets from the saved draft: the matcher's own answer (core/topics.py).
  function topicTester() {
    var textId = nextId('try'), locId = nextId('trylang');
    var input = el('input', {type: 'text', id: textId, placeholder: 'e.g. do you take my insurance?'});
    var lang = el('select', {id: locId}, locales().map(function (l) { return el('option', {value: l, text: langName(l)}); }));
    var out = el('div', {class: 'fe-topic-result', role: 'status', 'aria-live': 'polite'});
    return el('form', {class: 'stack fe-topic-tester', onsubmit: function (e) {
      e.preventDefault();
      if (!input.value.trim()) { out.textContent = 'Type a message to try.'; return; }
      out.textContent = 'Saving and matching…';
      var ready = S.dirty || S.saving ? waitSaved() : Promise.resolve();
      ready.then(function () {
        return api('POST', D.topicMatchUrl, {text: input.value, locale: lang.value});
      }).then(function (res) {
        out.textContent = '';
        if (!res.ok) { out.append(el('p', {class: 'error', text: (res.body.error && res.body.error.message) || 'The match failed.'})); return; }
        var m = res.body.match;
        var OUT = {confident: 'answered with this topic', close: '“Did you mean …?” is asked', low: 'no topic: the kind fallback (it would appear under “Questions we could not answer”)'};
        out.append(el('p', {}, [el('strong', {text: m.topic ? (m.label || m.topic) + ' (' + m.topic + ')' : 'No topic'}), ' — score ' + m.score.toFixed(3) + ': ' + (OUT[m.outcome] || m.outcome) + '.']));
        if (m.example) { out.append(el('p', {class: 'hint', text: 'Closest example: “' + m.example + '”'})); }
        out.append(el('p', {class: 'hint', text: m.runner_up ? 'Runner-up: ' + (m.runner_label || m.runner_up) + ' (' + m.runner_up + '), score ' + m.runner_score.toFixed(3) + '.' : 'No runner-up.'}));
      });
    }}, [el('h3', {text: 'Which topic answers a typed question?'}), el('label', {'for': textId, text: 'A visitor types'}), input,
      el('label', {'for': locId, text: 'Language'}), lang, el('button', {type: 'submit', class: 'secondary', text: 'Try it'}), out]);
  }

  /* ---------- map */
  var SVGNS = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, kids) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs || {}) { if (attrs[k] !== null && attrs[k] !== undefined) { e.setAttribute(k, attrs[k]); } }
    (kids || []).forEach(function (c) { if (c) { e.append(c); } });
    return e;
  }
  function renderMap() {
    var pane = $('fe-map');
    if (S.tab !== 'map' || !S.data) { return; }
    pane.textContent = '';
    var W = 190, H = 54, GX = 70, GY = 26, TOP = 40, LEFT = 10;
    var pos = {};
    var names = sectionNames();
    names.forEach(function (name, col) {
      nodesOf(name).forEach(function (n, row) { if (isObj(n)) { pos[n.id] = {x: LEFT + col * (W + GX), y: TOP + row * (H + GY), col: col, row: row}; } });
    });
    var rows = Math.max.apply(null, [1].concat(names.map(function (n) { return nodesOf(n).length; })));
    var width = LEFT * 2 + names.length * (W + GX), height = TOP + rows * (H + GY) + 20;
    var root2 = svg('svg', {class: 'fe-svg', width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, role: 'group', 'aria-label': 'Map of the flow: sections are columns, arrows show where each step leads'});
    var defs = svg('defs', {}, [svg('marker', {id: 'fe-arrow', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse'}, [svg('path', {d: 'M0,0 L10,5 L0,10 z', class: 'fe-arrowhead'})])]);
    root2.append(defs);
    names.forEach(function (name, col) {
      var t = svg('text', {x: LEFT + col * (W + GX), y: 22, class: 'fe-svg-section'});
      t.textContent = name;
      root2.append(t);
    });
    var edgeLayer = svg('g', {class: 'fe-edges'});
    root2.append(edgeLayer);
    allNodes().forEach(function (entry) {
      var from = pos[entry.node.id];
      if (!from) { return; }
      edgesOf(entry).forEach(function (edge, k) {
        var to = pos[edge.to];
        var path, cls = 'fe-edge fe-edge-' + edge.kind;
        if (!to) {
          path = 'M' + (from.x + W) + ',' + (from.y + H / 2) + ' l28,0';
          cls += ' fe-edge-missing';
        } else if (to.col === from.col && to.row === from.row + 1 && (edge.kind === 'flow' || edge.kind === 'next')) {
          path = 'M' + (from.x + W / 2) + ',' + (from.y + H) + ' L' + (to.x + W / 2) + ',' + to.y;
        } else if (to.col === from.col) {
          var bend = 30 + 14 * (k % 4);
          path = 'M' + (from.x + W) + ',' + (from.y + H / 2) + ' C' + (from.x + W + bend) + ',' + (from.y + H / 2) + ' ' + (to.x + W + bend) + ',' + (to.y + H / 2) + ' ' + (to.x + W) + ',' + (to.y + H / 2);
        } else {
          var right = to.col > from.col;
          var sx = right ? from.x + W : from.x, tx = right ? to.x : to.x + W;
          var mid = (sx + tx) / 2;
          path = 'M' + sx + ',' + (from.y + H / 2) + ' C' + mid + ',' + (from.y + H / 2) + ' ' + mid + ',' + (to.y + H / 2) + ' ' + tx + ',' + (to.y + H / 2);
        }
        var p = svg('path', {d: path, class: cls, 'marker-end': 'url(#fe-arrow)'});
        var title = svg('title');
        title.textContent = entry.node.id + ' → ' + edge.to + (edge.label ? ' (' + edge.label + ')' : '') + (to ? '' : ' — this step does not exist');
        p.append(title);
        edgeLayer.append(p);
      });
    });
    allNodes().forEach(function (entry) {
      var n = entry.node, at = pos[n.id];
      if (!at) { return; }
      var c = counts(findingsFor(n.id));
      var current = S.selected.kind === 'node' && S.selected.id === n.id;
      var t1 = svg('text', {x: 8, y: 18, class: 'fe-svg-id'});
      t1.textContent = short(n.id, 26) + (c.errors ? '  ⚠ ' + c.errors : '');
      var t2 = svg('text', {x: 8, y: 38, class: 'fe-svg-text'});
      t2.textContent = short(firstText(n.text) || (TYPE_NAMES[n.type] || n.type) + ' ' + describeNode(n), 30);
      // Named by its visible words (voice control users say what they see), described by kind.
      var descId = nextId('desc');
      var desc = svg('desc', {id: descId});
      desc.textContent = (TYPE_NAMES[n.type] || n.type) + (c.errors ? ', ' + c.errors + ' errors' : '') + (c.warnings ? ', ' + c.warnings + ' warnings' : '');
      var g = svg('g', {class: 'fe-svg-node fe-type-' + n.type + (c.errors ? ' fe-has-error' : c.warnings ? ' fe-has-warning' : '') + (current ? ' fe-current' : ''),
        transform: 'translate(' + at.x + ',' + at.y + ')', tabindex: '0', role: 'button', 'data-node': n.id, 'aria-describedby': descId});
      g.append(desc, svg('rect', {width: W, height: H, rx: n.type === 'question' ? 14 : 4}));
      g.append(t1, t2);
      var go = function () { select({kind: 'node', id: n.id}); };
      g.addEventListener('click', go);
      g.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); go(); } });
      root2.append(g);
    });
    var scroller = el('div', {class: 'fe-map-scroll'}, [root2]);
    pane.append(el('h2', {class: 'visually-hidden', text: 'Map of the flow'}));
    pane.append(el('p', {class: 'hint', text: 'Each column is a section. Grey arrows: on to the next step; blue: an answer button; purple: a decision rule; orange: a jump; red dashes: leads to a step that does not exist. Select a step to edit it.'}), scroller);
    pane.append(edgeList());
  }
  // The same map as text, for screen readers and for reading connections quickly.
  function edgeList() {
    var details = el('details', {class: 'fe-edge-list'}, [el('summary', {text: 'Connections as a list'})]);
    sectionNames().forEach(function (name) {
      var list = el('ul');
      nodesOf(name).forEach(function (n, index) {
        if (!isObj(n)) { return; }
        var edges = edgesOf({node: n, section: name, index: index});
        list.append(el('li', {}, [el('code', {text: n.id}), ' → ' + (edges.length ? edges.map(function (e) { return e.to + (e.label ? ' (' + e.label + ')' : '') + (find(e.to) ? '' : ' [missing]'); }).join('; ') : 'nothing (the conversation stops)')]));
      });
      details.append(el('h3', {text: 'Section ' + name}), list);
    });
    return details;
  }

  /* ---------- tabs */
  function showTab(tab) {
    S.tab = tab;
    ['list', 'map', 'json'].forEach(function (t) {
      var button = $('fe-tab-' + t);
      button.setAttribute('aria-selected', t === tab ? 'true' : 'false');
      button.tabIndex = t === tab ? 0 : -1;
      $('fe-' + t).hidden = t !== tab;
    });
    $('fe-body').setAttribute('data-tab', tab);
    if (tab === 'map') { renderMap(); }
    if (tab === 'json') { $('fe-json-text').value = JSON.stringify(S.data, null, 2); $('fe-json-findings').textContent = ''; }
    if (tab !== 'json') { renderList(); renderForm(); }
  }
  ['list', 'map', 'json'].forEach(function (t, i, all) {
    var button = $('fe-tab-' + t);
    button.addEventListener('click', function () { showTab(t); });
    button.addEventListener('keydown', function (e) {
      var d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (!d) { return; }
      var next = all[(i + d + all.length) % all.length];
      showTab(next);
      $('fe-tab-' + next).focus();
    });
  });

  /* ---------- JSON tab */
  function checkJson() {
    var text = $('fe-json-text').value;
    var seq = ++S.jsonSeq;
    api('POST', D.checkUrl, text, true).then(function (res) {
      if (seq !== S.jsonSeq) { return; }
      var box = $('fe-json-findings');
      box.textContent = '';
      if (!res.ok) { box.append(el('p', {class: 'error', text: (res.body.error && res.body.error.message) || 'The check failed.'})); return; }
      var check = res.body.check;
      box.append(el('p', {class: 'fe-counts', text: check.errors + ' error(s), ' + check.warnings + ' warning(s)' + (res.body.parsed ? '' : ' — not applied to the draft until the JSON is valid.')}));
      if (check.findings.length) { box.append(el('ul', {class: 'fe-findings'}, check.findings.map(function (f) { return findingItem(f, false); }))); }
      if (res.body.parsed && JSON.stringify(res.body.data) !== JSON.stringify(S.data)) {
        var data = res.body.data;
        change(function () { S.data = data; }, {keepForm: true, quiet: true});
      }
    });
  }
  $('fe-json-text').addEventListener('input', function () {
    clearTimeout(S.jsonTimer);
    S.jsonTimer = setTimeout(checkJson, CHECK_DELAY);
  });
  $('fe-import').addEventListener('change', function () {
    var file = this.files && this.files[0];
    if (!file) { return; }
    var reader = new FileReader();
    reader.onload = function () { $('fe-json-text').value = String(reader.result || ''); checkJson(); };
    reader.readAsText(file);
  });

  /* ---------- preview */
  var previewToggle = $('fe-preview-toggle');
  previewToggle.addEventListener('click', function () {
    var open = $('fe-preview').hidden;
    $('fe-preview').hidden = !open;
    previewToggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    $('fe-body').classList.toggle('fe-with-preview', open);
    if (open && !S.preview.ticket) { startPreview(); }
  });
  $('fe-preview-restart').addEventListener('click', function () { startPreview(); });
  $('fe-preview-locale').addEventListener('change', function () { startPreview(); });

  function forgetPreviewSession() {
    try { Object.keys(sessionStorage).forEach(function (k) { if (k.indexOf('intake-chat.preview.') === 0) { sessionStorage.removeItem(k); } }); } catch (e) { /* storage blocked */ }
  }
  function startPreview() {
    var note = $('fe-preview-note');
    note.textContent = 'Saving and starting the preview…';
    var ready = S.dirty || S.saving ? waitSaved() : Promise.resolve();
    return ready.then(function () {
      if (S.dirty || S.conflict) { note.textContent = 'The draft could not be saved, so the preview cannot start.'; return null; }
      var locale = $('fe-preview-locale').value || locales()[0];
      return api('POST', D.previewUrl + '?locale=' + encodeURIComponent(locale), {revision: S.revision}).then(function (res) {
        if (!res.ok) { note.textContent = (res.body.error && res.body.error.message) || 'The preview could not start.'; return null; }
        forgetPreviewSession();
        S.preview = {ticket: res.body.ticket, revision: res.body.revision, open: true};
        $('fe-preview-frame').src = res.body.frame_url;
        note.textContent = 'Showing draft revision ' + res.body.revision + '. Chat in it as a visitor would, or use “Show this step in the preview” on any step to jump there.';
        return res.body.ticket;
      });
    });
  }
  function waitSaved() {
    return new Promise(function (resolve) {
      var tries = 0;
      (function again() {
        tries += 1;
        if (!S.saving && S.dirty && !S.conflict) { save(); }
        if ((!S.saving && !S.dirty) || S.conflict || tries > 100) { resolve(); return; }
        setTimeout(again, 100);
      })();
    });
  }
  function notePreviewStale() {
    if (S.preview.ticket) { $('fe-preview-note').textContent = 'The draft changed since this preview started: choose “Restart with the latest draft” to see the changes.'; }
  }
  function jumpTo(nodeId) {
    if ($('fe-preview').hidden) { previewToggle.click(); }
    var note = $('fe-preview-note');
    var ticketReady = S.preview.ticket ? Promise.resolve(S.preview.ticket) : startPreview();
    ticketReady.then(function (ticket) {
      if (!ticket) { return; }
      api('POST', D.gotoUrl, {ticket: ticket, node: nodeId}).then(function (res) {
        note.textContent = res.ok ? 'The preview jumped to “' + nodeId + '”.' : (res.body.error && res.body.error.message) || 'The preview could not jump there.';
      });
    });
  }

  /* ---------- other editors: pick up their saves while this tab has nothing unsaved */
  var REFRESH_EVERY = 30000;
  function refresh() {
    // Not in the JSON tab: its text would still be the old one, and saving it would undo theirs.
    if (document.visibilityState !== 'visible' || S.dirty || S.saving || S.conflict || !S.data || S.tab === 'json') { return; }
    var seen = S.revision;
    api('GET', D.draftUrl).then(function (res) {
      if (!res.ok || S.dirty || S.saving || S.conflict || S.revision !== seen || S.tab === 'json') { return; }
      S.info = res.body;
      if (res.body.revision !== seen) {
        adopt(res.body, true);
        renderSummary(); renderList(); renderMap();
        if (S.selected.kind === 'node' && !find(S.selected.id)) { S.selected = {kind: 'flow'}; }
        renderForm();  // the old form's fields point at the replaced data: never leave them live
        $('fe-save').textContent = 'Updated with the changes ' + (res.body.updated_by || 'someone') + ' saved (revision ' + res.body.revision + ').';
        return;
      }
      renderSave();
    });
  }
  setInterval(refresh, REFRESH_EVERY);
  document.addEventListener('visibilitychange', refresh);

  /* ---------- start */
  function load() {
    $('fe-conflict').hidden = true;
    return api('GET', D.draftUrl + '?schema=1').then(function (res) {
      if (!res.ok) { $('fe-save').textContent = (res.body.error && res.body.error.message) || 'The draft could not be loaded. Reload the page.'; return; }
      S.schema = res.body.schema;
      S.codes = res.body.codes || {};
      adopt(res.body, true);
      S.dirty = false;
      $('fe-title').textContent = firstText(S.data.title) || D.flow;
      var sel = $('fe-preview-locale');
      sel.textContent = '';
      locales().forEach(function (l) { sel.append(el('option', {value: l, text: langName(l)})); });
      if (S.selected.kind === 'node' && !find(S.selected.id)) { S.selected = {kind: 'flow'}; }
      var tryBox = $('fe-topic-try');
      if (tryBox) { tryBox.textContent = ''; tryBox.append(topicTester()); }
      renderSave();
      renderSummary();
      renderList();
      renderMap();
      renderForm();
      if (S.tab === 'json') { $('fe-json-text').value = JSON.stringify(S.data, null, 2); }
      var wanted = (location.hash || '').replace(/^#step-/, '');
      if (wanted && find(wanted)) { select({kind: 'node', id: wanted}); }
    }, function () { $('fe-save').textContent = 'The draft could not be loaded (no connection). Reload the page.'; });
  }
  load();
})();
