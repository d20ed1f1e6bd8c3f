/*! ipqa widget — 知识产权规划问答. Plain JS, no dependencies, one global (window.IPQAWidget).
 * Embed: <script src="https://HOST/widget.js" data-api="https://HOST" defer></script>
 * Options (data-*): api, title, subtitle, position ("right" | "left"), open ("true"),
 *   font-scale (1–2: the site's text size; the reader's 大字 makes it 1.5x, at most 2).
 * All UI lives in a Shadow DOM; all server and user text is inserted with textContent. */
(function () {
  "use strict";
  if (window.IPQAWidget) return; // double-load guard

  var script = document.currentScript || (function () {
    var all = document.querySelectorAll("script[src*='widget.js']");
    return all[all.length - 1] || null;
  })();

  function attr(name, fallback) {
    var v = script && script.getAttribute("data-" + name);
    return v == null ? fallback : v;
  }

  function scriptOrigin() {
    try {
      return new URL(script.src, document.baseURI).origin;
    } catch (e) {
      return location.origin;
    }
  }

  var api = (attr("api", "") || "").trim() || scriptOrigin();
  api = api.replace(/\/+$/, "");
  var TITLE = attr("title", "") || "知识产权规划问答";
  var SUBTITLE = attr("subtitle", "") || "依据本站收录的文件原文";
  var POSITION = attr("position", "right") === "left" ? "left" : "right";
  var START_OPEN = attr("open", "") === "true";
  var TIMEOUT_MS = 15000;
  var HISTORY_TURNS = 10;
  var MAX_SAVED = 40;
  var STORE_KEY = "ipqa-widget:v1:" + api;
  var BIG_KEY = "ipqa-widget:big-text"; // localStorage: remembered per site
  var FONT_SCALE = Math.min(2, Math.max(1, parseFloat(attr("font-scale", "1")) || 1));
  var BIG_FACTOR = 1.5;
  var MAX_SCALE = 2; // the most that still fits a 320 px wide phone
  var OUTCOMES = { answer: 1, curated: 1, related: 1, none: 1, clarify: 1 };

  var MSG_CONN = "服务暂时无法连接，请稍后重试。";
  var MSG_RATE = "请求过于频繁，请稍后再试。";
  var MSG_BAD = "这个问题无法处理，请换一种说法（1–500字）。";
  // From GET /suggestions: starter questions, the documents' titles, the table's caption
  var starters = null, docs = null, caption = "主要指标";

  // Sizes in em of .root: the browser default (host reset to `medium`), data-font-scale, 大字 (--fs).
  var FULL_SCREEN = "(max-width:480px),(max-height:500px)";
  var CSS = [
    ":host{all:initial!important;display:block!important;}*,*::before,*::after{box-sizing:border-box;}",
    ".root{--c:#0b4f9c;--c-dark:#083a73;--c-soft:#eaf1fb;--ink:#1f2933;--muted:#56606e;--line:#dde3ea;--bg:#f6f8fb;",
    "font-family:-apple-system,BlinkMacSystemFont,'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei',sans-serif;",
    "font-size:calc(.875em * var(--fs,1));line-height:1.6;color:var(--ink);font-weight:400;letter-spacing:normal;text-align:left;direction:ltr;}",
    "button,input{font:inherit;color:inherit;margin:0;}button{cursor:pointer;}:focus{outline:none;}:focus-visible{outline:3px solid #f5a623;outline-offset:2px;}",
    ".sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0;}",
    // transparent borders: drawn only in forced-colors (high contrast) mode
    ".launcher{position:fixed;bottom:24px;right:24px;width:60px;height:60px;border-radius:50%;border:2px solid transparent;padding:0;",
    "background:var(--c);color:#fff;display:flex;align-items:center;justify-content:center;",
    "box-shadow:0 6px 20px rgba(11,79,156,.35),0 2px 6px rgba(0,0,0,.15);transition:transform .15s ease,background .15s ease;}",
    ".launcher:hover{background:var(--c-dark);transform:translateY(-2px);}.launcher svg{width:28px;height:28px;display:block;}",
    ".left .launcher{right:auto;left:24px;}.launcher[hidden],.panel[hidden]{display:none;}",
    ".panel{position:fixed;bottom:24px;right:24px;width:min(27.9em,calc(100vw - 48px));height:min(45.7em,calc(100vh - 48px));",
    "display:flex;flex-direction:column;background:#fff;border-radius:14px;overflow:hidden;",
    "box-shadow:0 16px 48px rgba(15,30,60,.28),0 2px 8px rgba(0,0,0,.08);border:1px solid rgba(0,0,0,.06);}.left .panel{right:auto;left:24px;}",
    // the header grows with 大字 up to 1.5x only: the conversation keeps the room
    ".head{display:grid;grid-template-columns:auto minmax(0,1fr) auto;grid-template-areas:'badge title tools' 'badge sub sub';",
    "align-items:center;column-gap:10px;padding:10px 10px 10px 16px;background:var(--c);color:#fff;flex:none;font-size:min(1em,21px);border-bottom:1px solid transparent;}",
    ".tools{grid-area:tools;display:flex;gap:4px;}",
    ".badge{grid-area:badge;width:2.4em;height:2.4em;border-radius:50%;background:rgba(255,255,255,.16);display:flex;align-items:center;justify-content:center;flex:none;}",
    ".badge svg{width:1.4em;height:1.4em;}.title{grid-area:title;margin:0;font-size:1.143em;font-weight:600;line-height:1.3;overflow-wrap:anywhere;text-wrap:balance;}",
    ".sub{grid-area:sub;margin:2px 0 0;font-size:.857em;line-height:1.35;overflow-wrap:anywhere;}",
    ".icon-btn,.big{min-width:2.45em;height:2.45em;border:1px solid transparent;border-radius:8px;background:transparent;color:#fff;display:flex;align-items:center;justify-content:center;flex:none;padding:0;}",
    ".big{padding:0 .5em;border-color:rgba(255,255,255,.7);font-weight:600;white-space:nowrap;}",
    ".big[aria-pressed=true]{background:#fff;color:var(--c-dark);}.icon-btn:hover,.big[aria-pressed=false]:hover{background:rgba(255,255,255,.16);}",
    ".icon-btn svg{width:1.3em;height:1.3em;}.log:focus-visible{outline-offset:-3px;}",
    ".log{position:relative;flex:1;overflow-y:auto;overflow-x:hidden;padding:16px 14px 8px;background:var(--bg);display:flex;flex-direction:column;gap:12px;overscroll-behavior:contain;}",
    ".msg{max-width:92%;overflow-wrap:anywhere;}",
    ".user{align-self:flex-end;background:var(--c);color:#fff;padding:8px 12px;border:1px solid transparent;border-radius:14px 14px 4px 14px;white-space:pre-wrap;}",
    ".bot{align-self:flex-start;background:#fff;border:1px solid var(--line);padding:10px 12px;border-radius:14px 14px 14px 4px;width:92%;}",
    ".answer{margin:0;white-space:pre-wrap;}.none .answer{color:var(--muted);}",
    ".outcome{margin:0 0 6px;font-size:1em;font-weight:600;line-height:1.45;color:#8a4b00;}.related{border-left:4px solid #d18a2c;}",
    ".tag{display:inline-block;margin:0 0 6px;padding:0 8px;border-radius:10px;background:#e6f4ea;color:#0b5a2a;font-size:.857em;font-weight:600;}",
    ".card{margin:10px 0 0;border:1px solid var(--line);border-radius:10px;overflow:hidden;container-type:inline-size;}",
    ".scroll{max-height:16em;overflow:auto;}table{border-collapse:collapse;width:100%;font-size:.929em;line-height:1.45;}",
    "caption{padding:6px 10px;background:var(--c-soft);color:var(--c-dark);font-weight:600;text-align:left;}",
    "th,td{padding:6px 5px;border-top:1px solid var(--line);text-align:right;vertical-align:top;}",
    "thead th{overflow-wrap:normal;font-weight:600;color:var(--muted);background:#fafbfc;border-top:0;position:sticky;top:0;}",
    "th:first-child,td:first-child{padding-left:8px;}th:last-child,td:last-child{padding-right:8px;}thead th:first-child{text-align:left;}",
    "tbody th{text-align:left;font-weight:400;color:var(--ink);min-width:5em;}",
    "td.num{font-variant-numeric:tabular-nums;font-weight:600;color:var(--ink);white-space:nowrap;}td.inc{color:#0a7a45;}",
    ".unit{display:block;font-size:.923em;color:var(--muted);}",
    // Too narrow for four columns: each name on its own line, its figures under the headings.
    "@container (max-width:14.5em){table,caption,thead,tbody{display:block;}tr{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));}",
    "tr>:first-child{grid-column:1/-1;text-align:left;padding-left:8px;}tbody td{border-top:0;padding-top:0;}",
    "thead th{position:static;}td:first-of-type{padding-left:8px;}.scroll{max-height:none;}}details{margin-top:10px;border-top:1px dashed var(--line);padding-top:8px;}",
    "summary{cursor:pointer;color:var(--c);font-size:.929em;font-weight:600;border-radius:4px;list-style-position:inside;}",
    "summary:hover{text-decoration:underline;}.srcs{list-style:none;margin:8px 0 0;padding:0;display:flex;flex-direction:column;gap:8px;}",
    ".src{background:var(--bg);border-radius:8px;padding:8px 10px;font-size:.929em;}",
    ".path{display:block;color:var(--c-dark);font-size:.923em;font-weight:600;margin-bottom:3px;}a.path::after{content:\" ↗\"/\"（新窗口）\";}",
    ".src-text{margin:0;white-space:pre-wrap;color:#334155;}.chips{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px;}",
    ".chip{border:1px solid #8fb0d9;background:#fff;color:var(--c-dark);border-radius:16px;padding:5px 11px;font-size:.929em;line-height:1.35;text-align:left;max-width:100%;}",
    ".chip:hover{background:var(--c-soft);border-color:var(--c);}.chip:disabled{opacity:.55;cursor:default;}.hint{margin:10px 0 0;font-size:.929em;color:var(--muted);}",
    // 👍/👎: one vote, then an optional comment after 👎
    ".fb{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin-top:10px;font-size:.929em;color:var(--muted);}.fb-q{margin:0;}",
    ".vote{display:inline-flex;align-items:center;gap:4px;border:1px solid #8fb0d9;background:#fff;color:var(--c-dark);border-radius:16px;padding:3px 10px;line-height:1.35;}",
    ".vote svg{width:1.1em;height:1.1em;flex:none;}.vote:hover{background:var(--c-soft);}.vote[aria-pressed=true]{background:var(--c);border-color:var(--c);color:#fff;}",
    ".vote[aria-disabled=true]{cursor:default;}.vote[aria-disabled=true][aria-pressed=false]{border-color:var(--line);color:var(--muted);background:#fff;}",
    ".fb-form{display:flex;flex-wrap:wrap;gap:6px;width:100%;margin:4px 0 0;}.fb-form label{width:100%;}",
    ".fb-input{flex:1 1 8em;min-width:0;border:1px solid #7b8794;border-radius:8px;padding:4px 8px;background:#fff;}",
    ".fb-send{border:1px solid var(--c);background:#fff;color:var(--c-dark);border-radius:8px;padding:3px 12px;font-weight:600;}",
    ".fb-send:hover{background:var(--c-soft);}.fb-done{margin:0;width:100%;}",
    ".ck{display:flex;align-items:center;gap:6px}.guide{margin:10px 0 0;padding:6px 10px;background:#fff8e6;border-radius:8px}.guide a{margin-left:.5em;white-space:nowrap}",
    ".typing{color:var(--muted);display:flex;align-items:center;gap:8px;width:auto;}.dots{display:inline-flex;gap:3px;}",
    ".dots i{width:6px;height:6px;border-radius:50%;background:#9aa8b8;display:block;animation:ipqa-b 1.2s infinite ease-in-out;}",
    ".dots i:nth-child(2){animation-delay:.15s;}.dots i:nth-child(3){animation-delay:.3s;}",
    "@keyframes ipqa-b{0%,80%,100%{opacity:.3;transform:translateY(0);}40%{opacity:1;transform:translateY(-3px);}}",
    ".error{align-self:flex-start;background:#fff5f5;border:1px solid #f3c4c4;color:#9b1c1c;padding:10px 12px;border-radius:12px;display:flex;align-items:center;gap:10px;flex-wrap:wrap;}",
    ".retry{border:1px solid #d64545;background:#fff;color:#b42323;border-radius:6px;padding:3px 12px;font-size:.929em;}.retry:hover{background:#fdeaea;}",
    ".form{display:flex;flex-wrap:wrap;gap:8px;padding:10px 12px;border-top:1px solid var(--line);background:#fff;flex:none;}",
    ".input{flex:1 1 6.5em;min-width:0;height:calc(1.5em + 19px);border:1px solid #7b8794;border-radius:10px;padding:0 12px;background:#fff;}",
    ".input:focus{border-color:var(--c);box-shadow:0 0 0 3px rgba(11,79,156,.15);}.input:focus-visible{outline:none;}",
    ".send{height:calc(1.5em + 19px);border:1px solid transparent;border-radius:10px;background:var(--c);color:#fff;padding:0 16px;font-weight:600;flex:none;margin-left:auto;}",
    ".send:hover{background:var(--c-dark);}.send:disabled{background:#9db3cf;cursor:default;}",
    ".foot{margin:0;padding:0 12px 8px;font-size:min(.857em,18px);color:var(--muted);background:#fff;text-align:center;flex:none;}@media " + FULL_SCREEN + "{",
    ".panel,.left .panel{top:0;left:0;right:0;bottom:0;width:100vw;height:100vh;height:100dvh;border-radius:0;border:0;}",
    ".launcher{bottom:16px;right:16px;}.left .launcher{left:16px;}",
    ".badge{display:none;}.head{padding-left:12px;grid-template-columns:minmax(0,1fr) auto;grid-template-areas:'title tools' 'sub sub';}.log{padding:12px 8px 8px;}.msg{max-width:100%;}.bot{width:100%;}",
    ".input{font-size:max(16px,1em);}}",
    // phones: every control at least 44 x 44 CSS px
    "@media (pointer:coarse),(max-width:480px){.icon-btn,.big,.send,.input,.chip,.retry,summary,.vote,.fb-input,.fb-send,.ck input{min-height:44px;min-width:44px;}",
    "summary{display:flex;align-items:center;}summary::before{content:'▸';content:'▸'/'';margin-right:.4em;}details[open]>summary::before{content:'▾';content:'▾'/'';}",
    ".chip{display:inline-flex;align-items:center;}.retry{padding:3px 14px;}}",
    "@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important;scroll-behavior:auto!important;}.launcher:hover{transform:none;}}",
    "@media (forced-colors:active){.big[aria-pressed=true]{forced-color-adjust:none;background:Highlight;color:HighlightText;border-color:Highlight;}",
    ".dots i{background:CanvasText;}.related{border-left-color:CanvasText;}",
    "}"
  ].join("\n");

  // ---- tiny DOM helpers (text only, never HTML) ----
  function el(tag, props, children) {
    var n = document.createElement(tag);
    if (props) {
      for (var k in props) {
        if (!Object.prototype.hasOwnProperty.call(props, k)) continue;
        var v = props[k];
        if (v == null || v === false) continue;
        if (k === "text") n.textContent = String(v);
        else if (k === "className") n.className = v;
        else if (k === "onclick") n.addEventListener("click", v);
        else n.setAttribute(k, v === true ? "" : String(v));
      }
    }
    (children || []).forEach(function (c) { if (c) n.appendChild(c); });
    return n;
  }

  var SVGNS = "http://www.w3.org/2000/svg";
  function icon(paths, stroke) {
    var s = document.createElementNS(SVGNS, "svg");
    var a = { viewBox: "0 0 24 24", "aria-hidden": "true", focusable: "false", fill: "none", stroke: "currentColor",
      "stroke-width": stroke || "2", "stroke-linecap": "round", "stroke-linejoin": "round" };
    for (var k in a) s.setAttribute(k, a[k]);
    paths.forEach(function (d) {
      var p = document.createElementNS(SVGNS, "path");
      p.setAttribute("d", d);
      s.appendChild(p);
    });
    return s;
  }
  var ICON_CHAT = ["M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12z", "M8.5 10.5h7", "M8.5 14h4.5"];
  var ICON_CLOSE = ["M6 6l12 12", "M18 6L6 18"];
  var ICON_NEW = ["M3 12a9 9 0 1 0 3-6.7", "M3 4v5h5"];
  var ICON_UP = ["M7 11v9H4v-9z", "M7 11l4-8a2 2 0 0 1 3 2l-1 4h5a2 2 0 0 1 2 2.3l-1.2 6A2 2 0 0 1 16.8 20H7"];
  var ICON_DOWN = ["M17 13V4h3v9z", "M17 13l-4 8a2 2 0 0 1-3-2l1-4H6a2 2 0 0 1-2-2.3l1.2-6A2 2 0 0 1 7.2 4H17"];
  var ICON_BOOK = ["M4 5a2 2 0 0 1 2-2h13v16H6a2 2 0 0 0-2 2z", "M4 21V5", "M9 8h6"];

  function fmtNum(v) {
    if (v == null || v === "") return "—";
    return String(v);
  }

  // Numbers as the server wrote them ("13.0" stays "13.0") where JSON.parse gives the source.
  var NUM_KEYS = { value_2020: 1, target_2025: 1, increase: 1 };
  function parseJSON(text) {
    return JSON.parse(text, function (k, v, ctx) {
      if (typeof v === "number" && NUM_KEYS[k] && ctx && typeof ctx.source === "string") return ctx.source;
      return v;
    });
  }

  function arr(v) { return Array.isArray(v) ? v : []; }
  function texts(v) { return arr(v).filter(function (q) { return typeof q === "string" && q.trim(); }); }

  // ---- state ----
  var entries = []; // [{type:"user", text} | {type:"bot", q, data}]
  function load() {
    try {
      var raw = window.sessionStorage.getItem(STORE_KEY);
      var v = raw ? JSON.parse(raw) : [];
      entries = Array.isArray(v) ? v : [];
    } catch (e) {
      entries = [];
    }
  }
  function save() {
    try {
      if (entries.length > MAX_SAVED) entries = entries.slice(entries.length - MAX_SAVED);
      window.sessionStorage.setItem(STORE_KEY, JSON.stringify(entries));
    } catch (e) { /* storage full or blocked: keep in memory */ }
  }
  function historyTurns() {
    // Only completed exchanges count (a failed question is not history).
    var turns = [];
    entries.forEach(function (e) {
      if (e.type !== "bot" || !e.data) return;
      turns.push({ role: "user", content: String(e.q || "").slice(0, 2000) });
      turns.push({ role: "assistant", content: String(e.data.answer || "").slice(0, 2000) });
    });
    return turns.slice(-HISTORY_TURNS);
  }

  // ---- build the UI ----
  var host, root, wrap, launcher, panel, log, input, sendBtn, bigBtn, busy = false;

  function loadBig() {
    try { return window.localStorage.getItem(BIG_KEY) === "1"; } catch (e) { return false; }
  }

  function setBig(on, remember) {
    bigBtn.setAttribute("aria-pressed", on ? "true" : "false");
    wrap.style.setProperty("--fs", String(on ? Math.min(MAX_SCALE, FONT_SCALE * BIG_FACTOR) : FONT_SCALE));
    if (remember) {
      try { window.localStorage.setItem(BIG_KEY, on ? "1" : "0"); } catch (e) { /* blocked: this visit only */ }
    }
    scrollDown();
  }

  function build() {
    host = document.createElement("ipqa-widget");
    ["all:initial", "display:block", "position:fixed", "z-index:2147483647", "top:0", "left:0", "width:0", "height:0",
      "overflow:visible", "visibility:visible", "opacity:1"].forEach(function (d) {
      d = d.split(":");
      host.style.setProperty(d[0], d[1], "important");
    });
    host.setAttribute("data-ipqa", "");
    root = host.attachShadow({ mode: "open" });

    var style = document.createElement("style");
    style.textContent = CSS;
    root.appendChild(style);

    // lang inside the shadow root: the host page may be in another language
    wrap = el("div", { className: "root " + POSITION, lang: "zh-CN" });
    launcher = el("button", {
      className: "launcher", "aria-label": "打开" + TITLE,
      "aria-expanded": "false", "aria-controls": "ipqa-panel", title: TITLE, onclick: function () { open(true); }
    }, [icon(ICON_CHAT)]);

    var titleId = "ipqa-title";
    var closeBtn = el("button", { className: "icon-btn", "aria-label": "关闭", title: "关闭（Esc）", onclick: function () { close(true); } }, [icon(ICON_CLOSE)]);
    var newBtn = el("button", { className: "icon-btn", "aria-label": "清空对话", title: "清空对话", onclick: reset }, [icon(ICON_NEW)]);
    bigBtn = el("button", { className: "big", "aria-pressed": "false", title: "放大文字", text: "大字", onclick: function () {
      setBig(bigBtn.getAttribute("aria-pressed") !== "true", true);
    } });

    var head = el("div", { className: "head" }, [
      el("span", { className: "badge", "aria-hidden": "true" }, [icon(ICON_BOOK)]),
      el("h2", { className: "title", id: titleId, text: TITLE }),
      el("p", { className: "sub", text: SUBTITLE }),
      el("div", { className: "tools" }, [bigBtn, newBtn, closeBtn])
    ]);

    log = el("div", { className: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "对话记录", tabindex: "0" });

    var inputId = "ipqa-input";
    input = el("input", {
      className: "input", id: inputId, type: "text", maxlength: "500", autocomplete: "off",
      enterkeyhint: "send", placeholder: "请输入问题"
    });
    sendBtn = el("button", { className: "send", type: "submit", text: "发送" });
    var form = el("form", { className: "form", novalidate: true }, [
      el("label", { className: "sr-only", "for": inputId, text: "输入您的问题" }),
      input, sendBtn
    ]);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      ask(input.value);
    });

    panel = el("section", {
      className: "panel", id: "ipqa-panel", role: "dialog", "aria-labelledby": titleId, hidden: true
    }, [head, log, form, el("p", { className: "foot", text: "答案摘自收录文件原文，仅供参考" })]);

    wrap.append(launcher, panel);
    root.appendChild(wrap);
    setBig(loadBig(), false);

    root.addEventListener("keydown", function (ev) {
      if (panel.hidden) return;
      if (ev.key === "Escape" || ev.key === "Esc") {
        ev.preventDefault();
        ev.stopPropagation();
        close(true);
      } else if (ev.key === "Tab" && isFullScreen()) {
        trapTab(ev); // full screen on phones: the page behind is covered, keep focus inside
      }
    });

    (document.body || document.documentElement).appendChild(host);

    // A CSP that blocks the <style> does not block a constructed sheet.
    var applied = false;
    try { applied = !!(style.sheet && style.sheet.cssRules.length); } catch (e) { /* blocked */ }
    if (!applied && "adoptedStyleSheets" in root && typeof CSSStyleSheet === "function") {
      try {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        root.adoptedStyleSheets = [sheet];
      } catch (e) { /* very old browser: unstyled but usable */ }
    }
  }

  function isFullScreen() {
    return !!(window.matchMedia && window.matchMedia(FULL_SCREEN).matches);
  }

  function trapTab(ev) {
    var items = Array.prototype.filter.call(
      panel.querySelectorAll("button, input, summary, [tabindex='0']"),
      function (n) { return !n.disabled && n.getClientRects().length; });
    if (!items.length) return;
    var first = items[0], last = items[items.length - 1], cur = root.activeElement;
    if (ev.shiftKey && (cur === first || !panel.contains(cur))) {
      ev.preventDefault();
      last.focus();
    } else if (!ev.shiftKey && (cur === last || !panel.contains(cur))) {
      ev.preventDefault();
      first.focus();
    }
  }

  function open(focus) {
    panel.hidden = false;
    if (isFullScreen()) panel.setAttribute("aria-modal", "true");
    else panel.removeAttribute("aria-modal");
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    scrollDown();
    if (focus) input.focus();
  }

  function close(focus) {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    if (focus) launcher.focus();
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function append(node) {
    log.appendChild(node);
    scrollDown();
    return node;
  }

  // A reply taller than the log opens at its first line, not its last passage.
  function showStart(node) {
    if (node.offsetHeight + 16 <= log.clientHeight) return;
    log.scrollTop += node.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
  }

  function chipList(questions) {
    var box = el("div", { className: "chips" });
    questions.forEach(function (q) {
      if (typeof q !== "string" || !q.trim()) return;
      box.appendChild(el("button", {
        className: "chip", text: q,
        onclick: function () { ask(q); }
      }));
    });
    return box;
  }

  var welcomeChips = null, welcomeText = null;
  function loadStarters() {
    fetch(api + "/suggestions", { mode: "cors", credentials: "omit" }).then(function (res) {
      return res.ok ? res.json() : null;
    }).then(function (data) {
      var list = data && texts(data.suggestions);
      if (!data) return;
      if (texts(data.documents).length) docs = texts(data.documents);
      if (typeof data.table == "string") caption = data.table;
      if (list.length) starters = list.slice(0, 6);
      if (welcomeText) welcomeText.textContent = greeting();
      if (welcomeChips && welcomeChips.parentNode) {
        var fresh = chipList(starters || []);
        welcomeChips.replaceWith(fresh);
        welcomeChips = fresh;
      }
    }).then(null, function () { /* a greeting without titles or starters */ });
  }

  // A few documents by title, more by the first and their number
  function greeting() {
    var about = !docs ? "本站收录的文件" : "《" + docs.slice(0, 3).join("》《") + "》" + (docs.length > 3 ? "等" + docs.length + "份文件" : "");
    return "您好！我可以解答有关" + about + "的问题，答案和数据均摘自文件原文。" + (starters ? "您可以这样问：" : "");
  }

  function welcome() {
    append(el("div", { className: "msg bot" }, [
      welcomeText = el("p", { className: "answer", text: greeting() }),
      welcomeChips = chipList(starters || [])
    ]));
  }

  function renderUser(text) {
    return append(el("div", { className: "msg user", text: text }));
  }

  function indicatorCard(rows) {
    // roles spelled out: some browsers take the narrow layout's CSS display as "not a table"
    function row(cells) { return el("tr", { role: "row" }, cells); }
    function head(text) { return el("th", { scope: "col", role: "columnheader", text: text }); }
    function num(v, cls) { return el("td", { className: "num" + (cls || ""), role: "cell", text: fmtNum(v) }); }
    var tbody = el("tbody", { role: "rowgroup" });
    rows.forEach(function (r) {
      if (!r || typeof r !== "object") return;
      var name = el("th", { scope: "row", role: "rowheader" }, [document.createTextNode(String(r.name || ""))]);
      if (r.unit) name.appendChild(el("span", { className: "unit", text: "单位：" + r.unit }));
      tbody.appendChild(row([name, num(r.value_2020), num(r.target_2025), num(r.increase, " inc")]));
    });
    var table = el("table", { role: "table" }, [
      el("caption", { text: caption }),
      el("thead", { role: "rowgroup" }, [row([head("指标"), head("2020年"), head("2025年"), head("累计增加")])]),
      tbody
    ]);
    return el("div", { className: "card" }, [
      el("div", { className: "scroll", tabindex: "0", role: "region", "aria-label": "指标表" }, [table])
    ]);
  }

  function sources(passages, title, opened) {
    var list = el("ol", { className: "srcs", role: "list" });
    passages.forEach(function (p) {
      if (!p || typeof p !== "object") return;
      var path = arr(p.section).map(String).join(" › ");
      // the reader page at this passage (the API's relative /documents/… URL), in a new tab
      var u = String(p.url || "");
      list.appendChild(el("li", { className: "src" }, [
        /^\/[^\/\\]/.test(u) ? el("a", { className: "path", href: api + u, target: "_blank", rel: "noopener", text: path || "查看原文" })
          : path ? el("span", { className: "path", text: path }) : null,
        el("p", { className: "src-text", text: String(p.text || "") })
      ]));
    });
    return el("details", { open: opened }, [el("summary", { text: title + "（" + passages.length + "）" }), list]);
  }

  // `outcome` per DESIGN.md; servers that predate it send only `found`.
  function outcomeOf(data) {
    if (data && OUTCOMES[data.outcome]) return data.outcome;
    return data && data.found === false ? "none" : "answer";
  }

  // Suggestions are shown once, as chips: dropped from the text where the server wrote them.
  function withoutSuggestions(text, sugg) {
    var t = text;
    sugg.forEach(function (q) { t = t.split(q).join(""); });
    return t === text ? text : t.replace(/[；;、，,\s]+$/, "");
  }

  // Said first when the log announces a reply: a screen reader hears the outcome.
  var LEADS = { answer: "回答：", none: "未找到答案：" };
  var RELATED_HEAD = "文件中没有直接的答案，以下内容可能相关";
  var CURATED_TAG = "工作人员整理的答案";

  function renderBot(data) {
    var outcome = outcomeOf(data);
    var box = el("div", { className: "msg bot " + outcome });
    if (LEADS[outcome]) box.appendChild(el("span", { className: "sr-only", text: LEADS[outcome] }));
    if (outcome === "related") box.appendChild(el("h3", { className: "outcome", text: RELATED_HEAD }));
    if (outcome === "curated") box.appendChild(el("p", { className: "tag", text: CURATED_TAG }));
    var text = String(data.answer || "");
    var sugg = texts(data.suggestions);
    if (outcome === "none") {
      if (!sugg.length) sugg = starters || [];
      var bare = withoutSuggestions(text, sugg);
      var leadsIn = bare !== text; // the text ends on its own "例如：", the chips follow it
      text = bare || "抱歉，收录的文件中没有找到相关内容。";
    }
    box.appendChild(el("p", { className: "answer", text: text }));
    var inds = arr(data.indicators);
    if (inds.length) box.appendChild(indicatorCard(inds));
    var ps = arr(data.passages);
    if (outcome === "related" && ps.length) box.appendChild(sources(ps, "可能相关的原文", true));
    else if (outcome !== "none" && ps.length) box.appendChild(sources(ps, "来源", false));
    if (outcome === "none") {
      if (!leadsIn) box.appendChild(el("p", { className: "hint", text: "您可以试试这些问题：" }));
      box.appendChild(chipList(sugg));
    }
    if (outcome === "clarify" && sugg.length) box.appendChild(chipList(sugg));
    if (/^(related|none)$/.test(outcome)) {
      if (data.guidance && data.guidance.text) box.appendChild(guide(data.guidance));
      if (data.answer_id) box.appendChild(leave(data));
    }
    if (typeof data.answer_id === "string" && data.answer_id) box.appendChild(feedback(data));
    return append(box);
  }

  // ---- 👍/👎: one vote per answer (kept), a comment after 👎 ----
  var FB_THANKS = "谢谢您的反馈。";
  function feedback(data) {
    var qid = "ipqa-fbq-" + data.answer_id;
    var up = el("button", { className: "vote up", "aria-pressed": "false", onclick: function () { vote("up"); } }, [icon(ICON_UP), el("span", { text: "有帮助" })]);
    var down = el("button", { className: "vote down", "aria-pressed": "false", onclick: function () { vote("down"); } }, [icon(ICON_DOWN), el("span", { text: "没帮助" })]);
    var group = el("div", { className: "fb", role: "group", "aria-labelledby": qid }, [el("p", { className: "fb-q", id: qid, text: "这个回答有帮助吗？" }), up, down]);

    function settle(rating) {
      // aria-disabled, not disabled: the chosen button keeps the keyboard focus
      [up, down].forEach(function (b) {
        b.setAttribute("aria-disabled", "true");
        b.setAttribute("aria-pressed", b === (rating === "up" ? up : down) ? "true" : "false");
      });
    }
    function say(text) {
      var old = group.querySelector(".fb-done");
      if (old) old.remove();
      group.appendChild(el("p", { className: "fb-done", text: text }));
      scrollDown();
    }
    function vote(rating) {
      if (data.vote) return;
      data.vote = rating;
      settle(rating);
      post("/feedback", { answer_id: data.answer_id, rating: rating }, function (ok) {
        if (ok !== 204) {
          data.vote = null;
          [up, down].forEach(function (b) { b.removeAttribute("aria-disabled"); b.setAttribute("aria-pressed", "false"); });
          say("评价没有提交成功，请稍后再试。");
          return;
        }
        save();
        if (rating === "down") commentForm(true);
        else say(FB_THANKS);
      });
    }
    function commentForm(focus) {
      var f = field("ipqa-fb-" + data.answer_id, "哪里不对？可以留一句话（可不填）：", 500), box = f[1];
      var form = el("form", { className: "fb-form" }, f.concat(el("button", { className: "fb-send", text: "提交意见" })));
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var text = box.value.trim().slice(0, 500);
        data.commented = true;
        save();
        form.remove();
        if (!text) { say(FB_THANKS); return; }
        post("/feedback", { answer_id: data.answer_id, rating: "down", comment: text }, function (ok) {
          say(ok === 204 ? "已收到您的意见，谢谢。" : "意见没有提交成功，请稍后再试。");
        });
      });
      group.appendChild(form);
      scrollDown();
      if (focus) box.focus();
    }
    if (data.vote) {
      settle(data.vote);
      if (data.vote === "down" && !data.commented) commentForm(false);
      else group.appendChild(el("p", { className: "fb-done", text: FB_THANKS }));
    }
    return group;
  }

  // Under replies without an answer: 办事指引, and 留言 (a contact only once consent is ticked)
  function guide(g) {
    var p = el("p", { className: "guide", text: "办事指引：" + g.text }), t = String(g.phone || "").replace(/[^\d+]/g, "");
    if (t) p.appendChild(el("a", { href: "tel:" + t, text: "电话 " + g.phone }));
    if (/^https?:\/\//i.test(g.url)) p.appendChild(el("a", { href: g.url, target: "_blank", rel: "noopener", text: "办事指南" }));
    return p;
  }

  function field(id, label, max) {
    return [el("label", { for: id, text: label }), el("input", { className: "fb-input", id: id, maxlength: max })];
  }

  function leave(data) {
    var k = data.answer_id, note = el("p", { className: "fb-done", tabindex: "-1" });
    function say(t) { note.textContent = t; return note; }
    function done() { return say("已收到留言（编号 " + data.left + "），工作人员会尽快处理。"); }
    var c = field("ipqa-c" + k, "电话或电子邮箱：", 100), ok = el("input", { type: "checkbox" });
    c[0].hidden = c[1].hidden = true;
    ok.onchange = function () { c[0].hidden = c[1].hidden = !ok.checked; };
    var form = el("form", { className: "fb-form" }, [el("label", { className: "ck" }, [ok, el("span", { text: "留下联系方式，同意工作人员保存并用它答复我" })])].concat(
      c, el("button", { className: "fb-send", text: "提交留言" }), note));
    var start = el("button", { className: "fb-send", text: "把这个问题留给工作人员", onclick: function () { box.replaceChild(form, start); ok.focus(); } });
    var box = el("div", { className: "fb" }, [data.left ? done() : start]);
    form.onsubmit = function (ev) {
      ev.preventDefault();
      var body = { question: data.q, consent: ok.checked, answer_id: k };
      if (ok.checked && c[1].value.trim()) body.contact = c[1].value.trim();
      post("/messages", body, function (s, j) {
        if (s === 201) {
          data.left = j.id;
          save();
          box.replaceChild(done(), form);
        } else say(s === 422 && j.message ? String(j.message).slice(0, 300) : s === 429 ? MSG_RATE : MSG_CONN);
        note.focus();
      });
    };
    return box;
  }

  function post(path, body, then) {
    fetch(api + path, {
      method: "POST", mode: "cors", credentials: "omit", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().then(null, function () { return {}; }).then(function (j) { then(res.status, j || {}); });
    }, function () { then(0, {}); });
  }

  function renderError(message, question, canRetry) {
    // no role=alert: the log region already announces it, once
    var box = el("div", { className: "msg error" });
    box.appendChild(el("span", { text: message }));
    if (canRetry) box.appendChild(el("button", {
      className: "retry", text: "重试",
      onclick: function () {
        if (busy) return;
        box.remove();
        send(question);
      }
    }));
    return append(box);
  }

  function renderAll() {
    log.textContent = "";
    welcome();
    entries.forEach(function (e) {
      if (e.type === "user") renderUser(String(e.text || ""));
      else if (e.type === "bot" && e.data) renderBot(e.data);
    });
  }

  function reset() {
    if (busy) return;
    entries = [];
    save();
    renderAll();
    input.focus();
  }

  function setBusy(b) {
    busy = b;
    sendBtn.disabled = b;
    panel.setAttribute("aria-busy", b ? "true" : "false");
    var chips = root.querySelectorAll(".chip");
    for (var i = 0; i < chips.length; i++) chips[i].disabled = b;
  }

  // ---- talking to the service ----
  function ask(raw) {
    var q = String(raw || "").trim();
    if (!q || busy) return;
    q = q.slice(0, 500);
    if (panel.hidden) open(false);
    input.value = "";
    entries.push({ type: "user", text: q });
    save();
    renderUser(q);
    send(q);
  }

  function send(q) {
    setBusy(true);
    var history = historyTurns();
    var typing = append(el("div", { className: "msg bot typing" }, [
      el("span", { className: "dots", "aria-hidden": "true" }, [el("i"), el("i"), el("i")]),
      el("span", { text: "正在查找…" })
    ]));
    var ctrl = typeof AbortController === "function" ? new AbortController() : null;
    var timer = setTimeout(function () { if (ctrl) ctrl.abort(); }, TIMEOUT_MS);
    var body = { question: q, top_k: 5, channel: "widget" };
    if (history.length) body.history = history;

    function done() {
      clearTimeout(timer);
      typing.remove();
      setBusy(false);
    }

    fetch(api + "/ask", {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body),
      signal: ctrl ? ctrl.signal : undefined
    }).then(function (res) {
      return res.text().then(function (text) {
        if (res.status === 429) throw { msg: MSG_RATE };
        if (res.status === 400 || res.status === 413 || res.status === 422) {
          // validation errors are explained in Chinese ({error, message, message_en})
          var m = null;
          try { m = JSON.parse(text).message; } catch (e) { /* not JSON */ }
          throw { msg: typeof m === "string" && m.trim() ? m.slice(0, 300) : MSG_BAD, final: true };
        }
        if (!res.ok) throw { msg: MSG_CONN };
        var data;
        try { data = parseJSON(text); } catch (e) { throw { msg: MSG_CONN }; }
        if (!data || typeof data !== "object") throw { msg: MSG_CONN };
        return data;
      });
    }).then(function (data) {
      done();
      var slim = {
        answer: String(data.answer || ""),
        found: data.found !== false,
        outcome: outcomeOf(data),
        indicators: arr(data.indicators),
        passages: arr(data.passages),
        suggestions: arr(data.suggestions),
        answer_id: typeof data.answer_id === "string" ? data.answer_id : "",
        guidance: data.guidance || null,
        q: q
      };
      entries.push({ type: "bot", q: q, data: slim });
      save();
      showStart(renderBot(slim));
    }, function (err) {
      done();
      if (!(err && (err.msg || err.name === "AbortError"))) diagnose();
      renderError(err && err.msg ? err.msg : MSG_CONN, q, !(err && err.final));
    });
  }

  // fetch() cannot tell a refused origin from a server down; two GETs of /healthz can:
  // reachable (no-cors) but not readable (cors) means this page's origin is not allowed.
  var corsLogged = false;
  function diagnose() {
    if (corsLogged) return; // said once per page; no more probes
    var url = api + "/healthz";
    fetch(url, { mode: "cors", credentials: "omit" }).then(null, function () {
      return fetch(url, { mode: "no-cors", credentials: "omit" }).then(function () {
        if (corsLogged) return;
        corsLogged = true;
        var origin = location.origin;
        console.error("ipqa widget: the API at " + api + " does not allow this page's origin " + origin +
          " (CORS). Add the origin to IPQA_ALLOWED_ORIGINS on the server, e.g. IPQA_ALLOWED_ORIGINS='[\"" +
          origin + "\"]'.");
      });
    }).then(null, function () { /* the API is unreachable: not a CORS matter */ });
  }

  function init() {
    load();
    build();
    renderAll();
    loadStarters();
    if (START_OPEN) open(false);
  }

  window.IPQAWidget = {
    version: "1.0.0",
    api: api,
    open: function () { if (panel) open(true); },
    close: function () { if (panel) close(false); },
    ask: function (q) { if (panel) ask(q); }
  };

  if (document.body) init();
  else document.addEventListener("DOMContentLoaded", init);
})();
