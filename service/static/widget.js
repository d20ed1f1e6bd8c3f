/*! ipqa widget — 知识产权规划问答. Plain JS, no dependencies, one global (window.IPQAWidget).
 * Embed: <script src="https://HOST/widget.js" data-api="https://HOST" defer></script>
 * Options (data-*): api, title, position ("right" | "left"), open ("true").
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
    return v === null || v === undefined ? fallback : v;
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
  var POSITION = attr("position", "right") === "left" ? "left" : "right";
  var START_OPEN = attr("open", "") === "true";
  var TIMEOUT_MS = 15000;
  var HISTORY_TURNS = 10;
  var MAX_SAVED = 40;
  var STORE_KEY = "ipqa-widget:v1:" + api;

  var MSG_CONN = "服务暂时无法连接，请稍后重试。";
  var MSG_RATE = "请求过于频繁，请稍后再试。";
  var MSG_BAD = "这个问题无法处理，请换一种说法（1–500字）。";
  var STARTERS = [
    "2025年海外发明专利授权量目标是多少？",
    "地理标志怎么保护？",
    "“十四五”时期知识产权发展有哪些主要指标？"
  ];

  var CSS = [
    ":host{all:initial!important;display:block!important;}",
    "*,*::before,*::after{box-sizing:border-box;}",
    ".root{--c:#0b4f9c;--c-dark:#083a73;--c-soft:#eaf1fb;--ink:#1f2933;--muted:#5f6b7a;--line:#dde3ea;--bg:#f6f8fb;",
    "font-family:-apple-system,BlinkMacSystemFont,'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei',sans-serif;",
    "font-size:14px;line-height:1.6;color:var(--ink);font-weight:400;letter-spacing:normal;text-align:left;direction:ltr;}",
    "button,input{font:inherit;color:inherit;margin:0;}",
    "button{cursor:pointer;}",
    ":focus{outline:none;}",
    ":focus-visible{outline:3px solid #f5a623;outline-offset:2px;}",
    ".sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0;}",
    ".launcher{position:fixed;bottom:24px;right:24px;width:60px;height:60px;border-radius:50%;border:0;padding:0;",
    "background:var(--c);color:#fff;display:flex;align-items:center;justify-content:center;",
    "box-shadow:0 6px 20px rgba(11,79,156,.35),0 2px 6px rgba(0,0,0,.15);transition:transform .15s ease,background .15s ease;}",
    ".launcher:hover{background:var(--c-dark);transform:translateY(-2px);}",
    ".launcher svg{width:28px;height:28px;display:block;}",
    ".left .launcher{right:auto;left:24px;}",
    ".launcher[hidden],.panel[hidden]{display:none;}",
    ".panel{position:fixed;bottom:24px;right:24px;width:390px;height:min(640px,calc(100vh - 48px));",
    "display:flex;flex-direction:column;background:#fff;border-radius:14px;overflow:hidden;",
    "box-shadow:0 16px 48px rgba(15,30,60,.28),0 2px 8px rgba(0,0,0,.08);border:1px solid rgba(0,0,0,.06);}",
    ".left .panel{right:auto;left:24px;}",
    ".head{display:flex;align-items:center;gap:10px;padding:14px 12px 14px 16px;background:var(--c);color:#fff;flex:none;}",
    ".badge{width:34px;height:34px;border-radius:50%;background:rgba(255,255,255,.16);display:flex;align-items:center;justify-content:center;flex:none;}",
    ".badge svg{width:20px;height:20px;}",
    ".titles{flex:1;min-width:0;}",
    ".title{margin:0;font-size:16px;font-weight:600;line-height:1.3;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;}",
    ".sub{margin:2px 0 0;font-size:12px;opacity:.85;line-height:1.3;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;}",
    ".icon-btn{width:34px;height:34px;border:0;border-radius:8px;background:transparent;color:#fff;display:flex;align-items:center;justify-content:center;flex:none;}",
    ".icon-btn:hover{background:rgba(255,255,255,.16);}",
    ".icon-btn svg{width:18px;height:18px;}",
    ".log:focus-visible{outline-offset:-3px;}",
    ".log{flex:1;overflow-y:auto;padding:16px 14px 8px;background:var(--bg);display:flex;flex-direction:column;gap:12px;overscroll-behavior:contain;}",
    ".msg{max-width:92%;word-wrap:break-word;overflow-wrap:anywhere;}",
    ".user{align-self:flex-end;background:var(--c);color:#fff;padding:8px 12px;border-radius:14px 14px 4px 14px;white-space:pre-wrap;}",
    ".bot{align-self:flex-start;background:#fff;border:1px solid var(--line);padding:10px 12px;border-radius:14px 14px 14px 4px;width:92%;}",
    ".answer{margin:0;white-space:pre-wrap;}",
    ".notfound .answer{color:var(--muted);}",
    ".card{margin:10px 0 0;border:1px solid var(--line);border-radius:10px;overflow:hidden;}",
    ".card-h{margin:0;padding:6px 10px;background:var(--c-soft);color:var(--c-dark);font-size:12px;font-weight:600;}",
    ".scroll{max-height:220px;overflow:auto;}",
    "table{border-collapse:collapse;width:100%;font-size:12.5px;line-height:1.45;}",
    "th,td{padding:6px 7px;border-top:1px solid var(--line);text-align:right;vertical-align:top;white-space:nowrap;}",
    "th{font-weight:600;color:var(--muted);background:#fafbfc;border-top:0;position:sticky;top:0;}",
    "th:first-child,td:first-child{text-align:left;white-space:normal;min-width:9em;}",
    "td.num{font-variant-numeric:tabular-nums;font-weight:600;color:var(--ink);}",
    "td.inc{color:#0a7a45;}",
    ".unit{display:block;font-size:11px;color:var(--muted);font-weight:400;}",
    "details{margin-top:10px;border-top:1px dashed var(--line);padding-top:8px;}",
    "summary{cursor:pointer;color:var(--c);font-size:12.5px;font-weight:600;border-radius:4px;list-style-position:inside;}",
    "summary:hover{text-decoration:underline;}",
    ".srcs{list-style:none;margin:8px 0 0;padding:0;display:flex;flex-direction:column;gap:8px;}",
    ".src{background:var(--bg);border-radius:8px;padding:8px 10px;font-size:12.5px;}",
    ".path{display:block;color:var(--c-dark);font-size:11.5px;font-weight:600;margin-bottom:3px;}",
    ".src-text{margin:0;white-space:pre-wrap;color:#334155;}",
    ".chips{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px;}",
    ".chip{border:1px solid #b9cde8;background:#fff;color:var(--c-dark);border-radius:16px;padding:5px 11px;font-size:12.5px;line-height:1.35;text-align:left;}",
    ".chip:hover{background:var(--c-soft);border-color:var(--c);}",
    ".chip:disabled{opacity:.55;cursor:default;}",
    ".hint{margin:10px 0 0;font-size:12px;color:var(--muted);}",
    ".typing{color:var(--muted);display:flex;align-items:center;gap:8px;width:auto;}",
    ".dots{display:inline-flex;gap:3px;}",
    ".dots i{width:6px;height:6px;border-radius:50%;background:#9aa8b8;display:block;animation:ipqa-b 1.2s infinite ease-in-out;}",
    ".dots i:nth-child(2){animation-delay:.15s;}.dots i:nth-child(3){animation-delay:.3s;}",
    "@keyframes ipqa-b{0%,80%,100%{opacity:.3;transform:translateY(0);}40%{opacity:1;transform:translateY(-3px);}}",
    ".error{align-self:flex-start;background:#fff5f5;border:1px solid #f3c4c4;color:#9b1c1c;padding:10px 12px;border-radius:12px;display:flex;align-items:center;gap:10px;flex-wrap:wrap;}",
    ".retry{border:1px solid #d64545;background:#fff;color:#b42323;border-radius:6px;padding:3px 12px;font-size:12.5px;}",
    ".retry:hover{background:#fdeaea;}",
    ".form{display:flex;gap:8px;padding:10px 12px;border-top:1px solid var(--line);background:#fff;flex:none;}",
    ".input{flex:1;min-width:0;height:40px;border:1px solid #c9d3df;border-radius:10px;padding:0 12px;background:#fff;font-size:14px;}",
    ".input:focus{border-color:var(--c);box-shadow:0 0 0 3px rgba(11,79,156,.15);}",
    ".input:focus-visible{outline:none;}",
    ".send{height:40px;border:0;border-radius:10px;background:var(--c);color:#fff;padding:0 16px;font-weight:600;flex:none;}",
    ".send:hover{background:var(--c-dark);}",
    ".send:disabled{background:#9db3cf;cursor:default;}",
    ".foot{margin:0;padding:0 12px 8px;font-size:11px;color:#8592a3;background:#fff;text-align:center;flex:none;}",
    "@media (max-width:480px){",
    ".panel,.left .panel{top:0;left:0;right:0;bottom:0;width:100vw;height:100vh;height:100dvh;border-radius:0;border:0;}",
    ".launcher{bottom:16px;right:16px;}.left .launcher{left:16px;}",
    ".input{font-size:16px;}",
    "}",
    "@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important;}}"
  ].join("\n");

  // ---- tiny DOM helpers (text only, never HTML) ----
  function el(tag, props, children) {
    var n = document.createElement(tag);
    if (props) {
      for (var k in props) {
        if (!Object.prototype.hasOwnProperty.call(props, k)) continue;
        var v = props[k];
        if (v === null || v === undefined || v === false) continue;
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
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("aria-hidden", "true");
    s.setAttribute("focusable", "false");
    s.setAttribute("fill", "none");
    s.setAttribute("stroke", "currentColor");
    s.setAttribute("stroke-width", stroke || "2");
    s.setAttribute("stroke-linecap", "round");
    s.setAttribute("stroke-linejoin", "round");
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
  var ICON_BOOK = ["M4 5a2 2 0 0 1 2-2h13v16H6a2 2 0 0 0-2 2z", "M4 21V5", "M9 8h6"];

  function fmtNum(v) {
    if (v === null || v === undefined || v === "") return "—";
    return String(v);
  }

  // Keep numbers exactly as the server wrote them ("13.0" stays "13.0") where the browser
  // supports JSON.parse source access; elsewhere they fall back to ordinary numbers.
  var NUM_KEYS = { value_2020: 1, target_2025: 1, increase: 1 };
  function parseJSON(text) {
    return JSON.parse(text, function (k, v, ctx) {
      if (typeof v === "number" && NUM_KEYS[k] && ctx && typeof ctx.source === "string") return ctx.source;
      return v;
    });
  }

  function arr(v) { return Array.isArray(v) ? v : []; }

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
    // Only completed exchanges count (a question whose answer failed is not history).
    var turns = [];
    entries.forEach(function (e) {
      if (e.type !== "bot" || !e.data) return;
      turns.push({ role: "user", content: String(e.q || "").slice(0, 2000) });
      turns.push({ role: "assistant", content: String(e.data.answer || "").slice(0, 2000) });
    });
    return turns.slice(-HISTORY_TURNS);
  }

  // ---- build the UI ----
  var host, root, wrap, launcher, panel, log, input, sendBtn, busy = false;

  function build() {
    host = document.createElement("ipqa-widget");
    var hs = host.style;
    hs.setProperty("all", "initial", "important");
    hs.setProperty("display", "block", "important");
    hs.setProperty("position", "fixed", "important");
    hs.setProperty("z-index", "2147483647", "important");
    hs.setProperty("top", "0", "important");
    hs.setProperty("left", "0", "important");
    hs.setProperty("width", "0", "important");
    hs.setProperty("height", "0", "important");
    hs.setProperty("overflow", "visible", "important");
    hs.setProperty("visibility", "visible", "important");
    hs.setProperty("opacity", "1", "important");
    host.setAttribute("data-ipqa", "");
    root = host.attachShadow({ mode: "open" });

    var style = document.createElement("style");
    style.textContent = CSS;
    root.appendChild(style);

    wrap = el("div", { className: "root " + POSITION });
    launcher = el("button", {
      className: "launcher", type: "button", "aria-label": "打开知识产权规划问答",
      "aria-expanded": "false", "aria-controls": "ipqa-panel", title: TITLE
    }, [icon(ICON_CHAT)]);
    launcher.addEventListener("click", function () { open(true); });

    var titleId = "ipqa-title";
    var closeBtn = el("button", { className: "icon-btn", type: "button", "aria-label": "关闭", title: "关闭（Esc）" }, [icon(ICON_CLOSE)]);
    closeBtn.addEventListener("click", function () { close(true); });
    var newBtn = el("button", { className: "icon-btn", type: "button", "aria-label": "清空对话", title: "清空对话" }, [icon(ICON_NEW)]);
    newBtn.addEventListener("click", reset);

    var head = el("div", { className: "head" }, [
      el("span", { className: "badge", "aria-hidden": "true" }, [icon(ICON_BOOK)]),
      el("div", { className: "titles" }, [
        el("h2", { className: "title", id: titleId, text: TITLE }),
        el("p", { className: "sub", text: "依据“十四五”国家知识产权规划原文" })
      ]),
      newBtn, closeBtn
    ]);

    log = el("div", { className: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "对话记录", tabindex: "0" });

    var inputId = "ipqa-input";
    input = el("input", {
      className: "input", id: inputId, type: "text", maxlength: "500", autocomplete: "off",
      enterkeyhint: "send", placeholder: "请输入您的问题…"
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
    }, [head, log, form, el("p", { className: "foot", text: "答案摘自规划原文，仅供参考" })]);

    wrap.appendChild(launcher);
    wrap.appendChild(panel);
    root.appendChild(wrap);

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

    // A host page whose CSP forbids inline styles blocks the <style> above; constructed
    // stylesheets are not subject to that rule, so fall back to one.
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
    return !!(window.matchMedia && window.matchMedia("(max-width: 480px)").matches);
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

  function chipList(questions) {
    var box = el("div", { className: "chips" });
    questions.forEach(function (q) {
      if (typeof q !== "string" || !q.trim()) return;
      box.appendChild(el("button", {
        className: "chip", type: "button", text: q,
        onclick: function () { ask(q); }
      }));
    });
    return box;
  }

  function welcome() {
    append(el("div", { className: "msg bot" }, [
      el("p", { className: "answer", text: "您好！我可以解答有关《“十四五”国家知识产权保护和运用规划》的问题，答案和数据均摘自规划原文。您可以这样问：" }),
      chipList(STARTERS)
    ]));
  }

  function renderUser(text) {
    return append(el("div", { className: "msg user", text: text }));
  }

  function indicatorCard(rows) {
    var tbody = el("tbody");
    rows.forEach(function (r) {
      if (!r || typeof r !== "object") return;
      var nameCell = el("td", null, [document.createTextNode(String(r.name || ""))]);
      if (r.unit) nameCell.appendChild(el("span", { className: "unit", text: "单位：" + r.unit }));
      tbody.appendChild(el("tr", null, [
        nameCell,
        el("td", { className: "num", text: fmtNum(r.value_2020) }),
        el("td", { className: "num", text: fmtNum(r.target_2025) }),
        el("td", { className: "num inc", text: fmtNum(r.increase) })
      ]));
    });
    var table = el("table", null, [
      el("caption", { className: "sr-only", text: "相关指标" }),
      el("thead", null, [el("tr", null, [
        el("th", { scope: "col", text: "指标" }),
        el("th", { scope: "col", text: "2020年" }),
        el("th", { scope: "col", text: "2025年" }),
        el("th", { scope: "col", text: "累计增加" })
      ])]),
      tbody
    ]);
    return el("div", { className: "card" }, [
      el("p", { className: "card-h", text: "“十四五”知识产权发展主要指标" }),
      el("div", { className: "scroll", tabindex: "0", role: "region", "aria-label": "指标表" }, [table])
    ]);
  }

  function sources(passages) {
    var list = el("ol", { className: "srcs" });
    passages.forEach(function (p) {
      if (!p || typeof p !== "object") return;
      var path = arr(p.section).map(String).join(" › ");
      list.appendChild(el("li", { className: "src" }, [
        path ? el("span", { className: "path", text: path }) : null,
        el("p", { className: "src-text", text: String(p.text || "") })
      ]));
    });
    return el("details", null, [el("summary", { text: "来源（" + passages.length + "）" }), list]);
  }

  function renderBot(data) {
    var found = data.found !== false;
    var box = el("div", { className: "msg bot" + (found ? "" : " notfound") });
    box.appendChild(el("p", { className: "answer", text: String(data.answer || (found ? "" : "抱歉，规划中没有找到相关内容。")) }));
    var inds = arr(data.indicators);
    if (inds.length) box.appendChild(indicatorCard(inds));
    var ps = arr(data.passages);
    if (found && ps.length) box.appendChild(sources(ps));
    if (!found) {
      var sugg = arr(data.suggestions);
      if (!sugg.length) sugg = STARTERS;
      box.appendChild(el("p", { className: "hint", text: "您可以试试这些问题：" }));
      box.appendChild(chipList(sugg));
    }
    return append(box);
  }

  function renderError(message, question, canRetry) {
    var box = el("div", { className: "msg error", role: "alert" });
    box.appendChild(el("span", { text: message }));
    if (canRetry) box.appendChild(el("button", {
      className: "retry", type: "button", text: "重试",
      onclick: function () {
        if (busy) return;
        if (box.parentNode) box.parentNode.removeChild(box);
        send(question);
      }
    }));
    return append(box);
  }

  function renderAll() {
    while (log.firstChild) log.removeChild(log.firstChild);
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
    if (q.length > 500) q = q.slice(0, 500);
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
    var typing = append(el("div", { className: "msg bot typing", role: "status" }, [
      el("span", { className: "dots", "aria-hidden": "true" }, [el("i"), el("i"), el("i")]),
      el("span", { text: "正在查找…" })
    ]));
    var ctrl = typeof AbortController === "function" ? new AbortController() : null;
    var timer = setTimeout(function () { if (ctrl) ctrl.abort(); }, TIMEOUT_MS);
    var body = { question: q, top_k: 5 };
    if (history.length) body.history = history;

    function done() {
      clearTimeout(timer);
      if (typing.parentNode) typing.parentNode.removeChild(typing);
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
          // the service explains validation errors in Chinese ({error, message, message_en})
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
        indicators: arr(data.indicators),
        passages: arr(data.passages),
        suggestions: arr(data.suggestions)
      };
      entries.push({ type: "bot", q: q, data: slim });
      save();
      renderBot(slim);
    }, function (err) {
      done();
      renderError(err && err.msg ? err.msg : MSG_CONN, q, !(err && err.final));
    });
  }

  function init() {
    load();
    build();
    renderAll();
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
