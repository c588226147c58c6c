// The newsroom calendar (a Telegram Mini App). Plain ES2017, no build step, no dependencies.
//
// Sign-in: Telegram.WebApp.initData when Telegram's script is on the page, else the
// tgWebAppData of the URL fragment Telegram opens Mini Apps with. It goes to the bot in the
// Authorization header of every request ("tma <initData>"), never into a URL, a cookie or
// storage. Times arrive as ISO 8601 in the newsroom's zone, so the wall time and the day are
// read straight off the string: the page never converts zones.
(function () {
  "use strict";

  var state = {
    initData: "",
    session: null,
    data: null,
    view: "day",
    day: "", // YYYY-MM-DD in the newsroom's zone
    channel: "",
    editor: "",
  };
  var S = {}; // the page's texts, in the viewer's language (GET /app/api/session)
  var DAY_MS = 86400000;

  // --- Telegram ------------------------------------------------------------------------------

  function webApp() {
    return window.Telegram && window.Telegram.WebApp ? window.Telegram.WebApp : null;
  }

  function fragment() {
    return new URLSearchParams(window.location.hash.replace(/^#/, ""));
  }

  function readInitData() {
    var tg = webApp();
    if (tg && tg.initData) return tg.initData;
    return fragment().get("tgWebAppData") || "";
  }

  // Telegram's clients listen for these events (core.telegram.org/api/web-events).
  function postEvent(type, data) {
    var payload = JSON.stringify(data || {});
    try {
      if (window.TelegramWebviewProxy) {
        window.TelegramWebviewProxy.postEvent(type, payload);
      } else if (window.external && "notify" in window.external) {
        window.external.notify(JSON.stringify({ eventType: type, eventData: data || {} }));
      } else if (window.parent !== window) {
        window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data || {} }), "*");
      }
    } catch (e) {
      /* not inside Telegram: nothing to tell */
    }
  }

  function applyTheme() {
    var tg = webApp();
    var params = tg ? tg.themeParams : null;
    if (!params) {
      try {
        params = JSON.parse(fragment().get("tgWebAppThemeParams") || "null");
      } catch (e) {
        params = null;
      }
    }
    var root = document.documentElement;
    Object.keys(params || {}).forEach(function (key) {
      var value = String(params[key]);
      if (/^#[0-9a-fA-F]{3,8}$/.test(value)) {
        root.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), value);
      }
    });
    var scheme = tg ? tg.colorScheme : null;
    if (!scheme && params && params.bg_color) scheme = isDark(params.bg_color) ? "dark" : "light";
    if (scheme) root.setAttribute("data-theme", scheme);
  }

  function isDark(hex) {
    var h = hex.replace("#", "");
    if (h.length === 3) h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
    var n = parseInt(h.slice(0, 6), 16);
    return 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255) < 128;
  }

  // --- small helpers ---------------------------------------------------------------------------

  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function fmt(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (m, key) {
      return key in values ? values[key] : m;
    });
  }

  function clock(iso) {
    return iso ? iso.slice(11, 16) : "";
  }

  function dayOf(iso) {
    return iso ? iso.slice(0, 10) : "";
  }

  function addDays(day, n) {
    var p = day.split("-").map(Number);
    return new Date(Date.UTC(p[0], p[1] - 1, p[2]) + n * DAY_MS).toISOString().slice(0, 10);
  }

  function dayLabel(day) {
    var p = day.split("-").map(Number);
    var date = new Date(Date.UTC(p[0], p[1] - 1, p[2]));
    var lang = (state.session && state.session.language) || "en";
    return date.toLocaleDateString(lang, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
  }

  function minutesBetween(fromIso, toIso) {
    return Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 60000));
  }

  function age(minutes) {
    if (minutes < 60) return fmt(S.age_m, { n: minutes });
    if (minutes < 48 * 60) return fmt(S.age_h, { n: Math.floor(minutes / 60) });
    return fmt(S.age_d, { n: Math.floor(minutes / 1440) });
  }

  function statusText(status) {
    return S["st_" + status] || status;
  }

  // "23:00-07:00": whether a wall time HH:MM falls in it (start included, may cross midnight).
  function inQuiet(hhmm, quiet) {
    var m = /^(\d\d):(\d\d)\s*-\s*(\d\d):(\d\d)$/.exec((quiet || "").trim());
    if (!m || !hhmm) return false;
    var start = m[1] + ":" + m[2];
    var end = m[3] + ":" + m[4];
    return start < end ? hhmm >= start && hhmm < end : hhmm >= start || hhmm < end;
  }

  function toast(text, bad) {
    var node = document.getElementById("toast");
    node.textContent = text;
    node.className = bad ? "bad" : "";
    node.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () {
      node.hidden = true;
    }, 4000);
  }

  // --- the bot's API ---------------------------------------------------------------------------

  function api(method, path, body) {
    var init = { method: method, headers: { Authorization: "tma " + state.initData } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch("/app/api" + path, init).then(
      function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (json) {
            return { status: response.status, body: json };
          });
      },
      function () {
        return { status: 0, body: { message: S.err_network || "Network error" } };
      }
    );
  }

  function fatal(message) {
    document.getElementById("calendar").hidden = true;
    document.getElementById("controls").hidden = true;
    var node = document.getElementById("error");
    node.textContent = message;
    node.hidden = false;
  }

  function load() {
    return api("GET", "/queue").then(function (answer) {
      if (answer.status !== 200) {
        fatal(answer.body.message || String(answer.status));
        return;
      }
      state.data = answer.body;
      if (!state.day) state.day = dayOf(answer.body.now);
      render();
    });
  }

  // --- the calendar ----------------------------------------------------------------------------

  function visible(item) {
    if (state.channel && item.channel !== state.channel) return false;
    if (state.editor && String(item.author_id) !== state.editor) return false;
    return true;
  }

  function days() {
    if (state.view === "day") return [state.day];
    var out = [];
    for (var i = 0; i < 7; i++) out.push(addDays(state.day, i));
    return out;
  }

  function badges(item, channel) {
    var out = el("span", { class: "badges" });
    if (item.status !== "scheduled" && !(item.kind === "article" && item.status === "pending")) {
      out.appendChild(el("span", { class: "badge st-" + item.status, text: statusText(item.status) }));
    }
    if (item.breaking) out.appendChild(el("span", { class: "badge breaking", text: S.breaking }));
    if (item.embargo_until) {
      var until = dayOf(item.embargo_until) + " " + clock(item.embargo_until);
      out.appendChild(el("span", { class: "badge embargo", text: fmt(S.embargo, { time: until }) }));
    }
    if (channel && inQuiet(clock(item.due_at), channel.quiet_hours)) {
      out.appendChild(el("span", { class: "badge quiet", title: S.quiet, text: "☾" }));
    }
    return out;
  }

  function itemNode(item, channel) {
    var canDrag = state.session.can_act && ["scheduled", "pending", "held", "failed", "approved", "draft", "rejected"].indexOf(item.status) >= 0;
    var node = el(
      "li",
      {
        class: "item st-" + item.status + (item.breaking ? " is-breaking" : ""),
        "data-article-id": String(item.article_id),
        "data-status": item.status,
        "data-due": item.due_at || "",
        draggable: canDrag ? "true" : null,
        tabindex: "0",
        onclick: function () {
          openSheet(item.article_id);
        },
        onkeydown: function (event) {
          if (event.key === "Enter") openSheet(item.article_id);
        },
        ondragstart: function (event) {
          event.dataTransfer.setData("text/plain", String(item.article_id));
        },
      },
      el("span", { class: "time", text: item.due_at ? clock(item.due_at) : "" }),
      el("span", { class: "title", text: item.title || "#" + item.article_id }),
      badges(item, channel)
    );
    if (item.author) node.appendChild(el("span", { class: "author", text: item.author }));
    return node;
  }

  function slotNode(at, channel) {
    return el(
      "li",
      {
        class: "slot",
        "data-at": at,
        "data-channel": channel.ref,
        ondragover: function (event) {
          event.preventDefault();
          event.currentTarget.classList.add("over");
        },
        ondragleave: function (event) {
          event.currentTarget.classList.remove("over");
        },
        ondrop: function (event) {
          event.preventDefault();
          var id = event.dataTransfer.getData("text/plain");
          if (id) schedule(Number(id), at, channel.ref);
        },
      },
      el("span", { class: "time", text: clock(at) }),
      el("span", { class: "title", text: S.free_slot })
    );
  }

  function dayBlock(day, channel, items) {
    var entries = [];
    items.forEach(function (item) {
      if (item.channel === channel.ref && dayOf(item.due_at) === day) {
        entries.push({ at: item.due_at, node: itemNode(item, channel) });
      }
    });
    if (state.session.can_act) {
      channel.free_slots.forEach(function (at) {
        if (dayOf(at) === day) entries.push({ at: at, node: slotNode(at, channel) });
      });
    }
    var today = state.data && day === dayOf(state.data.now);
    if (today) {
      entries.push({ at: state.data.now, node: el("li", { class: "now", "aria-hidden": "true" }, el("span", { class: "time", text: clock(state.data.now) })) });
    }
    entries.sort(function (a, b) {
      return a.at < b.at ? -1 : a.at > b.at ? 1 : 0;
    });
    var list = el("ol", { class: "entries" });
    entries.forEach(function (entry) {
      list.appendChild(entry.node);
    });
    if (entries.length === (today ? 1 : 0)) list.appendChild(el("li", { class: "empty", text: S.nothing_scheduled }));
    return el(
      "div",
      { class: "day" + (today ? " today" : ""), "data-day": day },
      el("h4", { text: dayLabel(day) }),
      list
    );
  }

  function renderTimeline(items) {
    var root = document.getElementById("timeline");
    root.textContent = "";
    state.data.channels.forEach(function (channel) {
      if (state.channel && state.channel !== channel.ref) return;
      var head = el("h3", { text: channel.title + " " }, el("small", { text: channel.ref }));
      var meta = el("div", { class: "meta" });
      if (channel.quiet_hours) meta.appendChild(el("span", { class: "quiet-band", text: "☾ " + S.quiet + " " + channel.quiet_hours }));
      if (channel.slots.length) meta.appendChild(el("span", { text: S.slots + " " + channel.slots.join(" ") }));
      var column = el("div", { class: "channel view-" + state.view, "data-channel": channel.ref }, head, meta);
      var grid = el("div", { class: "days" });
      days().forEach(function (day) {
        grid.appendChild(dayBlock(day, channel, items));
      });
      column.appendChild(grid);
      root.appendChild(column);
    });
  }

  function renderWaiting(items) {
    var list = document.getElementById("waiting-list");
    list.textContent = "";
    document.getElementById("waiting-title").textContent = S.waiting;
    var waiting = items.filter(function (item) {
      return item.kind === "article";
    });
    waiting.forEach(function (item) {
      var node = itemNode(item, null);
      var since = item.submitted_at;
      if (since && item.status === "pending") {
        node.insertBefore(el("span", { class: "age", text: age(minutesBetween(since, state.data.now)) }), node.firstChild);
      }
      list.appendChild(node);
    });
    if (!waiting.length) list.appendChild(el("li", { class: "empty", text: S.nothing_waiting }));
  }

  function fillSelect(select, first, options, current) {
    select.textContent = "";
    select.appendChild(el("option", { value: "", text: first }));
    options.forEach(function (option) {
      select.appendChild(el("option", { value: option[0], text: option[1], selected: option[0] === current }));
    });
  }

  function render() {
    var data = state.data;
    var items = data.items.filter(visible);
    document.getElementById("view-day").setAttribute("aria-pressed", String(state.view === "day"));
    document.getElementById("view-week").setAttribute("aria-pressed", String(state.view === "week"));
    var shown = days();
    document.getElementById("range").textContent =
      shown.length === 1 ? dayLabel(shown[0]) : dayLabel(shown[0]) + " – " + dayLabel(shown[shown.length - 1]);
    fillSelect(
      document.getElementById("filter-channel"),
      S.all_channels,
      data.channels.map(function (c) {
        return [c.ref, c.title];
      }),
      state.channel
    );
    var editor = document.getElementById("filter-editor");
    fillSelect(
      editor,
      S.all_editors,
      data.editors.map(function (e) {
        return [String(e.id), e.name];
      }),
      state.editor
    );
    editor.hidden = !state.session.can_act;
    renderWaiting(items);
    renderTimeline(items);
    if (state.session.can_act) {
      var slots = data.channels.some(function (c) {
        return c.free_slots.length;
      });
      var notice = document.getElementById("notice");
      notice.textContent = slots ? S.drag_hint : "";
      notice.hidden = !slots;
    }
    document.getElementById("calendar").hidden = false;
    document.body.setAttribute("data-ready", "1");
  }

  // --- one article -----------------------------------------------------------------------------

  function closeSheet() {
    document.getElementById("sheet").hidden = true;
    document.getElementById("sheet-body").textContent = "";
  }

  function previewNode(preview) {
    var box = el("div", { class: "preview", "data-channel": preview.channel }, el("div", { class: "preview-channel", text: preview.channel }));
    preview.messages.forEach(function (message) {
      var bubble = el("div", { class: "bubble kind-" + message.kind });
      if (message.photo_count) {
        var photo = el("div", { class: "photo" });
        if (message.photos.length) photo.appendChild(el("img", { src: message.photos[0], alt: "" }));
        else photo.textContent = "🖼 × " + message.photo_count;
        bubble.appendChild(photo);
      }
      // Rebuilt by the bot from the composer's Telegram HTML through an allow-list
      // (bot/webapp/render.py): only formatting tags and http(s)/tg links survive.
      var text = el("div", { class: "text" });
      text.innerHTML = message.html;
      bubble.appendChild(text);
      message.buttons.forEach(function (button) {
        bubble.appendChild(el("a", { class: "url-button", href: button.url, target: "_blank", rel: "noopener noreferrer", text: button.text }));
      });
      box.appendChild(bubble);
    });
    return box;
  }

  function historyNode(entries) {
    var list = el("ol", { class: "history" });
    entries.forEach(function (entry) {
      var who = entry.by || (entry.actor_id ? "#" + entry.actor_id : "bot");
      var extra = entry.details.reason || entry.details.link || "";
      list.appendChild(
        el("li", {}, el("time", { text: dayOf(entry.at) + " " + clock(entry.at) }), " · ", el("b", { text: entry.action }), " · " + who + (extra ? " — " + extra : ""))
      );
    });
    return list;
  }

  function actionsNode(sheet) {
    var article = sheet.article;
    var box = el("div", { class: "actions" });
    var channelSelect = el("select", { id: "sheet-channel" });
    var current = (sheet.previews[0] && sheet.previews[0].channel) || "";
    sheet.channels.forEach(function (c) {
      channelSelect.appendChild(el("option", { value: c.ref, text: c.ref, selected: c.ref === current }));
    });
    var open = sheet.publications.filter(function (p) {
      return p.status === "scheduled";
    })[0];
    var when = el("input", { id: "sheet-at", type: "datetime-local", value: open ? open.due_at.slice(0, 16) : "" });
    var decidable = ["pending", "approved", "scheduled", "draft", "rejected"].indexOf(article.status) >= 0;
    if (decidable) {
      box.appendChild(
        el(
          "div",
          { class: "row" },
          el("label", {}, S.time_label, when),
          el("label", {}, S.channel_label, channelSelect),
          el("button", {
            type: "button",
            id: "sheet-schedule",
            text: S.schedule,
            onclick: function () {
              if (!when.value) {
                when.focus();
                return;
              }
              schedule(article.article_id, when.value, channelSelect.value);
            },
          })
        )
      );
      box.appendChild(el("button", { type: "button", id: "sheet-approve", text: S.approve, onclick: function () {
        act("/articles/" + article.article_id + "/approve", {});
      } }));
    }
    if (article.status === "pending") {
      var reason = el("input", { id: "sheet-reason", type: "text", maxlength: "1000", placeholder: S.reason });
      box.appendChild(el("div", { class: "row" }, reason, el("button", { type: "button", id: "sheet-reject", class: "danger", text: S.reject, onclick: function () {
        if (!reason.value.trim()) {
          reason.focus();
          return;
        }
        act("/articles/" + article.article_id + "/reject", { reason: reason.value });
      } })));
    }
    if (sheet.publications.some(function (p) { return p.status === "published"; })) {
      box.appendChild(el("button", { type: "button", id: "sheet-unpublish", class: "danger", text: S.unpublish, onclick: function () {
        if (window.confirm(S.confirm_unpublish)) act("/articles/" + article.article_id + "/unpublish", {});
      } }));
    }
    sheet.publications.forEach(function (p) {
      if (p.status !== "held") return;
      var row = el("div", { class: "row held", "data-publication-id": String(p.publication_id) }, el("p", { text: p.channel + ": " + S.held_note }));
      [["sent", S.held_sent], ["resend", S.held_resend], ["cancel", S.held_cancel]].forEach(function (pair) {
        row.appendChild(el("button", { type: "button", class: "held-" + pair[0], text: pair[1], onclick: function () {
          act("/publications/" + p.publication_id + "/held", { decision: pair[0] });
        } }));
      });
      box.appendChild(row);
    });
    return box;
  }

  function openSheet(articleId) {
    api("GET", "/articles/" + articleId).then(function (answer) {
      if (answer.status !== 200) {
        toast(answer.body.message || String(answer.status), true);
        return;
      }
      var sheet = answer.body;
      var article = sheet.article;
      var body = document.getElementById("sheet-body");
      body.textContent = "";
      body.appendChild(el("h2", { id: "sheet-title", text: "#" + article.article_id + " " + (article.title || "") }));
      var line = el("p", { class: "status" }, el("span", { class: "badge st-" + article.status, text: statusText(article.status) }));
      if (article.author) line.appendChild(document.createTextNode(" " + fmt(S.by, { name: article.author })));
      sheet.publications.forEach(function (p) {
        if (p.status === "cancelled") return;
        line.appendChild(el("span", { class: "pub st-" + p.status, text: " · " + p.channel + " " + statusText(p.status) + " " + dayOf(p.due_at) + " " + clock(p.due_at) }));
      });
      body.appendChild(line);
      if (article.reject_reason) body.appendChild(el("p", { class: "reason", text: article.reject_reason }));
      if (sheet.can_act) body.appendChild(actionsNode(sheet));
      body.appendChild(el("h3", { text: S.preview }));
      sheet.previews.forEach(function (preview) {
        body.appendChild(previewNode(preview));
      });
      body.appendChild(el("h3", { text: S.history }));
      body.appendChild(historyNode(sheet.history));
      document.getElementById("sheet").hidden = false;
      document.getElementById("sheet").setAttribute("data-article-id", String(article.article_id));
    });
  }

  function done(answer) {
    if (answer.status === 200) {
      toast(S.saved);
      closeSheet();
    } else {
      toast(answer.body.message || String(answer.status), true);
    }
    return load();
  }

  function act(path, body) {
    return api("POST", path, body).then(done);
  }

  function schedule(articleId, at, channel) {
    return act("/articles/" + articleId + "/schedule", { at: at, channel: channel || undefined });
  }

  // --- start -----------------------------------------------------------------------------------

  function wire() {
    document.getElementById("view-day").addEventListener("click", function () {
      state.view = "day";
      render();
    });
    document.getElementById("view-week").addEventListener("click", function () {
      state.view = "week";
      render();
    });
    document.getElementById("prev").addEventListener("click", function () {
      state.day = addDays(state.day, state.view === "day" ? -1 : -7);
      render();
    });
    document.getElementById("next").addEventListener("click", function () {
      state.day = addDays(state.day, state.view === "day" ? 1 : 7);
      render();
    });
    document.getElementById("today").addEventListener("click", function () {
      state.day = dayOf(state.data.now);
      render();
    });
    document.getElementById("filter-channel").addEventListener("change", function (event) {
      state.channel = event.target.value;
      render();
    });
    document.getElementById("filter-editor").addEventListener("change", function (event) {
      state.editor = event.target.value;
      render();
    });
    document.getElementById("sheet-close").addEventListener("click", closeSheet);
    document.getElementById("sheet").addEventListener("click", function (event) {
      if (event.target.id === "sheet") closeSheet();
    });
  }

  function label() {
    document.title = S.title;
    document.getElementById("title").textContent = S.title;
    document.getElementById("view-day").textContent = S.day;
    document.getElementById("view-week").textContent = S.week;
    document.getElementById("today").textContent = S.today;
    document.getElementById("sheet-close").textContent = S.close;
    document.getElementById("sheet-close").setAttribute("aria-label", S.close);
    document.documentElement.lang = state.session.language;
    var notice = document.getElementById("notice");
    notice.textContent = state.session.can_act ? "" : S.read_only;
    notice.hidden = state.session.can_act;
    document.getElementById("controls").hidden = false;
  }

  // What the chat decides shows here too: reload when the viewer comes back to the app (from
  // the chat, in Telegram) and every half minute while it is open, unless a post is open.
  var REFRESH_MS = 30000;

  function refresh() {
    if (state.session && document.getElementById("sheet").hidden && document.visibilityState !== "hidden") {
      load();
    }
  }

  function start() {
    applyTheme();
    postEvent("web_app_ready");
    postEvent("web_app_expand");
    var tg = webApp();
    if (tg && tg.ready) tg.ready();
    state.initData = readInitData();
    wire();
    api("GET", "/session").then(function (answer) {
      if (answer.status !== 200) {
        fatal(answer.body.message || String(answer.status));
        return;
      }
      state.session = answer.body;
      S = answer.body.strings;
      label();
      load();
      window.addEventListener("focus", refresh);
      document.addEventListener("visibilitychange", refresh);
      setInterval(refresh, REFRESH_MS);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
