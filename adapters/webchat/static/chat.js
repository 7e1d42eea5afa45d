// Customer web chat. Every message from the bot has an id from the outbox;
// a reply can arrive twice (as the answer to /send and again through the
// feed), so messages are shown once per id and kept in id order.
// Everything from the server is put in the page with textContent, or as
// an <img> src the server has checked is an http(s) URL.
"use strict";

(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const status = document.getElementById("status");
  const photo = document.getElementById("photo");
  const attach = document.getElementById("attach");
  const sendBtn = document.getElementById("send");

  // The page's own texts in each language; the page follows the language
  // of the bot's messages, so switching to 中文 in the chat switches it.
  const chrome = JSON.parse(document.getElementById("chrome").textContent);
  let lang = chrome[document.documentElement.lang] ? document.documentElement.lang : "en";
  let online = true;

  // The server takes photos up to 5 MiB; a larger one is refused here
  // rather than after uploading it.
  const maxPhoto = 5 << 20;

  const seen = new Set();
  let lastId = 0;
  // Sends go one after another so the bot sees them in the order typed.
  let queue = Promise.resolve();

  function t(key) {
    return chrome[lang][key];
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function setLang(l) {
    if (!chrome[l] || l === lang) return;
    lang = l;
    document.documentElement.lang = l;
    input.placeholder = t("placeholder");
    input.setAttribute("aria-label", t("message"));
    sendBtn.textContent = t("send");
    attach.setAttribute("aria-label", t("attach"));
    attach.title = t("attach");
    log.setAttribute("aria-label", t("log"));
    setOnline(online);
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
    online = ok;
    status.textContent = ok ? t("online") : t("offline");
    status.classList.toggle("offline", !ok);
  }

  function stamp(row, m) {
    if (!m.time) return;
    const at = el("time", "at", m.time);
    if (m.at) at.dateTime = m.at;
    row.appendChild(at);
  }

  // spend marks the buttons of every message before id as used up: only
  // the latest reply's options are what the bot is asking now. A notice
  // (order shipped…) does not change what the bot asked, so it spends none.
  function spend(id) {
    log.querySelectorAll(".msg.bot").forEach((r) => {
      if (Number(r.dataset.id) >= id) return;
      const box = r.querySelector(".options");
      if (!box || box.classList.contains("spent")) return;
      box.classList.add("spent");
      box.querySelectorAll("button").forEach((b) => (b.disabled = true));
    });
  }

  function picture(url) {
    const img = el("img", "pic");
    img.alt = t("picture");
    img.referrerPolicy = "no-referrer";
    // A picture that fails to load goes away; the text says it all anyway.
    img.addEventListener("error", () => img.remove());
    img.src = url;
    return img;
  }

  function showBot(m) {
    if (!m) return;
    if (seen.has(m.id)) {
      // The long poll can show a reply before the answer to the send does,
      // and only the answer carries the reply's picture: add it then.
      const shown = m.image && log.querySelector('.msg.bot[data-id="' + m.id + '"] .bubble');
      if (shown && !shown.querySelector("img.pic")) shown.insertBefore(picture(m.image), shown.firstChild);
      return;
    }
    seen.add(m.id);
    if (m.id > lastId) lastId = m.id;
    if (m.lang) setLang(m.lang);

    const row = el("div", "msg bot" + (m.kind === "notice" ? " notice" : ""));
    row.dataset.id = String(m.id);
    const bubble = el("div", "bubble");
    if (m.image) bubble.appendChild(picture(m.image));
    bubble.appendChild(document.createTextNode(m.text));
    row.appendChild(bubble);
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
        b.addEventListener("click", () => send({ button: o.key, label: o.label }, o.label));
        box.appendChild(b);
      });
      row.appendChild(box);
    }
    stamp(row, m);
    // Keep bot messages in id order even when the feed and /send race.
    const later = Array.from(log.querySelectorAll(".msg.bot")).find((r) => Number(r.dataset.id) > m.id);
    log.insertBefore(row, later || null);
    if (m.kind !== "notice") spend(m.id);
    if (later) spend(Number(later.dataset.id));
    scrollDown();
  }

  function showMine(text, m) {
    const row = el("div", "msg me");
    row.appendChild(el("div", "bubble", text));
    if (m) stamp(row, m);
    log.appendChild(row);
    scrollDown();
    return row;
  }

  // showPast shows one message of the history, either side.
  function showPast(m) {
    if (m.kind === "me") showMine(m.photo ? t("photo") : m.text, m);
    else showBot(m);
  }

  function typing(on) {
    let el2 = log.querySelector(".typing");
    if (on && !el2) {
      el2 = el("div", "msg bot typing");
      el2.appendChild(el("div", "bubble", "…"));
      log.appendChild(el2);
      scrollDown();
    } else if (!on && el2) {
      el2.remove();
    }
  }

  // errorText says why a message was not sent, in the customer's language.
  function errorText(statusCode) {
    if (statusCode === 429) return t("tooMany");
    if (statusCode === 413) return t("tooLarge");
    if (statusCode >= 400 && statusCode < 500) return t("refused");
    return t("failed");
  }

  async function post(path, init) {
    const r = await fetch(path, Object.assign({ method: "POST", credentials: "same-origin" }, init));
    const data = await r.json().catch(() => ({}));
    if (!r.ok) {
      const err = new Error(data.error || "HTTP " + r.status);
      err.status = r.status;
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
          // The customer's message is stamped with its replies' time, which
          // the server gives in the shop's time zone.
          if (mine && replies.length) stamp(mine, replies[0]);
          replies.forEach(showBot);
          return;
        } catch (e) {
          if (e.final || n >= 3) {
            typing(false);
            if (mine) mine.classList.add("failed");
            showError(errorText(e.status || 0));
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
      showError(t("tooLarge"));
      return queue;
    }
    return deliver((id) => postPhoto(id, file), t("photo"));
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
    (history.messages || []).forEach(showPast);
    if (history.last > lastId) lastId = history.last;
    if (seen.size === 0) {
      // A first visit: ask for the menu, which is the greeting.
      await send({ text: "menu", auto: true });
    }
    document.body.dataset.ready = "1";
    poll();
  }

  start();
})();
