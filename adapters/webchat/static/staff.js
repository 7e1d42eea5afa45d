// Staff console. Cards come from the open work on load and then from the
// feed of card updates; a card replaces the one with the same ref, whoever
// changed it and on whichever channel. Everything from the server is put in
// the page with textContent only.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const list = document.getElementById("cards");
  const empty = document.getElementById("empty");
  const conn = document.getElementById("conn");
  const more = document.getElementById("more");
  const main = document.querySelector("main.staff");
  const kind = main.dataset.kind || "";
  const words = main.dataset;
  let next = "";

  // ref → JSON of the card shown, so an echo of what is shown changes nothing
  // (and does not wipe a reason being typed).
  const shown = new Map();
  // ref → the console page of the card's item, from the pages of the queue.
  const links = new Map();
  let after = 0;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function sleep(ms) {
    return new Promise((r) => setTimeout(r, ms));
  }

  function toLogin() {
    window.location.assign("/staff/login");
  }

  function cardEl(ref) {
    return Array.from(list.children).find((c) => c.dataset.ref === ref) || null;
  }

  function updateEmpty() {
    empty.hidden = list.children.length > 0;
  }

  function render(card) {
    const done = !card.actions || card.actions.length === 0;
    const art = el("article", "card" + (done ? " done" : ""));
    art.dataset.ref = card.ref;
    art.dataset.version = String(card.version);

    const head = el("header", "card-head");
    const h2 = el("h2");
    // A broadcast is no work item, so no queue page names its page: its
    // ref does.
    const broadcast = /^broadcast:(\d+)$/.exec(card.ref);
    if (broadcast) links.set(card.ref, "/staff/broadcasts/" + broadcast[1]);
    if (links.has(card.ref)) {
      const a = el("a", "item-link", card.title);
      a.href = links.get(card.ref);
      h2.appendChild(a);
    } else h2.textContent = card.title;
    head.appendChild(h2);
    art.appendChild(head);

    if (card.fields && card.fields.length) {
      const dl = el("dl", "fields");
      card.fields.forEach((f) => {
        const row = el("div", "field");
        row.appendChild(el("dt", "", f.label));
        row.appendChild(el("dd", "", f.value));
        dl.appendChild(row);
      });
      art.appendChild(dl);
    }
    if (card.media && card.media.length) art.appendChild(mediaEl(card));
    art.appendChild(el("p", "status", card.status));

    const actions = el("div", "actions");
    (card.actions || []).forEach((a) => {
      const b = el("button", "btn " + (a.style || "plain"), a.label);
      b.type = "button";
      b.dataset.action = a.id;
      b.dataset.ref = card.ref;
      b.addEventListener("click", () => press(art, card, a));
      actions.appendChild(b);
    });
    art.appendChild(actions);
    art.appendChild(el("div", "inline"));
    art.appendChild(el("p", "msg"));
    return art;
  }

  // mediaEl shows a card's photos: those the core keeps as thumbnails
  // linking to the full photo, those a platform keeps (a Telegram file id,
  // a WeChat media id) as a line saying where they are.
  function mediaEl(card) {
    const box = el("div", "media");
    card.media.forEach((ref, i) => {
      if (/^media:\d+$/.test(ref)) {
        const a = el("a", "thumb");
        a.href = "/staff/media/" + ref;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        const img = el("img");
        img.src = a.href;
        img.alt = "Photo " + (i + 1);
        img.loading = "lazy";
        a.appendChild(img);
        box.appendChild(a);
      } else {
        box.appendChild(el("p", "media-other", "photo (" + mediaChannel(card, ref) + ")"));
      }
    });
    return box;
  }

  // mediaChannel names where a photo the core does not keep is: WeChat
  // references say so, others are on the channel the customer wrote from.
  function mediaChannel(card, ref) {
    if (ref.startsWith("wechat-media:")) return "wechat";
    const who = (card.fields || []).find((f) => f.label === "Customer");
    const m = who && /\((\S+) [^()]*\)$/.exec(who.value);
    return m ? m[1] : "on the customer's channel";
  }

  // upsert shows a card: in place of the one with the same ref, or on top.
  function upsert(card, fresh) {
    const json = JSON.stringify(card);
    const old = cardEl(card.ref);
    if (old && shown.get(card.ref) === json) return old;
    // A feed echo older than the card an action just returned is stale.
    if (old && card.version < Number(old.dataset.version)) return old;
    const art = render(card);
    shown.set(card.ref, json);
    if (old) old.replaceWith(art);
    else if (fresh) list.prepend(art);
    else list.appendChild(art);
    if (fresh) {
      art.classList.add("fresh");
      setTimeout(() => art.classList.remove("fresh"), 2500);
    }
    updateEmpty();
    return art;
  }

  function say(art, text, kind) {
    const p = art.querySelector(".msg");
    p.textContent = text;
    p.className = "msg " + (kind || "");
  }

  // press runs an action at once, or first asks for what its input needs.
  function press(art, card, a) {
    const box = art.querySelector(".inline");
    box.textContent = "";
    if (!a.input) {
      submit(art, card, a, {});
      return;
    }
    const f = el("form", "inline-form");
    f.dataset.action = a.id;
    const fields = [];
    function field(name, label, multiline) {
      const l = el("label", "", label);
      const i = el(multiline ? "textarea" : "input");
      i.name = name;
      i.required = true;
      i.maxLength = multiline ? 2000 : 200;
      if (multiline) i.rows = 2;
      l.appendChild(i);
      f.appendChild(l);
      fields.push(i);
    }
    if (a.input === "reason") field("reason", words.i18nReason, true);
    else if (a.input === "note") field("reason", words.i18nNote, true);
    else if (a.input === "shipping") {
      field("carrier", words.i18nCarrier, false);
      field("tracking", words.i18nTracking, false);
    } else field("text", words.i18nMessage, true);

    const row = el("div", "inline-actions");
    const ok = el("button", "btn " + (a.style || "primary"), a.label);
    ok.type = "submit";
    const cancel = el("button", "btn plain", words.i18nCancel);
    cancel.type = "button";
    cancel.addEventListener("click", () => (box.textContent = ""));
    row.appendChild(ok);
    row.appendChild(cancel);
    f.appendChild(row);
    f.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const extra = {};
      fields.forEach((i) => (extra[i.name] = i.value.trim()));
      submit(art, card, a, extra);
    });
    box.appendChild(f);
    fields[0].focus();
  }

  async function submit(art, card, a, extra) {
    art.querySelectorAll("button").forEach((b) => (b.disabled = true));
    say(art, words.i18nWorking);
    const body = Object.assign({ ref: card.ref, action: a.id, version: card.version }, extra);
    let r, data;
    try {
      r = await fetch("/staff/api/action", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        credentials: "same-origin",
        body: JSON.stringify(body),
      });
      data = await r.json().catch(() => ({}));
    } catch (e) {
      art.querySelectorAll("button").forEach((b) => (b.disabled = false));
      say(art, "Network error, please try again.", "error");
      return;
    }
    if (r.status === 401) return toLogin();
    let target = art;
    if (data.card && data.card.ref) {
      shown.delete(data.card.ref); // always redraw: the old card has a form or a spinner
      target = upsert(data.card, false);
    } else {
      art.querySelectorAll("button").forEach((b) => (b.disabled = false));
    }
    if (r.ok) say(target, data.note || words.i18nDone, "ok");
    else say(target, data.error || "Failed (HTTP " + r.status + ").", "error");
  }

  // page fetches a page of the queue, oldest first, with the counts of
  // every kind; cursor continues after the previous page.
  async function page(cursor, limit) {
    let url = "/staff/api/cards?kind=" + encodeURIComponent(kind);
    if (cursor) url += "&cursor=" + encodeURIComponent(cursor);
    if (limit) url += "&limit=" + limit;
    const r = await fetch(url, { credentials: "same-origin" });
    if (r.status === 401) {
      toLogin();
      return null;
    }
    if (!r.ok) throw new Error("HTTP " + r.status);
    const data = await r.json();
    showCounts(data.counts);
    Object.entries(data.links || {}).forEach(([ref, href]) => {
      if (href.startsWith("/staff/")) links.set(ref, href);
    });
    return data;
  }

  function showCounts(counts) {
    let all = 0;
    document.querySelectorAll("[data-count]").forEach((c) => {
      const k = c.dataset.count;
      if (k) {
        c.textContent = String(counts[k] || 0);
        all += counts[k] || 0;
      }
    });
    document.querySelector('[data-count=""]').textContent = String(all);
  }

  function showNext(n) {
    next = n;
    more.hidden = !next;
  }

  async function load() {
    for (;;) {
      try {
        const data = await page("", 0);
        if (!data) return;
        after = data.after;
        data.cards.forEach((c) => upsert(c, false));
        showNext(data.next);
        updateEmpty();
        conn.hidden = true;
        return;
      } catch (e) {
        conn.hidden = false;
        await sleep(3000);
      }
    }
  }

  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const data = await page(next, 0);
      if (data) {
        data.cards.forEach((c) => upsert(c, false));
        showNext(data.next);
      }
    } catch (e) {
      conn.hidden = false;
    }
    more.disabled = false;
  });

  // mine reports whether a card from the feed belongs in this tab.
  function mine(card) {
    if (!kind) return true;
    const k = card.ref.split(":")[0];
    if (k === "order") return kind === "new" || kind === "fulfil";
    return k === kind;
  }

  async function poll() {
    for (;;) {
      try {
        const r = await fetch("/staff/api/feed?after=" + after, { credentials: "same-origin" });
        if (r.status === 401) return toLogin();
        if (!r.ok) throw new Error("HTTP " + r.status);
        const data = await r.json();
        data.cards.filter((c) => mine(c) || cardEl(c.ref)).forEach((c) => upsert(c, true));
        after = data.after;
        if (data.cards.length) page("", 1).catch(() => {});
        conn.hidden = true;
      } catch (e) {
        conn.hidden = false;
        await sleep(3000);
      }
    }
  }

  load().then(() => {
    document.body.dataset.ready = "1";
    poll();
  });
})();
