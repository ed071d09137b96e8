/* Live chat in the staff console: requests for a person reach staff who accept chats on every
   console page (banner, sound), the queue table and the open chat update themselves, safety
   alerts from a live chat are shown prominently, and replies are sent without a reload.
   The socket (/staff/live/ws) also tells the server this console is open. No framework, no
   third-party requests; visitor text only ever goes in through textContent. */
(function () {
  "use strict";

  var body = document.body;
  if (!body.hasAttribute("data-live-url") || !("WebSocket" in window)) { return; }
  var SOCKET_PATH = "/staff/live/ws";
  var chatBox = document.getElementById("live-chat");
  var chatId = chatBox ? chatBox.getAttribute("data-request") : null;
  var after = chatBox ? chatBox.getAttribute("data-after") : null;

  function csrf() {
    var field = document.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }
  function words(text) { return String(text || "").replace(/_/g, " "); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    if (seconds < 60) { return seconds + " s"; }
    var minutes = Math.floor(seconds / 60), rest = seconds % 60;
    if (minutes < 60) { return minutes + " min " + (rest < 10 ? "0" : "") + rest + " s"; }
    return Math.floor(minutes / 60) + " h " + (minutes % 60 < 10 ? "0" : "") + (minutes % 60) + " min";
  }

  /* --- sound: follows the console's own "Sound alerts" switch -------------------------- */
  var audio = null;
  function soundOn() {
    try { return window.localStorage.getItem("intake-console-sound") !== "off"; } catch (e) { return true; }
  }
  function beep(times, pitch) {
    if (!soundOn()) { return; }
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { return; }
    try {
      if (!audio) { audio = new Ctx(); }
      for (var i = 0; i < times; i++) {
        var start = audio.currentTime + i * 0.3;
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.frequency.value = pitch;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.2);
        osc.connect(gain).connect(audio.destination);
        osc.start(start);
        osc.stop(start + 0.22);
      }
    } catch (e) { /* no audio device: the banner is still there */ }
  }

  /* --- forms made in the page: accept buttons ------------------------------------------ */
  function postForm(action, label, extraClass) {
    var form = el("form", { method: "post", action: action, "class": "inline" });
    var token = el("input", { type: "hidden", name: "csrf_token" });
    token.value = csrf();
    form.appendChild(token);
    var button = el("button", { type: "submit" }, label.text);
    if (extraClass) { button.className = extraClass; }
    if (label.hidden) { button.appendChild(el("span", { "class": "visually-hidden" }, label.hidden)); }
    form.appendChild(button);
    return form;
  }

  function riskText(item) {
    if (!item.risk) { return ""; }
    return (item.risk === "crisis" ? "Crisis" : "Concern") + (item.category ? ": " + item.category : "");
  }

  /* --- requests for a person: banners on any page -------------------------------------- */
  var seen = {};
  try { seen = JSON.parse(window.sessionStorage.getItem("intake-live-seen") || "{}") || {}; } catch (e) { seen = {}; }
  function remember() {
    try { window.sessionStorage.setItem("intake-live-seen", JSON.stringify(seen)); } catch (e) { /* private mode */ }
  }

  function requestBanner(item) {
    var regionId = item.risk === "crisis" ? "crisis-alerts" : "live-alerts";
    var region = document.getElementById(regionId);
    if (!region || document.querySelector('[data-live-banner="' + item.id + '"]')) { return; }
    var box = el("div", { "class": "alert-banner" + (item.risk === "crisis" ? " crisis" : ""), "data-live-banner": String(item.id) });
    var risk = riskText(item);
    box.appendChild(el("p", {}, "A visitor is asking to talk with a person: " + item.person +
      (risk ? " (" + risk + ")" : "") + ". Waiting " + item.waited_text + "."));
    box.appendChild(postForm(item.accept_url, { text: "Accept chat", hidden: " with " + item.person }));
    box.appendChild(el("a", { href: "/staff/live/" }, "Open the live chat queue"));
    var close = el("button", { type: "button", "class": "secondary", "aria-label": "Dismiss the request from " + item.person }, "Dismiss");
    close.addEventListener("click", function () { box.remove(); });
    box.appendChild(close);
    region.appendChild(box);
  }

  function onQueue(message) {
    var waitingIds = {};
    message.waiting.forEach(function (item) { waitingIds[item.id] = true; });
    Array.prototype.forEach.call(document.querySelectorAll("[data-live-banner]"), function (box) {
      if (!waitingIds[box.getAttribute("data-live-banner")]) { box.remove(); }
    });
    var fresh = false, urgent = false;
    message.waiting.forEach(function (item) {
      if (String(item.id) === chatId) { return; }
      if (message.accepting) { requestBanner(item); }
      if (!seen[item.id]) { seen[item.id] = 1; fresh = true; urgent = urgent || item.risk === "crisis"; }
    });
    remember();
    if (fresh && message.accepting) { beep(urgent ? 3 : 2, urgent ? 988 : 740); }
    var available = document.getElementById("live-available");
    if (available) { available.textContent = String(message.available); }
    renderQueue(message.waiting);
  }

  function renderQueue(waiting) {
    var table = document.getElementById("live-queue");
    if (!table) { return; }
    var tbody = table.tBodies[0];
    var rows = waiting.map(function (item) {
      var tr = el("tr", { "data-request": String(item.id) });
      if (item.risk === "crisis") { tr.className = "pinned"; }
      var who = el("td");
      who.appendChild(el("a", { href: item.url }, item.person));
      tr.appendChild(who);
      var risk = el("td");
      if (item.risk) {
        risk.appendChild(el("span", { "class": "badge " + (item.risk === "crisis" ? "urgent" : "concern") }, riskText(item)));
      } else {
        risk.appendChild(el("span", { "class": "no-risk" }, "None flagged"));
      }
      tr.appendChild(risk);
      var since = el("td");
      since.appendChild(el("time", { datetime: item.requested_at, "data-waited": String(item.waited) }, item.waited_text));
      tr.appendChild(since);
      tr.appendChild(el("td", {}, item.language));
      var action = el("td");
      action.appendChild(postForm(item.accept_url, { text: "Accept chat", hidden: " with " + item.person }));
      tr.appendChild(action);
      return tr;
    });
    if (!rows.length) {
      var empty = el("tr", { "class": "empty" });
      empty.appendChild(el("td", { colspan: "5" }, "Nobody is waiting right now."));
      rows = [empty];
    }
    tbody.replaceChildren.apply(tbody, rows);
    started = Date.now();
  }

  // The waiting times count up between server updates.
  var started = Date.now();
  window.setInterval(function () {
    var elapsed = (Date.now() - started) / 1000;
    Array.prototype.forEach.call(document.querySelectorAll("#live-queue time[data-waited]"), function (time) {
      time.textContent = duration(parseInt(time.getAttribute("data-waited"), 10) + elapsed);
    });
  }, 1000);

  /* --- the open chat ------------------------------------------------------------------- */
  var transcript = document.getElementById("live-transcript");
  var logBox = document.getElementById("live-log");
  if (logBox) { logBox.scrollTop = logBox.scrollHeight; }  // the newest lines first in view

  function whoLabel(line) {
    var who = line.who === "visitor" ? "Visitor" : line.who === "staff" ? "Staff" : "Assistant";
    if (line.alert) {
      who += " — safety: " + (line.level || "crisis") + (line.category ? " (" + words(line.category) + ")" : "");
    }
    return who;
  }

  function addLine(line) {
    if (!transcript || transcript.querySelector('[data-seq="' + line.seq + '"]')) { return; }
    var li = el("li", { "class": "line " + line.who + (line.alert ? " alert" : ""), "data-seq": String(line.seq) });
    li.appendChild(el("span", { "class": "who" }, whoLabel(line)));
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("time", { datetime: line.at }, line.at_local));
    li.appendChild(el("p", { "class": "text" }, line.text));
    transcript.appendChild(li);
    if (logBox) { logBox.scrollTop = logBox.scrollHeight; }
  }

  function onChat(message) {
    if (String(message.request) !== chatId) { return; }
    message.lines.forEach(addLine);
  }

  function onAlert(message) {
    var text = "Safety alert in your live chat with " + message.person + ": " + words(message.level || "crisis") +
      (message.category ? " (" + words(message.category) + ")" : "") + " at " + message.at_local +
      ". The visitor was shown crisis resources.";
    var box = document.getElementById("chat-alerts");
    if (box && String(message.request) === chatId) {
      box.appendChild(el("p", { "class": "chat-alert" }, text + " Read their message below and respond; follow the practice's crisis procedure."));
    } else {
      var region = document.getElementById("crisis-alerts");
      if (region) {
        var banner = el("div", { "class": "alert-banner crisis" });
        banner.appendChild(el("p", {}, text));
        banner.appendChild(el("a", { href: message.url }, "Open the chat"));
        region.appendChild(banner);
      }
    }
    beep(3, 988);
  }

  function onChatState(message) {
    if (String(message.request) !== chatId) { return; }
    var status = document.getElementById("chat-status");
    if (status) { status.textContent = message.text; }
    var risk = document.getElementById("chat-risk");
    if (risk && message.risk) {
      risk.replaceChildren(el("span", { "class": "badge " + (message.risk === "crisis" ? "urgent" : "concern") }, riskText(message)));
    }
    if (message.mine) { return; }
    var form = document.getElementById("reply-form");
    if (form) {
      form.replaceChildren(el("p", { "class": "notice", role: "status" }, "This chat is over: " + message.text + "."));
    }
    Array.prototype.forEach.call(document.querySelectorAll(".chat-actions button"), function (button) {
      button.disabled = true;
    });
  }

  /* --- replies without a reload -------------------------------------------------------- */
  var reply = document.getElementById("reply-form");
  if (reply) {
    var box = document.getElementById("reply");
    var error = document.getElementById("reply-error");
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        reply.requestSubmit();
      }
    });
    reply.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = box.value.trim();
      if (!text) { return; }
      var button = reply.querySelector('button[type="submit"]');
      button.disabled = true;
      fetch(reply.action, {
        method: "POST",
        body: new FormData(reply),
        headers: { "Accept": "application/json", "X-CSRF-Token": csrf() },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (!result.ok) {
          error.hidden = false;
          error.textContent = (result.data && result.data.error && result.data.error.message) || "Not sent. Try again.";
          return;
        }
        error.hidden = true;
        box.value = "";
      }).catch(function () {
        error.hidden = false;
        error.textContent = "Not sent: the connection to the server failed. Try again.";
      }).then(function () {
        button.disabled = false;
        box.focus();
      });
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  /* --- the socket ---------------------------------------------------------------------- */
  var retry = 1000, stopped = false;
  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var query = chatId ? "?chat=" + encodeURIComponent(chatId) + "&after=" + encodeURIComponent(after || "0") : "";
    var socket = new WebSocket(scheme + window.location.host + SOCKET_PATH + query);
    socket.addEventListener("open", function () { retry = 1000; });
    socket.addEventListener("message", function (raw) {
      var message;
      try { message = JSON.parse(raw.data); } catch (e) { return; }
      if (message.type === "queue") { onQueue(message); }
      else if (message.type === "chat") {
        onChat(message);
        if (message.lines.length) { after = String(message.lines[message.lines.length - 1].seq); }
      }
      else if (message.type === "alert") { onAlert(message); }
      else if (message.type === "chat_state") { onChatState(message); }
      else if (message.type === "signed_out") { stopped = true; }
      body.dispatchEvent(new CustomEvent("live:" + message.type, { detail: message }));
    });
    socket.addEventListener("close", function () {
      if (stopped) { return; }
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }
  connect();
})();
