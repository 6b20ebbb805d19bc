// The simulator page: pick a debtor (or type a number), chat as them. What you send goes to
// /simulator/api/send, which POSTs a signed Cloud API webhook to the app; the thread (your
// messages and what the app sent to the Graph API stand-in) is polled every second while the
// tab is visible. Every text is escaped before WhatsApp's *bold*/_italic_ marks are applied.
"use strict";

(() => {
  const POLL_MS = 1000;
  const TIME = new Intl.DateTimeFormat("pt-BR", {
    hour: "2-digit",
    minute: "2-digit",
    timeZone: "America/Sao_Paulo",
  });
  const SEGMENTS = {
    loyal: "bom pagador",
    disorganized: "desorganizado",
    cash_flow_trouble: "aperto financeiro",
    chronic: "inadimplente crônico",
    new_customer: "cliente novo",
  };
  const MEDIA_LABELS = { audio: "Áudio", video: "Vídeo", sticker: "Figurinha" };

  const state = {
    contact: null, // {wa_id, name, phone}
    generation: 0, // bumps when the chat changes, so late answers are dropped
    cursor: "",
    seen: new Set(),
    timer: null,
    polling: false,
    pollAgain: false,
  };

  const $ = (id) => document.getElementById(id);

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function escapeHtml(text) {
    const entities = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
    return String(text).replace(/[&<>"']/g, (char) => entities[char]);
  }

  // WhatsApp's formatting on already-escaped text: the replacements only wrap escaped runs in
  // tags, so no markup from a message can reach the page.
  function formatText(text) {
    const mark = (symbol, tag) =>
      new RegExp(`(^|[\\s(>])\\${symbol}(\\S(?:[^${symbol}\\n]*?\\S)?)\\${symbol}(?=$|[\\s).,!?:;<])`, "g");
    let html = escapeHtml(text);
    html = html.replace(/```([\s\S]+?)```/g, "<code>$1</code>");
    html = html.replace(mark("*"), "$1<strong>$2</strong>");
    html = html.replace(mark("_"), "$1<em>$2</em>");
    html = html.replace(mark("~"), "$1<s>$2</s>");
    html = html.replace(
      /\bhttps?:\/\/[^\s<]*[^\s<.,;:!?)]/g,
      (url) => `<a href="${url}" target="_blank" rel="noopener noreferrer">${url}</a>`,
    );
    return html.replace(/\n/g, "<br>");
  }

  function formatted(className, text) {
    const node = element("div", className);
    node.innerHTML = formatText(text || "");
    return node;
  }

  async function api(path, options = {}) {
    const response = await fetch(path, {
      headers: { "Content-Type": "application/json" },
      ...options,
    });
    let body = null;
    try {
      body = await response.json();
    } catch (_error) {
      body = null;
    }
    return { ok: response.ok, status: response.status, body };
  }

  // The contact list.

  async function loadDebtors() {
    const { ok, body } = await api("/simulator/api/debtors");
    if (!ok || !body) return;
    const name = body.business.name;
    $("business-name").textContent = name;
    $("business-avatar").textContent = name.trim().charAt(0).toUpperCase() || "Q";
    const list = $("debtor-list");
    list.replaceChildren(...body.debtors.map(debtorItem));
    $("debtors-empty").hidden = body.debtors.length > 0;
  }

  function debtorItem(debtor) {
    const button = element("button", "debtor");
    button.type = "button";
    button.dataset.waId = debtor.wa_id;
    const initials = debtor.name
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((part) => part.charAt(0).toUpperCase())
      .join("");
    const info = element("div", "info");
    const details = [debtor.phone, SEGMENTS[debtor.segment] || "paga em dia"];
    if (debtor.overdue) details.push("fatura vencida");
    info.append(element("div", "name", debtor.name), element("div", "detail", details.join(" · ")));
    const amount = element("div", debtor.overdue ? "amount late" : "amount", debtor.open_total_brl);
    amount.title = debtor.overdue ? "Em aberto, com faturas vencidas" : "Em aberto";
    button.append(element("div", "avatar", initials), info, amount);
    button.addEventListener("click", () =>
      openChat({ wa_id: debtor.wa_id, name: debtor.name, phone: debtor.phone }),
    );
    const item = element("li");
    item.append(button);
    return item;
  }

  async function openNumber(event) {
    event.preventDefault();
    const error = $("number-error");
    const phone = $("number-input").value.trim();
    if (!phone) return;
    const { ok, body } = await api(`/simulator/api/number?phone=${encodeURIComponent(phone)}`);
    if (!ok) {
      error.textContent = (body && typeof body.detail === "string" && body.detail) || "Número inválido.";
      error.hidden = false;
      return;
    }
    error.hidden = true;
    openChat({ wa_id: body.wa_id, name: body.name, phone: body.phone });
  }

  // The chat.

  function openChat(contact) {
    state.contact = contact;
    state.generation += 1;
    state.cursor = "";
    state.seen = new Set();
    const who = contact.name ? `${contact.name} · ${contact.phone}` : contact.phone;
    $("chat-subtitle").textContent = `Você é ${who}`;
    const messages = $("messages");
    messages.replaceChildren(
      element("li", "note", "Conversa simulada: nada é enviado ao WhatsApp de verdade."),
    );
    $("contacts").hidden = true;
    $("chat").hidden = false;
    $("text").focus();
    poll();
  }

  function closeChat() {
    state.contact = null;
    state.generation += 1;
    clearTimeout(state.timer);
    $("chat").hidden = true;
    $("contacts").hidden = false;
    loadDebtors();
  }

  async function send(message) {
    const contact = state.contact;
    if (!contact) return;
    const payload = { wa_id: contact.wa_id, name: contact.name || null, ...message };
    const { ok, status, body } = await api("/simulator/api/send", {
      method: "POST",
      body: JSON.stringify(payload),
    });
    if (contact !== state.contact) return;
    if (!ok) {
      const webhook = body && body.status ? ` (o webhook respondeu ${body.status})` : ` (${status})`;
      note(`Não foi possível enviar a mensagem${webhook}.`, true);
    }
    poll();
  }

  function sendText(event) {
    event.preventDefault();
    const input = $("text");
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    input.focus();
    send({ text });
  }

  function sendReply(type, choice, context) {
    const reply = { id: choice.id, title: choice.title, type };
    if (type === "list_reply" && choice.description) reply.description = choice.description;
    send({ reply, context });
  }

  // Polling: one request at a time; a poll asked for meanwhile runs right after.

  async function poll() {
    clearTimeout(state.timer);
    if (!state.contact) return;
    if (state.polling) {
      state.pollAgain = true;
      return;
    }
    state.polling = true;
    const generation = state.generation;
    try {
      const query = `wa_id=${state.contact.wa_id}&after=${encodeURIComponent(state.cursor)}`;
      const { ok, body } = await api(`/simulator/api/messages?${query}`);
      if (ok && body && generation === state.generation) {
        state.cursor = body.cursor;
        showMessages(body.messages);
        updateTicks(body.ticks);
      }
    } catch (_error) {
      // The server may be restarting; the next poll tries again.
    } finally {
      state.polling = false;
    }
    if (state.pollAgain) {
      state.pollAgain = false;
      poll();
    } else {
      schedule();
    }
  }

  function schedule() {
    clearTimeout(state.timer);
    if (state.contact && document.visibilityState === "visible") {
      state.timer = setTimeout(poll, POLL_MS);
    }
  }

  function showMessages(items) {
    const list = $("messages");
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    let added = false;
    for (const item of items) {
      if (state.seen.has(item.key)) continue;
      state.seen.add(item.key);
      list.append(messageItem(item));
      added = true;
    }
    if (added && atBottom) list.scrollTop = list.scrollHeight;
  }

  function note(text, failure = false) {
    const list = $("messages");
    list.append(element("li", failure ? "note failure" : "note", text));
    list.scrollTop = list.scrollHeight;
  }

  function updateTicks(ticks) {
    for (const [wamid, status] of Object.entries(ticks || {})) {
      const tick = document.querySelector(`[data-tick-for="${CSS.escape(wamid)}"]`);
      if (tick) setTick(tick, status);
    }
  }

  function setTick(tick, status) {
    const done = status === "done";
    tick.className = `tick ${status === "failed" ? "failed" : done ? "read" : "sent"}`;
    tick.textContent = status === "failed" ? "!" : done ? "✓✓" : "✓";
    tick.title = status === "failed" ? "Falhou ao processar" : done ? "Lida" : "Enviada";
  }

  // Bubbles.

  function messageItem(item) {
    const li = element("li", `message ${item.direction}`);
    li.dataset.type = item.type;
    li.dataset.wamid = item.wamid;
    const bubble = element("div", "bubble");
    li.append(bubble);
    const render = item.direction === "inbound" ? inboundBubble : OUTBOUND[item.type] || unknownBubble;
    render(bubble, item, li);
    bubble.append(meta(item));
    return li;
  }

  function meta(item) {
    const node = element("span", "meta", TIME.format(new Date(item.time)));
    if (item.direction === "inbound") {
      const tick = element("span");
      tick.dataset.tickFor = item.wamid;
      setTick(tick, item.status);
      node.append(tick);
    }
    return node;
  }

  function inboundBubble(bubble, item) {
    if (item.type === "reply") bubble.append(element("div", "quoted", "Resposta a uma opção"));
    else if (item.type !== "text") bubble.append(element("div", "quoted", `(${item.type})`));
    bubble.append(formatted("text", item.text));
  }

  function framed(bubble, item) {
    if (item.header) bubble.append(element("div", "header", item.header));
    bubble.append(formatted("text", item.text));
    if (item.footer) bubble.append(element("div", "footer", item.footer));
  }

  function buttonsBubble(bubble, item, li) {
    framed(bubble, item);
    const choices = element("div", "choices");
    for (const choice of item.buttons || []) {
      const button = element("button", "choice", choice.title);
      button.type = "button";
      button.addEventListener("click", () => sendReply("button_reply", choice, item.wamid));
      choices.append(button);
    }
    li.append(choices);
  }

  function listBubble(bubble, item, li) {
    framed(bubble, item);
    const choices = element("div", "choices");
    const open = element("button", "choice list-open", `☰ ${item.button || "Ver opções"}`);
    open.type = "button";
    open.addEventListener("click", () => openSheet(item));
    choices.append(open);
    li.append(choices);
  }

  function templateBubble(bubble, item) {
    bubble.append(element("div", "template-tag", `Modelo aprovado · ${item.name}`));
    if (item.text) {
      bubble.append(formatted("text", item.text));
      return;
    }
    const list = element("ol", "parameters");
    for (const parameter of item.parameters || []) list.append(element("li", null, parameter));
    bubble.append(list);
  }

  function imageBubble(bubble, item) {
    const image = element("img");
    image.src = item.url;
    image.alt = item.caption || "Imagem recebida";
    image.loading = "lazy";
    image.addEventListener("load", () => {
      const list = $("messages");
      list.scrollTop = list.scrollHeight;
    });
    bubble.append(image);
    if (item.caption) bubble.append(formatted("text", item.caption));
  }

  function documentBubble(bubble, item) {
    const filename = item.filename || "documento";
    const link = element("a", "document");
    link.href = item.url;
    link.download = filename;
    const extension = (filename.split(".").pop() || "doc").slice(0, 4).toUpperCase();
    link.append(
      element("span", "icon", extension),
      element("span", "filename", filename),
      element("span", "download", "Baixar"),
    );
    bubble.append(link);
    if (item.caption) bubble.append(formatted("text", item.caption));
  }

  function mediaBubble(bubble, item) {
    const link = element("a", null, `${MEDIA_LABELS[item.type] || "Arquivo"} recebido`);
    link.href = item.url;
    link.target = "_blank";
    bubble.append(link);
    if (item.caption) bubble.append(formatted("text", item.caption));
  }

  function unknownBubble(bubble, item) {
    bubble.append(formatted("text", item.text || "(mensagem sem visualização no simulador)"));
  }

  const OUTBOUND = {
    text: (bubble, item) => bubble.append(formatted("text", item.text)),
    buttons: buttonsBubble,
    list: listBubble,
    template: templateBubble,
    image: imageBubble,
    document: documentBubble,
    audio: mediaBubble,
    video: mediaBubble,
    sticker: imageBubble,
  };

  // The list's bottom sheet.

  function openSheet(item) {
    $("sheet-title").textContent = item.button || "Ver opções";
    const body = $("sheet-body");
    body.replaceChildren();
    for (const section of item.sections || []) {
      if (section.title) body.append(element("div", "sheet-section", section.title));
      for (const row of section.rows || []) {
        const button = element("button", "sheet-row");
        button.type = "button";
        button.append(element("span", "row-title", row.title));
        if (row.description) button.append(element("span", "row-description", row.description));
        button.addEventListener("click", () => {
          closeSheet();
          sendReply("list_reply", row, item.wamid);
        });
        body.append(button);
      }
    }
    $("sheet").hidden = false;
  }

  function closeSheet() {
    $("sheet").hidden = true;
  }

  function start() {
    $("number-form").addEventListener("submit", openNumber);
    $("composer").addEventListener("submit", sendText);
    $("back").addEventListener("click", closeChat);
    $("sheet-close").addEventListener("click", closeSheet);
    $("sheet").addEventListener("click", (event) => {
      if (event.target === $("sheet")) closeSheet();
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") closeSheet();
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") poll();
      else clearTimeout(state.timer);
    });
    loadDebtors();
  }

  start();
})();
