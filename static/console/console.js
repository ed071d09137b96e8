/* Staff console: live updates over /staff/ws, sound and banner alerts (each can be turned off),
   and sign-out after inactivity. No framework, no third-party requests. Visitor text is only ever
   placed with textContent, never innerHTML. */
(function () {
  "use strict";

  var body = document.body;
  var liveUrl = body.getAttribute("data-live-url");
  var loginUrl = body.getAttribute("data-login-url");
  var idleSeconds = parseInt(body.getAttribute("data-idle-seconds") || "0", 10);

  function setting(name, fallback) {
    try {
      var value = window.localStorage.getItem("intake-console-" + name);
      return value === null ? fallback : value === "on";
    } catch (e) { return fallback; }
  }
  function remember(name, on) {
    try { window.localStorage.setItem("intake-console-" + name, on ? "on" : "off"); } catch (e) { /* private mode */ }
  }

  /* --- toggles ------------------------------------------------------------------------- */
  var soundOn = setting("sound", true);
  var bannersOn = setting("banners", true);

  function wireToggle(id, name, get, set) {
    var button = document.getElementById(id);
    if (!button) { return; }
    button.hidden = false;
    function show() {
      button.setAttribute("aria-pressed", get() ? "true" : "false");
      button.title = get() ? "On: select to turn off" : "Off: select to turn on";
    }
    button.addEventListener("click", function () { set(!get()); remember(name, get()); show(); });
    show();
  }
  wireToggle("sound-toggle", "sound", function () { return soundOn; }, function (v) { soundOn = v; });
  wireToggle("banner-toggle", "banners", function () { return bannersOn; }, function (v) {
    bannersOn = v;
    body.classList.toggle("alerts-off", !v);
  });
  body.classList.toggle("alerts-off", !bannersOn);

  /* --- sound: a generated beep, no audio file is fetched ------------------------------- */
  var audio = null;
  function audioContext() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { return null; }
    if (!audio) { audio = new Ctx(); }
    return audio;
  }
  // Browsers only start audio after a user gesture: prepare it on the first click or key press.
  function unlock() {
    var ctx = audioContext();
    if (ctx && ctx.state === "suspended") { ctx.resume(); }
  }
  document.addEventListener("click", unlock, { once: true });
  document.addEventListener("keydown", unlock, { once: true });

  function beep(times, pitch) {
    if (!soundOn) { return; }
    var ctx = audioContext();
    if (!ctx) { return; }
    for (var i = 0; i < times; i++) {
      var start = ctx.currentTime + i * 0.3;
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.type = "sine";
      osc.frequency.value = pitch;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.2);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.22);
    }
  }

  /* --- banners ------------------------------------------------------------------------- */
  function banner(regionId, kind, text, href, linkText) {
    var region = document.getElementById(regionId);
    if (!region) { return null; }
    var box = document.createElement("div");
    box.className = "alert-banner " + kind;
    var p = document.createElement("p");
    p.textContent = text;
    box.appendChild(p);
    if (href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = linkText;
      box.appendChild(a);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "secondary";
    close.textContent = "Dismiss";
    close.setAttribute("aria-label", "Dismiss: " + text);
    close.addEventListener("click", function () { box.remove(); });
    box.appendChild(close);
    region.appendChild(box);
    while (region.children.length > 5) { region.removeChild(region.firstElementChild); }
    return box;
  }

  function words(text) { return String(text || "").replace(/_/g, " "); }

  /* --- the inbox table ----------------------------------------------------------------- */
  function cell(row, text, className) {
    var td = document.createElement("td");
    if (className) { td.className = className; }
    if (text !== undefined && text !== null) { td.textContent = text; }
    row.appendChild(td);
    return td;
  }

  function addInboxRow(referral) {
    var table = document.getElementById("inbox");
    if (!table || table.getAttribute("data-filtered") === "1") { return false; }
    var tbody = table.tBodies[0];
    if (tbody.querySelector('tr[data-referral="' + CSS.escape(referral.id) + '"]')) { return false; }
    var empty = tbody.querySelector("tr.empty");
    if (empty) { empty.remove(); }
    var tr = document.createElement("tr");
    tr.setAttribute("data-referral", referral.id);
    tr.className = "fresh" + (referral.urgent ? " pinned" : "");
    var first = cell(tr);
    var link = document.createElement("a");
    link.href = referral.url;
    link.textContent = referral.name || "No name given";
    first.appendChild(link);
    first.appendChild(document.createTextNode(" "));
    var rid = document.createElement("span");
    rid.className = "ref-id";
    rid.textContent = referral.id;
    first.appendChild(rid);
    var flags = cell(tr);
    if (referral.urgent || referral.crisis_level) {
      var badge = document.createElement("span");
      badge.className = "badge " + (referral.urgent ? "urgent" : "concern");
      badge.textContent = (referral.urgent ? "Urgent" : "Concern") +
        (referral.crisis_category ? ": " + words(referral.crisis_category) : "");
      flags.appendChild(badge);
    }
    var status = cell(tr);
    var span = document.createElement("span");
    span.className = "status status-" + referral.status;
    span.textContent = referral.status.charAt(0).toUpperCase() + referral.status.slice(1);
    status.appendChild(span);
    cell(tr, "—");
    var when = cell(tr);
    var time = document.createElement("time");
    time.setAttribute("datetime", referral.created_at);
    time.textContent = referral.created_local;
    when.appendChild(time);
    // Urgent rows go on top; others after the last pinned row.
    var pinned = tbody.querySelectorAll("tr.pinned");
    var anchor = referral.urgent ? tbody.firstElementChild
      : (pinned.length ? pinned[pinned.length - 1].nextElementSibling : tbody.firstElementChild);
    tbody.insertBefore(tr, anchor);
    var count = document.getElementById("inbox-count");
    if (count) {
      var n = parseInt(count.textContent, 10);
      if (!isNaN(n)) { count.textContent = (n + 1) + " referral" + (n + 1 === 1 ? "" : "s"); }
    }
    return true;
  }

  /* --- events -------------------------------------------------------------------------- */
  function onReferral(event) {
    var r = event.referral;
    addInboxRow(r);
    var label = (r.urgent ? "Urgent referral" : "New referral") + ": " + (r.name || "no name given") +
      (r.crisis_category ? " (" + words(r.crisis_category) + ")" : "");
    banner(r.urgent ? "crisis-alerts" : "live-alerts", r.urgent ? "crisis" : "", label, r.url, "Open referral");
    beep(r.urgent ? 3 : 1, r.urgent ? 988 : 660);
  }

  function onCrisis(event) {
    // The open page is this very chat, held by me: live.js shows the alert inside it (with a beep).
    var open = document.getElementById("live-chat");
    if (open && open.getAttribute("data-session") === event.session_id) { return; }
    var text = "Safety alert in a chat: " + words(event.level) +
      (event.category ? " (" + words(event.category) + ")" : "") + " at " + event.at_local +
      ". The visitor was shown crisis resources.";
    banner("crisis-alerts", "crisis", text, event.url, "Open conversation");
    beep(3, 988);
  }

  function signOut(reason) {
    if (loginUrl) { window.location.assign(loginUrl + "?reason=" + encodeURIComponent(reason)); }
  }

  /* --- the socket ---------------------------------------------------------------------- */
  var state = document.getElementById("live-state");
  function showState(value, text) {
    if (!state) { return; }
    state.setAttribute("data-state", value);
    state.textContent = "Live updates: " + text;
  }

  var retry = 1000;
  var stopped = false;
  function connect() {
    if (!liveUrl || !("WebSocket" in window)) { showState("closed", "unavailable"); return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    // url_for gives a websocket rule as an absolute ws:// URL; keep only its path.
    var path = liveUrl.replace(/^wss?:\/\/[^/]+/, "");
    var socket = new WebSocket(scheme + window.location.host + path);
    socket.addEventListener("open", function () { retry = 1000; showState("open", "on"); });
    socket.addEventListener("message", function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      if (event.type === "referral_new") { onReferral(event); }
      else if (event.type === "crisis_flag") { onCrisis(event); }
      else if (event.type === "signed_out") { stopped = true; signOut(event.reason || "signed_out"); }
      body.dispatchEvent(new CustomEvent("console:" + event.type, { detail: event }));
    });
    socket.addEventListener("close", function () {
      if (stopped) { return; }
      showState("closed", "reconnecting");
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }
  if (liveUrl) { connect(); }

  /* --- inactivity ---------------------------------------------------------------------- */
  // The server ends the session after the idle time; this only takes the screen (and whatever
  // referral it shows) away at the same moment.
  if (idleSeconds > 0 && loginUrl) {
    window.setTimeout(function () { stopped = true; signOut("idle"); }, (idleSeconds + 2) * 1000);
  }
})();
