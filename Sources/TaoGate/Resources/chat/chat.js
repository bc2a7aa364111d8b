/*
 * TaoGate's chat page. It talks to the gateway's reference API (/api/*) like any other client:
 * GET /api/models, POST /api/chat/stream (server-sent events), GET and DELETE
 * /api/conversations/{userId}. No framework, no build step; the page's CSP allows only this file.
 *
 * Exposed for tests and the curious: window.TaoGateMarkdown.render(text) -> safe HTML, and
 * window.TaoGateSSE.createParser(onEvent) -> { push(text), end() }.
 */
(function () {
  "use strict";

  // ---------------------------------------------------------------------------------------------
  // UI strings

  const STRINGS = {
    en: {
      title: "TaoGate chat",
      modelLabel: "Model",
      defaultModel: "Gateway default",
      clear: "Clear history",
      keyLabel: "Client API key",
      saveKey: "Save key",
      keyHint: "This gateway requires a client key. It is kept in this browser only.",
      keyRejected: "The saved key was not accepted; enter another one.",
      keyInvalid: "A key may only hold printable ASCII characters, without spaces.",
      conversation: "Conversation",
      empty: "Ask anything to start a conversation.",
      dismiss: "Dismiss",
      messageLabel: "Message",
      messagePlaceholder: "Type a message (Enter sends, Shift+Enter adds a line)",
      send: "Send",
      stop: "Stop",
      you: "You",
      assistant: "Assistant",
      stopped: "Stopped.",
      incomplete: "The answer is incomplete.",
      otherLanguage: "中文",
      otherLanguageTag: "zh-CN",
      switchLanguage: "Switch to Chinese",
      errNetworkTitle: "Cannot reach the gateway.",
      errNetworkDetail: "Check that TaoGate is running and the network works, then try again.",
      errInterruptedTitle: "The answer was cut off.",
      errInterruptedDetail: "The connection ended before the answer was complete.",
      errKeyTitle: "Not authorized.",
      errRateTitle: "Too many requests.",
      retryIn: "Try again in {seconds} seconds.",
      retryLater: "Try again later.",
      errUpstreamTitle: "The model provider failed.",
      errUnavailableTitle: "The gateway is unavailable.",
      errGenericTitle: "The request failed.",
      errStatus: "The gateway answered HTTP {status}.",
    },
    zh: {
      title: "TaoGate 聊天",
      modelLabel: "模型",
      defaultModel: "网关默认",
      clear: "清除记录",
      keyLabel: "客户端 API 密钥",
      saveKey: "保存密钥",
      keyHint: "此网关需要客户端密钥，密钥只保存在本浏览器中。",
      keyRejected: "已保存的密钥未被接受，请输入其他密钥。",
      keyInvalid: "密钥只能包含可打印的 ASCII 字符，且不能有空格。",
      conversation: "对话",
      empty: "输入问题，开始对话。",
      dismiss: "关闭",
      messageLabel: "消息",
      messagePlaceholder: "输入消息（Enter 发送，Shift+Enter 换行）",
      send: "发送",
      stop: "停止",
      you: "你",
      assistant: "助手",
      stopped: "已停止。",
      incomplete: "回答不完整。",
      otherLanguage: "English",
      otherLanguageTag: "en",
      switchLanguage: "切换到英文",
      errNetworkTitle: "无法连接到网关。",
      errNetworkDetail: "请确认 TaoGate 正在运行且网络正常，然后重试。",
      errInterruptedTitle: "回答中断。",
      errInterruptedDetail: "连接在回答完成之前结束了。",
      errKeyTitle: "未授权。",
      errRateTitle: "请求过于频繁。",
      retryIn: "请在 {seconds} 秒后重试。",
      retryLater: "请稍后重试。",
      errUpstreamTitle: "模型服务商出错。",
      errUnavailableTitle: "网关暂时不可用。",
      errGenericTitle: "请求失败。",
      errStatus: "网关返回了 HTTP {status}。",
    },
  };

  // ---------------------------------------------------------------------------------------------
  // Storage (localStorage may be unavailable: then values live for this page only)

  const STORAGE_KEYS = {
    userId: "taogate.userId",
    model: "taogate.model",
    apiKey: "taogate.apiKey",
    language: "taogate.language",
  };
  const memoryStore = {};

  function loadSetting(name) {
    try {
      return window.localStorage.getItem(STORAGE_KEYS[name]);
    } catch (error) {
      return memoryStore[name] ?? null;
    }
  }

  function saveSetting(name, value) {
    try {
      if (value === null || value === "") window.localStorage.removeItem(STORAGE_KEYS[name]);
      else window.localStorage.setItem(STORAGE_KEYS[name], value);
    } catch (error) {
      memoryStore[name] = value || null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Markdown: the text is HTML-escaped first; only tags made here (without user-controlled
  // attributes, except http/https link targets inside quotes) ever reach innerHTML.

  const Markdown = (function () {
    const MAX_DEPTH = 6;
    const FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*([^`]*?)[ \t]*$/;
    const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
    const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
    const QUOTE = /^ {0,3}> ?(.*)$/;
    const BULLET = /^( *)([-*+])[ \t]+(.*)$/;
    const ORDERED = /^( *)(\d{1,9})([.)])[ \t]+(.*)$/;
    const SLOT = /\u0000(\d+)\u0000/g;

    function escapeHTML(text) {
      return text
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;")
        .replace(/'/g, "&#39;");
    }

    function isBlank(line) {
      return line.trim() === "";
    }

    function indentOf(line) {
      return line.length - line.replace(/^ +/, "").length;
    }

    function dedent(line, columns) {
      return line.slice(Math.min(indentOf(line), columns));
    }

    function listItem(line) {
      let match = line.match(BULLET);
      if (match && !RULE.test(line)) {
        return { ordered: false, indent: match[1].length, offset: match[0].length - match[3].length, text: match[3] };
      }
      match = line.match(ORDERED);
      if (match) {
        return {
          ordered: true,
          indent: match[1].length,
          offset: match[0].length - match[4].length,
          start: parseInt(match[2], 10),
          text: match[4],
        };
      }
      return null;
    }

    function startsBlock(line) {
      return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || listItem(line) !== null;
    }

    // Inline: code spans, links, bare URLs, emphasis and line breaks, on escaped text.
    function inline(raw) {
      const slots = [];
      const keep = (html) => "\u0000" + (slots.push(html) - 1) + "\u0000";
      let text = escapeHTML(raw);

      text = text.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (match, ticks, code) => {
        return keep("<code>" + code.replace(/\n/g, " ") + "</code>");
      });
      text = text.replace(
        /\[([^\]\n]+)\]\((https?:\/\/(?:[^\s()\u0000]|\([^\s()\u0000]*\))+)\)/gi,
        (match, label, url) => keep(link(url, emphasis(label)))
      );
      text = text.replace(/\bhttps?:\/\/(?:(?!&(?:quot|#39|lt|gt);)[^\s\u0000])+/gi, (match) => {
        const url = trimURL(match);
        return keep(link(url, url)) + match.slice(url.length);
      });
      text = emphasis(text).replace(/\n/g, "<br>");
      return restore(text, slots);
    }

    function link(url, labelHTML) {
      return '<a href="' + url + '" target="_blank" rel="noopener noreferrer">' + labelHTML + "</a>";
    }

    // A bare URL does not take the punctuation that ends its sentence.
    function trimURL(url) {
      let trimmed = url.replace(/[.,:;!?*_'\]]+$/, "");
      if (trimmed.endsWith(")") && !trimmed.includes("(")) trimmed = trimURL(trimmed.slice(0, -1));
      // Never end inside an entity such as &amp; (trimming its ';' would break it).
      if (/&[a-z0-9#]*$/i.test(trimmed) && url.length > trimmed.length && url[trimmed.length] === ";") {
        trimmed += ";";
      }
      return trimmed;
    }

    function emphasis(text) {
      return text
        .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, "<strong>$1</strong>")
        .replace(/(^|[^\w])__(?=\S)([\s\S]*?\S)__(?!\w)/g, "$1<strong>$2</strong>")
        .replace(/\*(?=[^\s*])([^*]*?[^\s*])\*/g, "<em>$1</em>")
        .replace(/(^|[^\w])_(?=[^\s_])([^_]*?[^\s_])_(?!\w)/g, "$1<em>$2</em>")
        .replace(/~~(?=\S)([\s\S]*?\S)~~/g, "<del>$1</del>");
    }

    function restore(text, slots) {
      return text.replace(SLOT, (match, index) => restore(slots[Number(index)], slots));
    }

    // Blocks

    function renderBlocks(lines, depth) {
      const html = [];
      let index = 0;
      while (index < lines.length) {
        const line = lines[index];
        if (isBlank(line)) {
          index += 1;
        } else if (FENCE.test(line)) {
          index = renderFence(lines, index, html);
        } else if (HEADING.test(line)) {
          const [, hashes, text] = line.match(HEADING);
          html.push("<h" + hashes.length + ">" + inline(text) + "</h" + hashes.length + ">");
          index += 1;
        } else if (RULE.test(line)) {
          html.push("<hr>");
          index += 1;
        } else if (depth < MAX_DEPTH && QUOTE.test(line)) {
          index = renderQuote(lines, index, html, depth);
        } else if (depth < MAX_DEPTH && listItem(line)) {
          index = renderList(lines, index, html, depth);
        } else {
          index = renderParagraph(lines, index, html);
        }
      }
      return html.join("");
    }

    function renderFence(lines, start, html) {
      const [, fence, info] = lines[start].match(FENCE);
      const closing = new RegExp("^ {0,3}" + (fence[0] === "`" ? "`" : "~") + "{" + fence.length + ",}[ \\t]*$");
      const body = [];
      let index = start + 1;
      while (index < lines.length && !closing.test(lines[index])) {
        body.push(lines[index]);
        index += 1;
      }
      const language = info.split(/\s+/)[0];
      const attribute = /^[\w+#.-]{1,32}$/.test(language) ? ' class="language-' + language + '"' : "";
      html.push("<pre><code" + attribute + ">" + escapeHTML(body.join("\n")) + "</code></pre>");
      return index + 1; // past the closing fence (or the end: an open fence runs to the end)
    }

    function renderQuote(lines, start, html, depth) {
      const body = [];
      let index = start;
      while (index < lines.length && !isBlank(lines[index])) {
        const match = lines[index].match(QUOTE);
        if (match) body.push(match[1]);
        else if (startsBlock(lines[index])) break;
        else body.push(lines[index]);
        index += 1;
      }
      html.push("<blockquote>" + renderBlocks(body, depth + 1) + "</blockquote>");
      return index;
    }

    function renderList(lines, start, html, depth) {
      const first = listItem(lines[start]);
      const items = [];
      let index = start;
      while (index < lines.length) {
        const item = listItem(lines[index]);
        if (!item || item.ordered !== first.ordered || item.indent > first.indent + 1) break;
        const body = [item.text];
        index += 1;
        while (index < lines.length) {
          const line = lines[index];
          if (isBlank(line)) {
            let next = index;
            while (next < lines.length && isBlank(lines[next])) next += 1;
            if (next < lines.length && indentOf(lines[next]) >= item.offset) {
              body.push("");
              index += 1;
              continue;
            }
            break;
          }
          if (indentOf(line) >= item.indent + 2) body.push(dedent(line, item.offset));
          else if (startsBlock(line)) break;
          else body.push(line.trim());
          index += 1;
        }
        items.push(renderItem(body, depth));
        let next = index;
        while (next < lines.length && isBlank(lines[next])) next += 1;
        const following = next < lines.length ? listItem(lines[next]) : null;
        if (!following || following.ordered !== first.ordered || following.indent > first.indent + 1) break;
        index = next;
      }
      const tag = first.ordered ? "ol" : "ul";
      const startAttribute = first.ordered && first.start !== 1 ? ' start="' + first.start + '"' : "";
      html.push("<" + tag + startAttribute + ">" + items.join("") + "</" + tag + ">");
      return index;
    }

    // A tight item (no blank line inside) shows its first paragraph without <p>.
    function renderItem(body, depth) {
      const inner = renderBlocks(body, depth + 1);
      const tight = !body.includes("");
      return "<li>" + (tight ? inner.replace(/^<p>([\s\S]*?)<\/p>/, "$1") : inner) + "</li>";
    }

    function renderParagraph(lines, start, html) {
      const body = [lines[start].trim()];
      let index = start + 1;
      while (index < lines.length && !isBlank(lines[index]) && !startsBlock(lines[index])) {
        body.push(lines[index].trim());
        index += 1;
      }
      html.push("<p>" + inline(body.join("\n")) + "</p>");
      return index;
    }

    function render(source) {
      const text = String(source ?? "")
        .replace(/\u0000/g, "\uFFFD")
        .replace(/\r\n?/g, "\n")
        .replace(/\t/g, "    ");
      return renderBlocks(text.split("\n"), 0);
    }

    return { render, escapeHTML };
  })();

  // ---------------------------------------------------------------------------------------------
  // Server-sent events: a parser fed decoded text in pieces of any size (events may be split
  // across reads or share one); lines end in LF, CRLF or CR.

  function createEventStreamParser(onEvent) {
    let buffer = "";
    let eventName = "";
    let dataLines = [];
    let lastId = null;

    function dispatch() {
      if (dataLines.length > 0) onEvent({ event: eventName || "message", data: dataLines.join("\n"), id: lastId });
      eventName = "";
      dataLines = [];
    }

    function processLine(line) {
      if (line === "") return dispatch();
      if (line[0] === ":") return; // a comment
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? "" : line.slice(colon + 1);
      if (value[0] === " ") value = value.slice(1);
      if (field === "data") dataLines.push(value);
      else if (field === "event") eventName = value;
      else if (field === "id" && !value.includes("\u0000")) lastId = value;
    }

    function push(text) {
      buffer += text;
      const lineEnd = /\r\n|\r|\n/g;
      let start = 0;
      let match;
      while ((match = lineEnd.exec(buffer)) !== null) {
        // A CR at the very end may be the first half of a CRLF: wait for the next piece.
        if (match[0] === "\r" && match.index === buffer.length - 1) break;
        processLine(buffer.slice(start, match.index));
        start = lineEnd.lastIndex;
      }
      buffer = buffer.slice(start);
    }

    // The stream ended: a line left unterminated and an event without its blank line are dropped.
    function end() {
      if (buffer.endsWith("\r")) processLine(buffer.slice(0, -1));
      buffer = "";
      eventName = "";
      dataLines = [];
    }

    return { push, end };
  }

  async function* readEvents(body) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const queue = [];
    const parser = createEventStreamParser((event) => queue.push(event));
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
        while (queue.length > 0) yield queue.shift();
      }
      parser.push(decoder.decode());
      parser.end();
      while (queue.length > 0) yield queue.shift();
    } finally {
      reader.cancel().catch(() => {});
    }
  }

  // ---------------------------------------------------------------------------------------------
  // State and elements

  const state = {
    language: "en",
    userId: "",
    streaming: false,
    controller: null,
    error: null,
    keyProblem: null,
  };
  const ui = {};

  function t(key, values) {
    const text = (STRINGS[state.language] || STRINGS.en)[key] ?? STRINGS.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (match, name) => (values && name in values ? String(values[name]) : match));
  }

  // ---------------------------------------------------------------------------------------------
  // Identity and language

  const USER_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

  function newUserId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    const bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) window.crypto.getRandomValues(bytes);
    else for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
    return "web-" + Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  function ensureUserId() {
    let id = loadSetting("userId");
    if (!id || !USER_ID.test(id)) {
      id = newUserId();
      saveSetting("userId", id);
    }
    return id;
  }

  function initialLanguage() {
    const saved = loadSetting("language");
    if (saved === "en" || saved === "zh") return saved;
    return String(navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en";
  }

  function acceptLanguage() {
    return state.language === "zh" ? "zh-CN,zh;q=0.9" : "en";
  }

  function applyLanguage() {
    document.documentElement.lang = state.language === "zh" ? "zh-CN" : "en";
    document.title = t("title");
    for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
    for (const element of document.querySelectorAll("[data-i18n-placeholder]")) {
      element.placeholder = t(element.dataset.i18nPlaceholder);
    }
    for (const element of document.querySelectorAll("[data-i18n-aria-label]")) {
      element.setAttribute("aria-label", t(element.dataset.i18nAriaLabel));
    }
    ui.lang.textContent = t("otherLanguage");
    ui.lang.lang = t("otherLanguageTag");
    ui.lang.setAttribute("aria-label", t("switchLanguage"));
    ui.lang.title = t("switchLanguage");
    renderKeyHint();
    renderError();
  }

  function toggleLanguage() {
    state.language = state.language === "zh" ? "en" : "zh";
    saveSetting("language", state.language);
    applyLanguage();
  }

  // ---------------------------------------------------------------------------------------------
  // Talking to the gateway

  class GatewayFailure extends Error {
    // kind: "network" (no answer), "http" (an error answer), "stream" (an error event),
    // "interrupted" (the stream ended early)
    constructor(kind, details) {
      super((details && details.message) || kind);
      this.kind = kind;
      this.status = (details && details.status) || null;
      this.code = (details && details.code) || null;
      this.serverMessage = (details && details.message) || "";
      this.retryAfter = details && details.retryAfter != null ? details.retryAfter : null;
    }
  }

  function requestHeaders(extra) {
    const headers = Object.assign({ "Accept-Language": acceptLanguage() }, extra);
    const key = loadSetting("apiKey");
    if (key) headers.Authorization = "Bearer " + key;
    return headers;
  }

  async function callGateway(method, path, options) {
    const init = { method, headers: requestHeaders(options && options.headers), cache: "no-store" };
    if (options && options.body !== undefined) init.body = JSON.stringify(options.body);
    if (options && options.signal) init.signal = options.signal;
    let response;
    try {
      response = await fetch(path, init);
    } catch (error) {
      if (error && error.name === "AbortError") throw error;
      throw new GatewayFailure("network");
    }
    if (!response.ok) throw await failureFrom(response);
    return response;
  }

  async function callGatewayJSON(method, path) {
    const response = await callGateway(method, path, { headers: { Accept: "application/json" } });
    try {
      return await response.json();
    } catch (error) {
      throw new GatewayFailure("http", { status: response.status });
    }
  }

  async function failureFrom(response) {
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = null;
    }
    return new GatewayFailure("http", {
      status: response.status,
      code: body && typeof body.code === "string" ? body.code : null,
      message: body && typeof body.error === "string" ? body.error : "",
      retryAfter: retryAfterSeconds(response.headers.get("Retry-After")),
    });
  }

  // Retry-After is a number of seconds or an HTTP date.
  function retryAfterSeconds(value) {
    if (!value) return null;
    const text = value.trim();
    if (/^\d+$/.test(text)) return parseInt(text, 10);
    const date = Date.parse(text);
    return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
  }

  function conversationPath() {
    return "/api/conversations/" + encodeURIComponent(state.userId);
  }

  // ---------------------------------------------------------------------------------------------
  // Models

  async function loadModels() {
    const data = await callGatewayJSON("GET", "/api/models");
    const listed = Array.isArray(data.models) && data.models.length > 0 ? data.models : data.suggested_models;
    const names = (Array.isArray(listed) ? listed : [])
      .map((model) => (typeof model === "string" ? model : model && model.id))
      .filter((name) => typeof name === "string" && name !== "");
    fillModelPicker(names);
  }

  function fillModelPicker(names) {
    const picker = ui.model;
    while (picker.options.length > 1) picker.remove(1); // keeps "Gateway default"
    for (const name of new Set(names)) picker.add(new Option(name, name));
    const saved = loadSetting("model") || "";
    picker.value = names.includes(saved) ? saved : "";
  }

  function rememberModel() {
    saveSetting("model", ui.model.value);
  }

  // ---------------------------------------------------------------------------------------------
  // Messages

  function appendMessage(role, text) {
    const article = document.createElement("article");
    article.className = "message " + (role === "user" ? "user" : "assistant");
    const label = document.createElement("span");
    label.className = "role visually-hidden";
    label.dataset.i18n = role === "user" ? "you" : "assistant";
    label.textContent = t(label.dataset.i18n);
    const content = document.createElement("div");
    content.className = "content";
    article.append(label, content);
    ui.messages.append(article);
    if (role === "user") content.textContent = text;
    else renderAnswer(article, text);
    ui.empty.hidden = true;
    scrollToBottom();
    return article;
  }

  function renderAnswer(article, text) {
    const follow = isNearBottom();
    article.querySelector(".content").innerHTML = Markdown.render(text);
    if (follow) scrollToBottom();
  }

  function addNote(article, key) {
    const note = document.createElement("p");
    note.className = "note";
    note.dataset.i18n = key;
    note.textContent = t(key);
    article.append(note);
  }

  function clearMessagesView() {
    for (const message of ui.messages.querySelectorAll(".message")) message.remove();
    ui.empty.hidden = false;
  }

  function isNearBottom() {
    const box = ui.messages;
    return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  }

  function scrollToBottom() {
    ui.messages.scrollTop = ui.messages.scrollHeight;
  }

  async function loadHistory() {
    let data;
    try {
      data = await callGatewayJSON("GET", conversationPath());
    } catch (failure) {
      if (failure instanceof GatewayFailure && failure.status === 404) data = { messages: [] };
      else throw failure;
    }
    if (state.streaming) return;
    clearMessagesView();
    for (const message of Array.isArray(data.messages) ? data.messages : []) {
      if (message && typeof message.content === "string") appendMessage(message.role, message.content);
    }
  }

  async function clearHistory() {
    if (state.streaming) return;
    clearError();
    try {
      await callGatewayJSON("DELETE", conversationPath());
      clearMessagesView();
    } catch (failure) {
      reportFailure(failure);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Sending and streaming

  function chatBody(text) {
    const body = { message: text, userId: state.userId };
    if (ui.model.value) body.model = ui.model.value;
    return body;
  }

  function contentOf(data) {
    try {
      const value = JSON.parse(data);
      return value && typeof value.content === "string" ? value.content : "";
    } catch (error) {
      return "";
    }
  }

  function failureFromEvent(data) {
    let value = null;
    try {
      value = JSON.parse(data);
    } catch (error) {
      value = null;
    }
    return new GatewayFailure("stream", {
      code: value && typeof value.code === "string" ? value.code : null,
      message: value && typeof value.error === "string" ? value.error : "",
    });
  }

  async function streamAnswer(text, reply, signal) {
    const response = await callGateway("POST", "/api/chat/stream", {
      body: chatBody(text),
      signal,
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    });
    let answer = "";
    try {
      for await (const event of readEvents(response.body)) {
        if (event.event === "error") throw failureFromEvent(event.data);
        if (event.data === "[DONE]") return answer;
        const piece = contentOf(event.data);
        if (piece) {
          answer += piece;
          renderAnswer(reply, answer);
        }
      }
    } catch (error) {
      if (error instanceof GatewayFailure || (error && error.name === "AbortError")) throw Object.assign(error, { answer });
      throw Object.assign(new GatewayFailure("interrupted"), { answer });
    }
    throw Object.assign(new GatewayFailure("interrupted"), { answer });
  }

  async function send(text) {
    if (state.streaming) return;
    clearError();
    const question = appendMessage("user", text);
    const reply = appendMessage("assistant", "");
    const controller = new AbortController();
    setStreaming(true, controller, reply);
    try {
      await streamAnswer(text, reply, controller.signal);
    } catch (error) {
      const answered = Boolean(error && error.answer);
      if (error && error.name === "AbortError") {
        addNote(reply, "stopped");
      } else if (answered) {
        addNote(reply, "incomplete");
        reportFailure(error);
      } else {
        // Nothing was answered (and the gateway stored nothing): give the text back to retry.
        question.remove();
        reply.remove();
        ui.empty.hidden = ui.messages.querySelector(".message") !== null;
        if (!ui.message.value.trim()) ui.message.value = text;
        reportFailure(error);
      }
    } finally {
      setStreaming(false, null, reply);
      ui.message.focus();
    }
  }

  function setStreaming(streaming, controller, reply) {
    state.streaming = streaming;
    state.controller = controller;
    ui.send.disabled = streaming;
    ui.clear.disabled = streaming;
    ui.model.disabled = streaming;
    ui.stop.hidden = !streaming;
    ui.messages.setAttribute("aria-busy", String(streaming));
    if (reply) reply.setAttribute("aria-busy", String(streaming));
    document.body.dataset.streaming = String(streaming);
  }

  function stopStreaming() {
    if (state.controller) state.controller.abort();
  }

  function submitMessage() {
    const text = ui.message.value;
    if (state.streaming || text.trim() === "") return;
    ui.message.value = "";
    send(text);
  }

  function onMessageKeydown(event) {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    submitMessage();
  }

  // ---------------------------------------------------------------------------------------------
  // Errors

  function reportFailure(failure) {
    if (!(failure instanceof GatewayFailure)) {
      console.error(failure); // a bug of this page, not an answer of the gateway
      failure = new GatewayFailure("http");
    }
    if (failure.code === "unauthorized") showKeyForm();
    state.error = failure;
    renderError();
  }

  function clearError() {
    state.error = null;
    renderError();
  }

  function describeFailure(failure) {
    const code = failure.code || "";
    const status = failure.status;
    const message = failure.serverMessage;
    if (failure.kind === "network") return [t("errNetworkTitle"), t("errNetworkDetail")];
    if (failure.kind === "interrupted") return [t("errInterruptedTitle"), t("errInterruptedDetail")];
    if (code === "unauthorized") return [t("errKeyTitle"), message || t("keyHint")];
    if (code === "rate_limited" || status === 429) {
      // With Retry-After, how long to wait says it all; without, the gateway's reason (e.g. a spent budget).
      const wait = failure.retryAfter != null ? t("retryIn", { seconds: failure.retryAfter }) : "";
      return [t("errRateTitle"), wait || message || t("retryLater")];
    }
    if (code.startsWith("upstream_") || status === 502 || status === 504) return [t("errUpstreamTitle"), message];
    if (code === "shutting_down" || code === "database_unavailable" || status === 503) {
      return [t("errUnavailableTitle"), message];
    }
    return [t("errGenericTitle"), message || (status ? t("errStatus", { status }) : "")];
  }

  function renderError() {
    const failure = state.error;
    ui.error.hidden = !failure;
    if (!failure) {
      delete ui.error.dataset.code;
      delete ui.error.dataset.retryAfter;
      ui.errorTitle.textContent = "";
      ui.errorDetail.textContent = "";
      return;
    }
    const [title, detail] = describeFailure(failure);
    ui.errorTitle.textContent = title;
    ui.errorDetail.textContent = detail;
    ui.error.dataset.code = failure.code || failure.kind;
    if (failure.retryAfter != null) ui.error.dataset.retryAfter = String(failure.retryAfter);
    else delete ui.error.dataset.retryAfter;
  }

  // ---------------------------------------------------------------------------------------------
  // Client key

  function showKeyForm() {
    state.keyProblem = loadSetting("apiKey") ? "keyRejected" : null;
    const wasHidden = ui.keyForm.hidden;
    ui.keyForm.hidden = false;
    renderKeyHint();
    if (wasHidden) ui.apiKey.focus();
  }

  function renderKeyHint() {
    ui.keyHint.dataset.i18n = state.keyProblem || "keyHint";
    ui.keyHint.textContent = t(ui.keyHint.dataset.i18n);
    ui.keyHint.classList.toggle("problem", Boolean(state.keyProblem));
  }

  function saveKey(event) {
    event.preventDefault();
    const key = ui.apiKey.value.trim();
    if (key !== "" && !/^[\x21-\x7e]+$/.test(key)) {
      state.keyProblem = "keyInvalid";
      renderKeyHint();
      return;
    }
    saveSetting("apiKey", key);
    ui.apiKey.value = "";
    state.keyProblem = null;
    ui.keyForm.hidden = true;
    clearError();
    loadEverything();
  }

  // ---------------------------------------------------------------------------------------------
  // Start

  async function loadEverything() {
    document.body.dataset.state = "loading";
    const results = await Promise.allSettled([loadModels(), loadHistory()]);
    const failed = results.find((result) => result.status === "rejected");
    if (failed) reportFailure(failed.reason);
    document.body.dataset.state = "ready";
  }

  function findElements() {
    for (const [name, id] of Object.entries({
      model: "model",
      clear: "clear",
      lang: "lang",
      keyForm: "key-form",
      apiKey: "api-key",
      keyHint: "key-hint",
      messages: "messages",
      empty: "empty",
      error: "error",
      errorTitle: "error-title",
      errorDetail: "error-detail",
      errorClose: "error-close",
      composer: "composer",
      message: "message",
      send: "send",
      stop: "stop",
    })) {
      ui[name] = document.getElementById(id);
    }
  }

  function bindEvents() {
    ui.composer.addEventListener("submit", (event) => {
      event.preventDefault();
      submitMessage();
    });
    ui.message.addEventListener("keydown", onMessageKeydown);
    ui.stop.addEventListener("click", stopStreaming);
    ui.clear.addEventListener("click", clearHistory);
    ui.model.addEventListener("change", rememberModel);
    ui.lang.addEventListener("click", toggleLanguage);
    ui.keyForm.addEventListener("submit", saveKey);
    ui.errorClose.addEventListener("click", clearError);
  }

  function start() {
    findElements();
    state.language = initialLanguage();
    state.userId = ensureUserId();
    applyLanguage();
    bindEvents();
    setStreaming(false, null, null);
    loadEverything();
  }

  window.TaoGateMarkdown = { render: Markdown.render };
  window.TaoGateSSE = { createParser: createEventStreamParser };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
