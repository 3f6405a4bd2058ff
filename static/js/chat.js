// Live chat for one room page: subscribe with catch-up, send with local echo, reconnect.
// The page works without this file (the form posts and reloads); this makes it live.
(function () {
  "use strict";
  var root = document.querySelector(".chat[data-room]");
  if (!root || !window.WebSocket) return;

  var roomId = Number(root.dataset.room);
  var csrf = root.dataset.csrf;
  var me = Number(root.dataset.me);
  var list = root.querySelector("[data-messages]");
  var form = root.querySelector("[data-send]");
  var field = form.querySelector("textarea");
  var statusLine = root.querySelector("[data-status]");
  var typingLine = root.querySelector("[data-typing]");
  var presenceLine = root.querySelector("[data-presence]");
  var olderButton = root.querySelector("[data-older]");
  var lastSeq = 0;
  var socket = null;
  var attempt = 0;
  var pending = {}; // client_id -> the echoed <li> waiting for its ack
  var typingTimer = null;
  var lastTypingSent = 0;

  list.querySelectorAll("li[data-seq]").forEach(function (li) {
    lastSeq = Math.max(lastSeq, Number(li.dataset.seq));
  });

  function say(text) { statusLine.textContent = text; }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function render(message, li) {
    li = li || document.createElement("li");
    li.className = "message" + (message.deleted ? " message--deleted" : "");
    li.dataset.seq = message.seq;
    li.id = "m-" + message.seq;
    li.textContent = "";
    var author = document.createElement("span");
    author.className = "message__author";
    author.textContent = message.author.display_name;
    var time = document.createElement("time");
    time.className = "meta";
    time.dateTime = message.created_at;
    time.textContent = new Date(message.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    li.append(author, " ", time);
    if (message.deleted || message.blocked) {
      var gone = document.createElement("p");
      gone.className = "tombstone";
      gone.textContent = message.deleted ? "This message was deleted." : "Message hidden because you blocked @" + message.author.username + ".";
      li.append(gone);
    } else {
      if (message.hidden) {
        // Only moderators receive a hidden message's text (marked hidden); others a tombstone.
        var badge = document.createElement("span");
        badge.className = "badge";
        badge.textContent = "Hidden by a moderator";
        li.append(badge);
      }
      var body = document.createElement("div");
      body.className = "message__body";
      body.innerHTML = message.body_html; // sanitized by the server, never built from the text here
      li.append(body);
      if (message.author.id !== me) li.append(reportLink(message));
    }
    return li;
  }

  // The same link the server puts under someone else's message (chat/room.html).
  function reportLink(message) {
    var link = document.createElement("a");
    link.className = "meta";
    link.href = "/report?target_type=message&target_id=" + encodeURIComponent(message.id);
    link.rel = "nofollow";
    link.textContent = "Report";
    var what = document.createElement("span");
    what.className = "visually-hidden";
    what.textContent = " this message";
    link.append(what);
    return link;
  }

  function place(message) {
    var empty = list.querySelector("[data-empty]");
    if (empty) empty.remove();
    var existing = list.querySelector('li[data-seq="' + message.seq + '"]');
    if (existing) { render(message, existing); return; }
    var li = render(message);
    // Keep seq order whatever order frames arrive in.
    var after = null;
    list.querySelectorAll("li[data-seq]").forEach(function (other) {
      if (Number(other.dataset.seq) > message.seq && !after) after = other;
    });
    list.insertBefore(li, after);
    if (message.seq > lastSeq) lastSeq = message.seq;
    li.scrollIntoView({ block: "nearest" });
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(frame)); return true; }
    return false;
  }

  function markRead() {
    fetch("/api/v1/rooms/" + roomId + "/read", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ seq: lastSeq })
    }).catch(function () {});
  }

  var handlers = {
    subscribed: function (frame) {
      attempt = 0;
      say(frame.limited ? "You were away a while: showing the latest 200 messages." : "Connected.");
      if (frame.limited && olderButton) olderButton.hidden = false;
      Object.keys(pending).forEach(function (cid) { send(pending[cid].frame); });
    },
    message: function (frame) { if (frame.room === roomId) { place(frame.message); markRead(); } },
    ack: function (frame) {
      var waiting = pending[frame.client_id];
      if (waiting) { waiting.li.remove(); delete pending[frame.client_id]; }
      place(frame.message);
    },
    deleted: function (frame) {
      var li = list.querySelector('li[data-seq="' + frame.seq + '"]');
      if (li) render({ seq: frame.seq, deleted: true, author: { display_name: li.querySelector(".message__author").textContent }, created_at: li.querySelector("time").dateTime }, li);
    },
    typing: function (frame) {
      if (frame.room !== roomId) return;
      typingLine.textContent = frame.user.display_name + " is typing…";
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { typingLine.textContent = ""; }, 4000);
    },
    presence: function (frame) {
      if (frame.room !== roomId) return;
      var names = frame.users.map(function (u) { return u.display_name; });
      presenceLine.textContent = names.length ? "Here now: " + names.join(", ") : "";
    },
    notification: function (frame) {
      var bell = document.querySelector("[data-unread-notifications]");
      if (bell) { bell.textContent = String(Number(bell.textContent || 0) + 1); bell.hidden = false; }
    },
    error: function (frame) {
      var waiting = frame.ref && pending[frame.ref];
      if (waiting) {
        waiting.li.classList.add("message--failed");
        waiting.li.querySelector(".message__body").textContent += " (not sent: " + frame.message + ")";
        delete pending[frame.ref];
      } else {
        say(frame.message);
      }
    },
    pong: function () {}
  };

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws");
    socket.onopen = function () {
      send({ type: "subscribe", room: roomId, since: lastSeq });
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      var handler = handlers[frame.type];
      if (handler) handler(frame);
    };
    socket.onclose = function () {
      socket = null;
      // Jittered exponential back-off, so a restarted server is not hit by everyone at once.
      var delay = Math.min(30000, 500 * Math.pow(2, attempt)) * (0.5 + Math.random() / 2);
      attempt += 1;
      say("Connection lost; trying again…");
      setTimeout(connect, delay);
    };
  }

  form.addEventListener("submit", function (event) {
    var body = field.value.trim();
    if (!body || !socket || socket.readyState !== WebSocket.OPEN) return; // the form posts instead
    event.preventDefault();
    var cid = newId();
    var frame = { type: "send", room: roomId, body: body, client_id: cid };
    var li = document.createElement("li");
    li.className = "message message--pending";
    var who = document.createElement("span");
    who.className = "message__author";
    who.textContent = "You";
    var text = document.createElement("div");
    text.className = "message__body";
    text.textContent = body + " (sending…)";
    li.append(who, " ", text);
    list.append(li);
    pending[cid] = { li: li, frame: frame };
    send(frame);
    field.value = "";
    field.focus();
  });

  field.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); return; }
    var now = Date.now();
    if (now - lastTypingSent > 3000) { lastTypingSent = now; send({ type: "typing", room: roomId }); }
  });

  if (olderButton) {
    olderButton.hidden = false;
    olderButton.addEventListener("click", function () {
      var first = list.querySelector("li[data-seq]");
      var before = first ? Number(first.dataset.seq) : lastSeq + 1;
      fetch("/api/v1/rooms/" + roomId + "/messages?limit=50&before_seq=" + before, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (page) {
          page.items.forEach(place);
          if (!page.next_cursor) olderButton.hidden = true;
          if (first) first.scrollIntoView({ block: "start" });
        });
    });
  }

  setInterval(function () { send({ type: "ping" }); }, 25000);
  connect();
})();
