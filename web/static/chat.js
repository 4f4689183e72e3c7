// The chat simulator: talks to POST /api/chat and shows replies as a chat app would.
(() => {
  "use strict";
  const text = window.KAKEHASHI;
  const log = document.getElementById("log");
  const phone = document.getElementById("phone");
  const who = document.getElementById("who");
  const composer = document.getElementById("composer");
  const input = document.getElementById("text");
  let session = null;
  let poller = null;

  function item(cls) {
    const li = document.createElement("li");
    li.className = cls;
    log.appendChild(li);
    return li;
  }

  function bubble(li, body) {
    const div = document.createElement("div");
    div.className = "bubble";
    div.textContent = body;
    li.appendChild(div);
  }

  function buttonRow(buttons, parent) {
    const row = document.createElement("div");
    row.className = "buttons";
    for (const b of buttons) {
      if (b.url) {
        const a = document.createElement("a");
        a.href = b.url;
        a.target = "_blank";
        a.rel = "noopener";
        a.textContent = b.label;
        row.appendChild(a);
      } else {
        const btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b.label;
        btn.dataset.postback = b.data;
        btn.addEventListener("click", () => send({ postback: b.data }, b.label));
        row.appendChild(btn);
      }
    }
    parent.appendChild(row);
  }

  function showReply(reply) {
    // As the chat apps show it: the text, then the cards, then the buttons.
    const li = item("bot");
    bubble(li, reply.text);
    if (reply.cards && reply.cards.length) {
      const cards = document.createElement("div");
      cards.className = "cards";
      for (const c of reply.cards) {
        const card = document.createElement("article");
        card.className = "card";
        const h = document.createElement("h3");
        h.textContent = c.title;
        card.appendChild(h);
        if (c.subtitle) { const s = document.createElement("div"); s.className = "sub"; s.textContent = c.subtitle; card.appendChild(s); }
        const p = document.createElement("p");
        p.textContent = c.body;
        card.appendChild(p);
        if (c.footer) { const f = document.createElement("div"); f.className = "foot"; f.textContent = c.footer; card.appendChild(f); }
        if (c.buttons && c.buttons.length) buttonRow(c.buttons, card);
        cards.appendChild(card);
      }
      li.appendChild(cards);
    }
    if (reply.buttons && reply.buttons.length) buttonRow(reply.buttons, li);
    log.scrollTop = log.scrollHeight;
  }

  async function send(payload, shown) {
    if (!session) return;
    bubble(item("me"), shown);
    try {
      const response = await fetch("/api/chat", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ channel: session.channel, user_id: session.userId, ...payload }),
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      data.replies.forEach(showReply);
    } catch (err) {
      bubble(item("bot error"), text.error);
    }
  }

  async function pollHeld() {
    if (!session) return;
    try {
      const q = new URLSearchParams({ channel: session.channel, user_id: session.userId });
      const response = await fetch(`/api/chat/held?${q}`);
      if (response.ok) (await response.json()).replies.forEach(showReply);
    } catch (err) { /* the next poll tries again */ }
  }

  who.addEventListener("submit", (event) => {
    event.preventDefault();
    const channel = who.querySelector("input[name=channel]:checked").value;
    const userId = document.getElementById("user-id").value.trim();
    if (!userId) return;
    session = { channel, userId };
    phone.className = channel;
    phone.hidden = false;
    log.replaceChildren();
    if (poller) clearInterval(poller);
    poller = setInterval(pollHeld, 3000);
    pollHeld();
    input.focus();
  });

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (!value) return;
    input.value = "";
    send({ text: value }, value);
  });
})();
