/// <reference lib="dom" />
/**
 * The chat widget, as the server sends it to host pages: `widgetMain` runs in the visitor's browser, so it is
 * self-contained (no imports, nothing from outside its body), written against the DOM alone, and the server
 * serves its compiled source (`widgetScript`). One tag embeds it:
 *
 *   <script src="https://plantao.example/chat/widget.js" data-site="<site id>" data-visitor="<id>"
 *           data-signature="<hex HMAC-SHA256 of id with the site's key>" data-lang="pt-BR|en" async></script>
 *
 * Without data-visitor on a site that allows anonymous visitors, the server signs a random identifier, kept in
 * localStorage. Messages carry a client id and are re-sent until the server answers (a repeat is harmless);
 * the event stream resumes from the last cursor after any drop, and events are shown strictly in cursor order.
 */
function widgetMain(script: HTMLScriptElement | null): void {
  if (!script) return;
  const data = script.dataset;
  const api = `${new URL(script.src, location.href).origin}/api/v1/chat/widget`;
  const siteId = data.site ?? "";
  const lang = (data.lang ?? navigator.language ?? "pt-BR").toLowerCase().startsWith("en") ? "en" : "pt-BR";
  const texts = {
    "pt-BR": {
      open: "Fale conosco",
      title: "Chat de suporte",
      name: "Nome",
      email: "E-mail",
      subject: "Assunto",
      message: "Mensagem",
      start: "Iniciar conversa",
      offline: "Estamos fora do horário de atendimento. Deixe sua mensagem e responderemos por e-mail.",
      nextOpening: "Voltamos em",
      sendOffline: "Enviar mensagem",
      offlineDone: "Recebemos sua mensagem. Chamado nº",
      placeholder: "Escreva uma mensagem…",
      send: "Enviar",
      file: "Anexar arquivo",
      end: "Encerrar",
      ended: "Conversa encerrada. A transcrição foi registrada em um chamado.",
      waiting: "Aguardando um atendente…",
      typing: "está digitando…",
      reconnecting: "Reconectando…",
      sending: "enviando…",
      refused: "Não foi possível verificar sua identidade.",
      error: "Algo deu errado. Tente novamente.",
      you: "Você",
      joined: "entrou na conversa",
    },
    en: {
      open: "Chat with us",
      title: "Support chat",
      name: "Name",
      email: "Email",
      subject: "Subject",
      message: "Message",
      start: "Start chat",
      offline: "We are outside business hours. Leave a message and we will answer by email.",
      nextOpening: "We are back at",
      sendOffline: "Send message",
      offlineDone: "We received your message. Ticket #",
      placeholder: "Type a message…",
      send: "Send",
      file: "Attach a file",
      end: "End chat",
      ended: "Chat ended. The transcript was filed as a ticket.",
      waiting: "Waiting for an agent…",
      typing: "is typing…",
      reconnecting: "Reconnecting…",
      sending: "sending…",
      refused: "Your identity could not be verified.",
      error: "Something went wrong. Please try again.",
      you: "You",
      joined: "joined the chat",
    },
  }[lang];

  type Ev = {
    seq: number;
    kind: string;
    authorKind: string;
    authorName: string;
    clientId: string | null;
    body: string | null;
    attachment: { filename: string; size: number } | null;
    status: string;
    at: string;
  };
  const storeKey = `plantao-chat:${siteId}`;
  const saved = (() => {
    try {
      return JSON.parse(localStorage.getItem(storeKey) ?? "{}") as Partial<Record<string, string>>;
    } catch {
      return {} as Partial<Record<string, string>>;
    }
  })();
  const save = () => {
    try {
      localStorage.setItem(storeKey, JSON.stringify(state.id));
    } catch {
      /* private mode: the chat still works for this page */
    }
  };
  const state = {
    id: {
      visitorId: data.visitor ?? saved.visitorId ?? "",
      signature: data.signature ?? saved.signature ?? "",
      conversationId: saved.conversationId ?? "",
    },
    lastSeq: 0,
    source: null as EventSource | null,
    retryMs: 500,
    pending: new Map<string, { body: string; el: HTMLElement }>(),
    typingSent: 0,
    typingTimer: 0 as unknown as ReturnType<typeof setTimeout>,
    closed: false,
  };
  if (data.visitor && saved.visitorId !== data.visitor) state.id.conversationId = "";
  const creds = () => ({ siteId, visitorId: state.id.visitorId, signature: state.id.signature });
  const qs = () => new URLSearchParams(creds()).toString();
  const newId = () =>
    typeof crypto !== "undefined" && "randomUUID" in crypto
      ? crypto.randomUUID()
      : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  }

  // ---- the DOM, inside a shadow root so the host page's styles neither leak in nor out
  const host = document.createElement("div");
  host.id = "plantao-chat";
  const root = host.attachShadow({ mode: "open" });
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text = "") => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text) e.textContent = text;
    return e;
  };
  const style = el("style");
  style.textContent = `
    :host { all: initial; font: 14px/1.4 system-ui, sans-serif; }
    .launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; border: 0; border-radius: 24px;
      padding: 12px 18px; background: #1c7ed6; color: #fff; cursor: pointer; font: inherit; }
    .panel { position: fixed; right: 20px; bottom: 76px; z-index: 2147483000; width: 340px; max-height: 520px;
      display: none; flex-direction: column; background: #fff; color: #212529; border: 1px solid #dee2e6;
      border-radius: 8px; box-shadow: 0 8px 24px rgba(0,0,0,.18); overflow: hidden; }
    .panel.open { display: flex; }
    header { background: #1c7ed6; color: #fff; padding: 10px 12px; font-weight: 600; display: flex;
      justify-content: space-between; align-items: center; }
    header button { background: transparent; border: 1px solid #fff; color: #fff; border-radius: 4px; cursor: pointer; }
    form { display: flex; flex-direction: column; gap: 6px; padding: 12px; }
    input, textarea { font: inherit; padding: 6px; border: 1px solid #ced4da; border-radius: 4px; }
    button.primary { background: #1c7ed6; color: #fff; border: 0; border-radius: 4px; padding: 8px; cursor: pointer; }
    .log { flex: 1; overflow-y: auto; padding: 8px 12px; display: flex; flex-direction: column; gap: 6px; min-height: 200px; }
    .msg { max-width: 85%; padding: 6px 10px; border-radius: 10px; background: #f1f3f5; white-space: pre-wrap;
      word-wrap: break-word; align-self: flex-start; }
    .msg.mine { background: #d0ebff; align-self: flex-end; }
    .msg.pending { opacity: .6; }
    .msg small { display: block; color: #868e96; font-size: 11px; }
    .note { color: #868e96; font-size: 12px; text-align: center; }
    .compose { display: flex; gap: 4px; padding: 8px; border-top: 1px solid #dee2e6; }
    .compose input[type=text] { flex: 1; }
    .status { color: #868e96; font-size: 12px; padding: 0 12px; min-height: 16px; }`;
  const launcher = el("button", { class: "launcher", type: "button", "data-testid": "chat-launcher" }, texts.open);
  const panel = el("div", { class: "panel", role: "dialog", "aria-label": texts.title });
  const header = el("header");
  header.append(el("span", {}, texts.title));
  const body = el("div");
  body.style.display = "contents";
  panel.append(header, body);
  root.append(style, launcher, panel);
  launcher.addEventListener("click", () => {
    panel.classList.toggle("open");
    if (panel.classList.contains("open") && !body.firstChild) void begin();
  });
  const show = (...nodes: Node[]) => {
    body.replaceChildren(...nodes);
  };
  const field = (name: string, label: string, type = "text", value = "") => {
    const input =
      type === "textarea"
        ? el("textarea", { name, "aria-label": label, placeholder: label, required: "", rows: "4" })
        : el("input", { name, type, "aria-label": label, placeholder: label, required: "", value });
    return input as HTMLInputElement;
  };
  const note = (text: string) => el("div", { class: "note" }, text);

  async function begin() {
    try {
      if (!state.id.visitorId || !state.id.signature) {
        const r = await call("POST", `/sites/${siteId}/visitors`);
        if (r.status !== 201) return show(note(texts.refused));
        state.id.visitorId = r.json.visitorId;
        state.id.signature = r.json.signature;
        save();
      }
      if (state.id.conversationId) {
        const r = await call("GET", `/conversations/${state.id.conversationId}/events?${qs()}&after=0`);
        if (r.status === 200 && !r.json.items.some((e: Ev) => e.kind === "closed")) return chatView([]);
        state.id.conversationId = "";
        save();
      }
      const info = await call("GET", `/sites/${siteId}`);
      if (info.status !== 200) return show(note(texts.refused));
      return info.json.open ? preChat() : offlineForm(info.json.nextOpening);
    } catch {
      show(note(texts.error));
    }
  }

  function preChat() {
    const form = el("form", { "data-testid": "chat-prechat" });
    const name = field("name", texts.name, "text", data.name ?? "");
    const email = field("email", texts.email, "email", data.email ?? "");
    const subject = field("subject", texts.subject);
    const submit = el("button", { class: "primary", type: "submit" }, texts.start);
    form.append(name, email, subject, submit);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      submit.disabled = true;
      const r = await call("POST", "/conversations", {
        ...creds(),
        name: name.value,
        email: email.value,
        subject: subject.value,
        locale: lang,
      }).catch(() => ({ status: 0, json: null }));
      submit.disabled = false;
      if (r.status === 409) return offlineForm(null);
      if (r.status !== 200) return form.append(note(r.status === 403 ? texts.refused : texts.error));
      state.id.conversationId = r.json.id;
      save();
      chatView([]);
    });
    show(form);
  }

  function offlineForm(nextOpening: string | null) {
    const form = el("form", { "data-testid": "chat-offline" });
    const intro = note(texts.offline);
    if (nextOpening) intro.textContent += ` ${texts.nextOpening} ${new Date(nextOpening).toLocaleString(lang)}.`;
    const name = field("name", texts.name, "text", data.name ?? "");
    const email = field("email", texts.email, "email", data.email ?? "");
    const subject = field("subject", texts.subject);
    const message = field("message", texts.message, "textarea");
    const submit = el("button", { class: "primary", type: "submit" }, texts.sendOffline);
    form.append(intro, name, email, subject, message, submit);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      submit.disabled = true;
      const r = await call("POST", "/offline", {
        ...creds(),
        name: name.value,
        email: email.value,
        subject: subject.value,
        message: message.value,
        locale: lang,
      }).catch(() => ({ status: 0, json: null }));
      if (r.status !== 201) {
        submit.disabled = false;
        return form.append(note(r.status === 403 ? texts.refused : texts.error));
      }
      show(note(`${texts.offlineDone} ${r.json.number}.`));
    });
    show(form);
  }

  // ---- the conversation
  const log = el("div", { class: "log", "data-testid": "chat-log", "aria-live": "polite" });
  const status = el("div", { class: "status", "data-testid": "chat-status" });
  const compose = el("form", { class: "compose" });
  const input = el("input", {
    type: "text",
    name: "body",
    "aria-label": texts.placeholder,
    placeholder: texts.placeholder,
  });
  const fileInput = el("input", { type: "file", "aria-label": texts.file, style: "display:none" });
  const attach = el("button", { type: "button", title: texts.file, "aria-label": texts.file }, "📎");
  const sendButton = el("button", { class: "primary", type: "submit" }, texts.send);
  compose.append(attach, fileInput, input, sendButton);
  const endButton = el("button", { type: "button", "data-testid": "chat-end" }, texts.end);

  function render(e: Ev) {
    if (e.seq !== state.lastSeq + 1) return false;
    state.lastSeq = e.seq;
    const mine = e.authorKind === "visitor";
    if (e.clientId && mine) {
      state.pending.get(e.clientId)?.el.remove();
      state.pending.delete(e.clientId);
    }
    if (e.kind === "message" || e.kind === "attachment") {
      const m = el("div", { class: mine ? "msg mine" : "msg", "data-seq": String(e.seq) });
      m.append(el("small", {}, mine ? texts.you : e.authorName));
      if (e.kind === "message") m.append(document.createTextNode(e.body ?? ""));
      else {
        const a = el("a", { href: `${api}/conversations/${state.id.conversationId}/files/${e.seq}?${qs()}` });
        a.textContent = `📎 ${e.attachment?.filename ?? ""}`;
        m.append(a);
      }
      log.append(m);
    } else if (e.kind === "accepted" || e.kind === "transferred") {
      log.append(note(`${e.body ?? e.authorName} ${texts.joined}`));
      status.textContent = "";
    } else if (e.kind === "closed") {
      state.closed = true;
      log.append(note(texts.ended));
      compose.remove();
      endButton.remove();
      state.source?.close();
      state.id.conversationId = "";
      save();
    }
    // Own messages still on their way stay last, as the visitor wrote them.
    for (const p of state.pending.values()) log.append(p.el);
    log.scrollTop = log.scrollHeight;
    return true;
  }

  async function fill() {
    const r = await call("GET", `/conversations/${state.id.conversationId}/events?${qs()}&after=${state.lastSeq}`);
    if (r.status === 200) for (const e of r.json.items as Ev[]) render(e);
  }

  function connect() {
    state.source?.close();
    if (state.closed) return;
    const src = new EventSource(
      `${api}/conversations/${state.id.conversationId}/stream?${qs()}&after=${state.lastSeq}`,
    );
    state.source = src;
    src.addEventListener("open", () => {
      state.retryMs = 500;
      status.textContent = status.textContent === texts.reconnecting ? "" : status.textContent;
      for (const [clientId, p] of state.pending) void deliver(clientId, p.body);
    });
    src.addEventListener("chat", (m) => {
      const e = JSON.parse((m as MessageEvent).data) as Ev;
      if (e.seq > state.lastSeq + 1) void fill();
      else render(e);
    });
    src.addEventListener("typing", (m) => {
      const t = JSON.parse((m as MessageEvent).data) as { typing: boolean; name: string };
      status.textContent = t.typing ? `${t.name} ${texts.typing}` : "";
    });
    src.addEventListener("error", () => {
      if (state.closed) return;
      status.textContent = texts.reconnecting;
      // The browser retries by itself while it can; once it gave up, reconnect from the last cursor.
      if (src.readyState === EventSource.CLOSED) {
        setTimeout(connect, state.retryMs);
        state.retryMs = Math.min(state.retryMs * 2, 10_000);
      }
    });
  }

  async function deliver(clientId: string, text: string) {
    try {
      const r = await call("POST", `/conversations/${state.id.conversationId}/messages`, {
        ...creds(),
        clientId,
        body: text,
      });
      if (r.status === 200 || r.status === 201) {
        if (r.json.seq > state.lastSeq + 1) void fill();
        else render(r.json as Ev);
        return;
      }
      if (r.status >= 400 && r.status < 500 && r.status !== 429) {
        state.pending.get(clientId)?.el.remove();
        state.pending.delete(clientId);
        log.append(note(r.status === 403 ? texts.refused : texts.error));
        return;
      }
    } catch {
      /* offline: kept pending, sent again when the stream is back */
    }
    setTimeout(() => state.pending.has(clientId) && void deliver(clientId, text), 2000);
  }

  const typing = (on: boolean) => {
    const now = Date.now();
    if (on && now - state.typingSent < 3000) return;
    state.typingSent = on ? now : 0;
    void call("POST", `/conversations/${state.id.conversationId}/typing`, { ...creds(), typing: on }).catch(() => {});
  };

  function chatView(initial: Ev[]) {
    state.closed = false;
    state.lastSeq = 0;
    log.replaceChildren(note(texts.waiting));
    for (const e of initial) render(e);
    header.replaceChildren(el("span", {}, texts.title), endButton);
    show(log, status, compose);
    input.focus();
    connect();
  }
  compose.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    const clientId = newId();
    const m = el("div", { class: "msg mine pending", "data-client-id": clientId });
    m.append(el("small", {}, texts.sending), document.createTextNode(text));
    state.pending.set(clientId, { body: text, el: m });
    log.append(m);
    log.scrollTop = log.scrollHeight;
    clearTimeout(state.typingTimer);
    typing(false);
    void deliver(clientId, text);
  });
  input.addEventListener("input", () => {
    typing(true);
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(() => typing(false), 4000);
  });
  attach.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    const reader = new FileReader();
    reader.onload = async () => {
      const dataUrl = String(reader.result);
      const r = await call("POST", `/conversations/${state.id.conversationId}/attachments`, {
        ...creds(),
        clientId: newId(),
        filename: file.name,
        data: dataUrl.slice(dataUrl.indexOf(",") + 1),
      }).catch(() => ({ status: 0, json: null }));
      if (r.status !== 200 && r.status !== 201) log.append(note(texts.error));
      fileInput.value = "";
    };
    reader.readAsDataURL(file);
  });
  endButton.addEventListener("click", async () => {
    await call("POST", `/conversations/${state.id.conversationId}/close`, creds()).catch(() => {});
  });

  document.body.append(host);
  // Taken off the page (the portal signing out, a site's app unmounting it): no stream or retry outlives it.
  const gone = new MutationObserver(() => {
    if (host.isConnected) return;
    gone.disconnect();
    state.closed = true;
    state.source?.close();
    clearTimeout(state.typingTimer);
  });
  gone.observe(document.body, { childList: true });
  if (data.open === "true") launcher.click();
}

let compiled: string | undefined;

/** The widget's script: its function's compiled source, run once against the tag that loaded it. */
export function widgetScript(): string {
  // esbuild (tsx, in development) may wrap named functions in `__name(…)`; the shim makes that a no-op.
  compiled ??= `(function(){var __name=function(f){return f};(${widgetMain.toString()})(document.currentScript);})();\n`;
  return compiled;
}
