// Console pages: the action buttons of an order or request page. A button
// posts the action with the version the page was drawn at; on success the
// page is drawn again from the server. Server text goes in with
// textContent only.
"use strict";

(function () {
  const zh = document.body.dataset.lang === "zh";
  const words = zh
    ? { reason: "原因（客户可见）", carrier: "快递公司", tracking: "运单号", text: "给客户的消息", reference: "付款凭证号（可不填）", amount: "退款金额（不填则全部退）", note: "备注（可不填）", customerNote: "给客户的说明（下一步、退货地址等）", cancel: "取消", working: "处理中…", network: "网络错误，请重试。" }
    : { reason: "Reason (shown to the customer)", carrier: "Carrier", tracking: "Tracking number", text: "Message to the customer", reference: "Transfer reference (optional)", amount: "Amount to refund (empty: all that is left)", note: "Note (optional)", customerNote: "Note to the customer (next steps, return address)", cancel: "Cancel", working: "Working…", network: "Network error, please try again." };
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function say(box, text, kind) {
    const p = box.querySelector(".msg");
    p.textContent = text;
    p.className = "msg " + (kind || "");
  }

  async function submit(box, action, extra) {
    box.querySelectorAll("button").forEach((b) => (b.disabled = true));
    say(box, words.working);
    const body = Object.assign({ ref: box.dataset.ref, action: action, version: Number(box.dataset.version) }, extra);
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
      box.querySelectorAll("button").forEach((b) => (b.disabled = false));
      say(box, words.network, "error");
      return;
    }
    if (r.status === 401) return window.location.assign("/staff/login");
    if (r.ok) return window.location.reload();
    box.querySelectorAll("button").forEach((b) => (b.disabled = false));
    say(box, data.error || "HTTP " + r.status, "error");
  }

  function press(box, b) {
    const inline = box.querySelector(".inline");
    inline.textContent = "";
    // Marking paid may carry the transfer reference: the console asks for
    // it, the chat platforms' cards mark paid at once.
    const input = b.dataset.action === "mark_paid" ? "payment" : b.dataset.input;
    if (!input) return submit(box, b.dataset.action, {});
    const f = el("form", "inline-form");
    const fields = [];
    function field(name, label, multiline, optional) {
      const l = el("label", "", label);
      const i = el(multiline ? "textarea" : "input");
      i.name = name;
      i.required = !optional;
      i.maxLength = multiline ? 2000 : 200;
      l.appendChild(i);
      f.appendChild(l);
      fields.push(i);
    }
    if (input === "payment") field("reference", words.reference, false, true);
    else if (input === "refund") {
      field("amount", words.amount, false, true);
      field("reason", words.note, false, true);
    } else if (input === "reason") field("reason", words.reason, true);
    else if (input === "note") field("reason", words.customerNote, true);
    else if (input === "shipping") {
      field("carrier", words.carrier, false);
      field("tracking", words.tracking, false);
    } else field("text", words.text, true);
    const row = el("div", "inline-actions");
    const ok = el("button", b.className, b.textContent);
    ok.type = "submit";
    const cancel = el("button", "btn plain", words.cancel);
    cancel.type = "button";
    cancel.addEventListener("click", () => (inline.textContent = ""));
    row.appendChild(ok);
    row.appendChild(cancel);
    f.appendChild(row);
    f.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const extra = {};
      fields.forEach((i) => (extra[i.name] = i.value.trim()));
      submit(box, b.dataset.action, extra);
    });
    inline.appendChild(f);
    fields[0].focus();
  }

  document.querySelectorAll(".page-actions").forEach((box) => {
    box.querySelectorAll("button[data-action]").forEach((b) => b.addEventListener("click", () => press(box, b)));
  });
  if (!document.querySelector("main.staff[data-kind]")) document.body.dataset.ready = "1";
})();
