// Customer web chat. Every message from the bot has an id from the outbox;
// a reply can arrive twice (as the answer to /send and again through the
// feed), so messages are shown once per id and kept in id order.
// Everything from the server is put in the page with textContent only.
"use strict";

(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const status = document.getElementById("status");
  const photo = document.getElementById("photo");
  const attach = document.getElementById("attach");

  // The server takes photos up to 5 MiB; a larger one is refused here
  // rather than after uploading it.
  const maxPhoto = 5 << 20;

  const seen = new Set();
  let lastId = 0;
  // Sends go one after another so the bot sees them in the order typed.
  let queue = Promise.resolve();

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function clientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function sleep(ms) {
    return new Promise((r) => setTimeout(r, ms));
  }

  function setOnline(ok) {
    status.textContent = ok ? "Online · replies at once" : "Connection lost, retrying…";
    status.classList.toggle("offline", !ok);
  }

  function showBot(m) {
    if (!m || seen.has(m.id)) return;
    seen.add(m.id);
    if (m.id > lastId) lastId = m.id;

    const row = el("div", "msg bot" + (m.kind === "notice" ? " notice" : ""));
    row.dataset.id = String(m.id);
    row.appendChild(el("div", "bubble", m.text));
    const opts = m.options || [];
    if (opts.length) {
      const box = el("div", "options");
      opts.forEach((o, i) => {
        const b = el("button", "opt");
        b.type = "button";
        b.dataset.key = o.key;
        b.dataset.n = String(i + 1);
        b.appendChild(el("span", "num", String(i + 1)));
        b.appendChild(el("span", "label", o.label));
        b.addEventListener("click", () => send({ button: o.key }, o.label));
        box.appendChild(b);
      });
      row.appendChild(box);
    }
    // Keep bot messages in id order even when the feed and /send race.
    const later = Array.from(log.querySelectorAll(".msg.bot")).find((r) => Number(r.dataset.id) > m.id);
    log.insertBefore(row, later || null);
    scrollDown();
  }

  function showMine(text) {
    const row = el("div", "msg me");
    row.appendChild(el("div", "bubble", text));
    log.appendChild(row);
    scrollDown();
    return row;
  }

  function typing(on) {
    let t = log.querySelector(".typing");
    if (on && !t) {
      t = el("div", "msg bot typing");
      t.appendChild(el("div", "bubble", "…"));
      log.appendChild(t);
      scrollDown();
    } else if (!on && t) {
      t.remove();
    }
  }

  async function post(path, init) {
    const r = await fetch(path, Object.assign({ method: "POST", credentials: "same-origin" }, init));
    const data = await r.json().catch(() => ({}));
    if (!r.ok) {
      const err = new Error(data.error || "HTTP " + r.status);
      err.final = r.status < 500; // a 4xx will not get better by retrying
      throw err;
    }
    return data;
  }

  function postText(id, body) {
    return post("/chat/api/send", {
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(Object.assign({}, body, { id: id })),
    });
  }

  function postPhoto(id, file) {
    const form = new FormData();
    form.append("id", id);
    form.append("photo", file);
    return post("/chat/api/photo", { body: form });
  }

  function showError(text) {
    log.appendChild(el("div", "msg system", text));
    scrollDown();
  }

  // deliver sends one message, attempt(id) making one try. It is retried
  // with the same id after a network error: the server answers a repeat
  // with the same replies.
  function deliver(attempt, shown) {
    const id = clientId();
    const mine = shown ? showMine(shown) : null;
    queue = queue.then(async () => {
      typing(true);
      for (let n = 0; ; n++) {
        try {
          const replies = await attempt(id);
          typing(false);
          setOnline(true);
          replies.forEach(showBot);
          return;
        } catch (e) {
          if (e.final || n >= 3) {
            typing(false);
            if (mine) mine.classList.add("failed");
            showError("Not sent: " + e.message);
            return;
          }
          setOnline(false);
          await sleep(1000 * (n + 1));
        }
      }
    });
    return queue;
  }

  function send(body, shown) {
    return deliver((id) => postText(id, body), shown);
  }

  function sendPhoto(file) {
    if (file.size > maxPhoto) {
      showError("Not sent: the photo is too large (at most 5 MB).");
      return queue;
    }
    return deliver((id) => postPhoto(id, file), "📷 Photo");
  }

  // poll receives what the bot says on its own: order confirmed, shipped…
  async function poll() {
    for (;;) {
      try {
        const r = await fetch("/chat/api/messages?after=" + lastId, { credentials: "same-origin" });
        if (!r.ok) throw new Error("HTTP " + r.status);
        const ms = await r.json();
        setOnline(true);
        ms.forEach(showBot);
      } catch (e) {
        setOnline(false);
        await sleep(3000);
      }
    }
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    // Over the bot's 500 characters the text stays, so the customer can
    // shorten it when the bot says so rather than type it again.
    if ([...text].length <= 500) input.value = "";
    send({ text: text }, text);
    input.focus();
  });

  attach.addEventListener("click", () => photo.click());
  photo.addEventListener("change", () => {
    const file = photo.files && photo.files[0];
    photo.value = ""; // so picking the same photo again is a change too
    if (file) sendPhoto(file);
  });

  async function start() {
    let history = { messages: [], last: 0 };
    try {
      const r = await fetch("/chat/api/history", { credentials: "same-origin" });
      if (r.ok) history = await r.json();
    } catch (e) {
      setOnline(false);
    }
    (history.messages || []).forEach(showBot);
    if (history.last > lastId) lastId = history.last;
    if (seen.size === 0) {
      // A first visit: ask for the menu, which is the greeting.
      await send({ text: "menu" });
    }
    document.body.dataset.ready = "1";
    poll();
  }

  start();
})();
