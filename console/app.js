// The case workers' console: a small single-page application over the operator API (/api/v1).
// The bearer token lives in sessionStorage (this tab only, gone when it closes); every request
// sends it in the Authorization header. Pages are built with DOM calls and textContent only, so
// no case text can ever become markup. Every control is a native link, button or form control.
"use strict";

(function () {
  const API = "/api/v1";
  const TOKEN_KEY = "minsheng.console.token";
  const PAGE_SIZE = 20;
  const TERMINAL = ["closed", "cancelled", "merged"];
  // What an operator may do in each status (dialog/cases/lifecycle.cpp). "take" is assign to me.
  const ACTIONS = {
    received: ["accept", "take", "cancel"],
    accepted: ["take", "cancel"],
    assigned: ["take", "start", "report_done", "cancel"],
    claimed: ["release", "start", "report_done", "cancel"],
    in_progress: ["report_done", "cancel"],
    done: ["confirm", "close", "reopen"],
    confirmed: ["close", "reopen"],
    closed: ["reopen"],
  };
  const MERGEABLE = ["received", "accepted", "assigned", "claimed", "in_progress", "done", "confirmed"];

  let me = null;           // GET /me of the signed-in operator
  let after_login = null;  // the page asked for before signing in
  let keep_message = false;
  const queue_trail = [];  // before_id of each earlier page of the current queue

  // ---- small helpers ------------------------------------------------------------------------

  function fmt(template, vars) {
    return template.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  }

  // el("p", {class: "x", text: "..."}, child, ...): attributes, then children (nodes or text).
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else if (k === "on") for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
      else if (k === "value") node.value = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function label_of(map, key, fallback) {
    if (key === null || key === undefined || key === "") return fallback === undefined ? "—" : fallback;
    return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : key;
  }

  // "2026-02-27T23:59:59+08:00" → "2026-02-27 23:59" (the API writes China time).
  function when(iso) {
    if (!iso) return "—";
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
    return m ? m[1] + " " + m[2] : iso;
  }

  function is_overdue(c) {
    return !!c.deadline_at && !TERMINAL.includes(c.status) && Date.parse(c.deadline_at) < Date.now();
  }

  function has_chinese(s) {
    return typeof s === "string" && /[\u4e00-\u9fff]/.test(s);
  }

  // ---- messages (one aria-live region) ------------------------------------------------------

  function say(text, kind) {
    // A new paragraph each time, so a repeated message is announced again.
    document.getElementById("message").replaceChildren(
      el("p", { class: kind || "info", "data-kind": kind || "info", text }));
  }

  function clear_message() {
    document.getElementById("message").textContent = "";
  }

  // ---- the API ------------------------------------------------------------------------------

  class api_error extends Error {
    constructor(status, code, message) {
      super(message || code || String(status));
      this.status = status;
      this.code = code || "";
      this.detail = message || "";
    }
  }

  function token() {
    return window.sessionStorage.getItem(TOKEN_KEY);
  }

  // Resolves with the parsed JSON (or text for other types); rejects with an api_error.
  // A 401 signs the operator out, unless `signing_in` (the login form reports it itself).
  async function api(method, path, body, signing_in) {
    const headers = { Authorization: "Bearer " + (token() || "") };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res;
    try {
      res = await fetch(API + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
        credentials: "omit",
      });
    } catch (e) {
      throw new api_error(0, "network", "");
    }
    const type = res.headers.get("Content-Type") || "";
    let data = null;
    try {
      data = type.includes("json") ? await res.json() : await res.text();
    } catch (e) {
      data = null;
    }
    if (res.status === 401 && !signing_in) {
      sign_out(TEXT.session_expired, "error");
    }
    if (!res.ok) {
      const err = data && typeof data === "object" && data.error ? data.error : {};
      throw new api_error(res.status, err.code, err.message);
    }
    return data;
  }

  function error_text(err) {
    let base;
    if (!(err instanceof api_error)) base = TEXT.error_server;
    else if (err.status === 0) base = TEXT.error_network;
    else if (err.status === 401) base = TEXT.session_expired;
    else if (err.status === 403) base = TEXT.error_forbidden;
    else if (err.status === 404) base = TEXT.error_not_found;
    else if (err.status === 409) base = TEXT.error_conflict;
    else if (err.status === 400) base = TEXT.error_bad_request;
    else base = TEXT.error_server;
    // The server's own message when it is written for people (Chinese, from templates/).
    if (err instanceof api_error && has_chinese(err.detail) && err.detail !== base)
      base += fmt(TEXT.error_detail, { detail: err.detail });
    return base;
  }

  function fail(err) {
    if (err instanceof api_error && err.status === 401) return;  // already signed out
    say(error_text(err), "error");
  }

  // ---- page frame ---------------------------------------------------------------------------

  // Replaces the main content with a page: its heading (focused when `focus`), then `content`.
  function set_page(title, content, focus) {
    const main = document.getElementById("main");
    const h2 = el("h2", { id: "page-heading", tabindex: "-1", text: title });
    main.replaceChildren(h2, ...content);
    document.title = title + " - " + TEXT.app_title;
    for (const a of document.querySelectorAll("#nav a")) {
      const here = location.hash.startsWith(a.getAttribute("href"));
      if (here) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    if (focus) h2.focus();
    return main;
  }

  function focus_by_id(id) {
    const node = id && document.getElementById(id);
    if (node) node.focus();
    return !!node;
  }

  function show_identity() {
    const who = document.getElementById("who");
    const nav = document.getElementById("nav");
    const notices = document.getElementById("notices");
    const known = ((me && me.notices) || []).filter((code) => TEXT.notices[code]);
    notices.replaceChildren(...known.map((code) => el("p", { id: "notice-" + code, text: TEXT.notices[code] })));
    notices.hidden = known.length === 0;
    if (!me) {
      who.hidden = true;
      nav.hidden = true;
      return;
    }
    document.getElementById("who-text").textContent = fmt(TEXT.signed_in_as, {
      name: me.name || me.id,
      role: label_of(TEXT.roles, me.role),
    });
    who.hidden = false;
    nav.hidden = false;
    // 主动发现 is for supervisors and admins (the server refuses anyone else).
    document.getElementById("nav-discovery-item").hidden = !(me.role === "supervisor" || me.role === "admin");
  }

  function sign_out(text, kind) {
    window.sessionStorage.removeItem(TOKEN_KEY);
    me = null;
    show_identity();
    history.replaceState(null, "", "#/login");
    render_login(true);
    if (text) say(text, kind);
  }

  // A table inside its own scrolling region (keyboard users scroll it with the arrow keys).
  function table_region(name, id, caption, head, rows) {
    const table = el(
      "table",
      { id },
      el("caption", { text: caption }),
      el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col", class: h.cls, text: h.text })))),
      el("tbody", {}, rows)
    );
    return el("div", { class: "table-wrap", role: "region", "aria-label": fmt(TEXT.table_region, { name }), tabindex: "0" }, table);
  }

  // ---- log-in -------------------------------------------------------------------------------

  function render_login(focus) {
    const input = el("input", {
      id: "token",
      name: "token",
      type: "password",
      autocomplete: "off",
      spellcheck: "false",
      "aria-describedby": "login-intro",
      required: true,
    });
    const form = el(
      "form",
      { id: "login-form", class: "panel", novalidate: true },
      el("p", { id: "login-intro", text: TEXT.login_intro }),
      el("div", { class: "fields" },
        el("div", { class: "field wide" }, el("label", { for: "token", text: TEXT.token_label }), input),
        el("button", { type: "submit", id: "login-button", text: TEXT.login_button }))
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const value = input.value.trim();
      if (!value) {
        say(TEXT.login_empty, "error");
        input.focus();
        return;
      }
      window.sessionStorage.setItem(TOKEN_KEY, value);
      try {
        me = await api("GET", "/me", undefined, true);
      } catch (err) {
        window.sessionStorage.removeItem(TOKEN_KEY);
        me = null;
        say(err.status === 401 ? TEXT.login_failed : error_text(err), "error");
        input.select();
        input.focus();
        return;
      }
      show_identity();
      say(fmt(TEXT.login_ok, { name: me.name || me.id }), "success");
      keep_message = true;
      go(after_login && after_login !== "#/login" ? after_login : "#/queue");
      after_login = null;
    });
    set_page(TEXT.login_heading, [form], false);
    if (focus) input.focus();
  }

  // Navigates to `hash`, rendering even when it is the current one.
  function go(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  }

  // ---- the queue ----------------------------------------------------------------------------

  function hash_params() {
    const q = location.hash.indexOf("?");
    return new URLSearchParams(q < 0 ? "" : location.hash.slice(q + 1));
  }

  function select(id, label, options, value) {
    return el("div", { class: "field" },
      el("label", { for: id, text: label }),
      el("select", { id, name: id },
        options.map(([v, text]) => el("option", { value: v, selected: v === value, text }))));
  }

  function options_of(map) {
    return [["", TEXT.filter_all]].concat(Object.entries(map));
  }

  function queue_filters(p) {
    const community = me.role === "admin" || !(me.communities || []).length
      ? el("div", { class: "field" },
          el("label", { for: "f-community", text: TEXT.filter_community }),
          el("input", { id: "f-community", name: "community", type: "text", value: p.get("community") || "" }))
      : select("f-community", TEXT.filter_community,
          [["", TEXT.filter_all]].concat(me.communities.map((c) => [c, c])), p.get("community") || "");
    const form = el("form", { id: "queue-filters", class: "panel", "aria-labelledby": "filters-legend" },
      el("fieldset", {},
        el("legend", { id: "filters-legend", text: TEXT.filters_legend }),
        el("div", { class: "fields" },
          select("f-status", TEXT.filter_status, options_of(TEXT.status), p.get("status") || ""),
          select("f-kind", TEXT.filter_kind, options_of(TEXT.kind), p.get("kind") || ""),
          el("div", { class: "field" },
            el("label", { for: "f-category", text: TEXT.filter_category }),
            el("input", { id: "f-category", name: "category", type: "text", value: p.get("category") || "" })),
          select("f-channel", TEXT.filter_channel, options_of(TEXT.channel), p.get("channel") || ""),
          community,
          select("f-assignee", TEXT.filter_assignee,
            [["", TEXT.filter_all], ["me", TEXT.assignee_me], ["none", TEXT.assignee_none]], p.get("assignee") || ""),
          el("div", { class: "check" },
            el("input", { id: "f-overdue", name: "overdue", type: "checkbox", checked: p.get("overdue") === "1" }),
            el("label", { for: "f-overdue", text: TEXT.filter_overdue })))),
      el("div", { class: "buttons" },
        el("button", { type: "submit", id: "filter-apply", text: TEXT.filter_apply }),
        el("button", { type: "button", id: "filter-reset", class: "secondary", text: TEXT.filter_reset,
          on: { click: () => { queue_trail.length = 0; go("#/queue"); } } })));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const q = new URLSearchParams();
      const put = (k, id) => { const v = document.getElementById(id).value.trim(); if (v) q.set(k, v); };
      put("status", "f-status");
      put("kind", "f-kind");
      put("category", "f-category");
      put("channel", "f-channel");
      put("community", "f-community");
      put("assignee", "f-assignee");
      if (document.getElementById("f-overdue").checked) q.set("overdue", "1");
      queue_trail.length = 0;
      go("#/queue" + (q.toString() ? "?" + q.toString() : ""));
    });
    return form;
  }

  function can_take(c) {
    return ["received", "accepted", "assigned"].includes(c.status) && c.assignee !== me.id;
  }

  async function take(c, button) {
    button.disabled = true;
    try {
      await api("POST", "/cases/" + c.id + "/actions", { action: "assign", assignee: me.id });
    } catch (err) {
      button.disabled = false;
      fail(err);
      return false;
    }
    say(fmt(TEXT.taken, { number: c.number }), "success");
    return true;
  }

  function status_cell(c) {
    return [label_of(TEXT.status, c.status),
      is_overdue(c) ? [" ", el("span", { class: "badge overdue", text: TEXT.overdue })] : null];
  }

  async function render_queue(focus, focus_id) {
    const p = hash_params();
    const before = p.get("before_id");
    const query = new URLSearchParams();
    for (const k of ["status", "kind", "category", "channel", "community"])
      if (p.get(k)) query.set(k, p.get(k));
    if (p.get("assignee") === "me") query.set("assignee", me.id);
    else if (p.get("assignee") === "none") query.set("assignee", "none");
    if (p.get("overdue") === "1") query.set("overdue", "1");
    query.set("limit", String(PAGE_SIZE));
    if (before) query.set("before_id", before);

    const filters = queue_filters(p);
    const holder = el("div", { id: "queue-body" }, el("p", { class: "muted", text: TEXT.loading }));
    set_page(TEXT.queue_heading, [filters, holder], focus);
    let data;
    try {
      data = await api("GET", "/cases?" + query.toString());
    } catch (err) {
      holder.replaceChildren();
      fail(err);
      return;
    }
    const cases = data.cases || [];
    const rows = cases.map((c) => {
      const link = el("a", { href: "#/case/" + c.id, id: "case-link-" + c.id, text: c.number });
      let action = null;
      if (can_take(c)) {
        action = el("button", { type: "button", class: "take", id: "take-" + c.id,
          "aria-label": fmt(TEXT.take_label, { number: c.number }), text: TEXT.take });
        action.addEventListener("click", async () => {
          if (await take(c, action)) {
            await render_queue(false, "case-link-" + c.id);
          }
        });
      }
      return el("tr", { "data-case-id": String(c.id) },
        el("th", { scope: "row" }, link),
        el("td", { text: label_of(TEXT.kind, c.kind) }),
        el("td", { text: c.category || "—" }),
        el("td", {}, status_cell(c)),
        el("td", { text: c.community || "—" }),
        el("td", { text: label_of(TEXT.channel, c.channel) }),
        el("td", { text: when(c.deadline_at) }),
        el("td", { text: c.assignee || TEXT.assignee_none }),
        el("td", {}, action));
    });
    const page_no = queue_trail.length + 1;
    const pager = el("div", { class: "pager" },
      el("span", { class: "muted", text: fmt(TEXT.page_info, { n: page_no }) }),
      queue_trail.length ? el("button", { type: "button", class: "secondary", id: "page-first", text: TEXT.page_first,
        on: { click: () => { queue_trail.length = 0; go(with_before(null)); } } }) : null,
      queue_trail.length ? el("button", { type: "button", class: "secondary", id: "page-prev", text: TEXT.page_prev,
        on: { click: () => { const prev = queue_trail.pop(); go(with_before(prev)); } } }) : null,
      data.next_before_id ? el("button", { type: "button", class: "secondary", id: "page-next", text: TEXT.page_next,
        on: { click: () => { queue_trail.push(before); go(with_before(data.next_before_id)); } } }) : null);
    holder.replaceChildren(
      cases.length
        ? table_region(TEXT.queue_heading, "queue-table", fmt(TEXT.queue_caption, { n: cases.length }), [
            { text: TEXT.col_number }, { text: TEXT.col_kind }, { text: TEXT.col_category },
            { text: TEXT.col_status }, { text: TEXT.col_community }, { text: TEXT.col_channel },
            { text: TEXT.col_deadline }, { text: TEXT.col_assignee }, { text: TEXT.col_actions }], rows)
        : el("p", { id: "queue-empty", text: TEXT.queue_empty }),
      pager);
    focus_by_id(focus_id);
  }

  // The current queue address with another before_id (null: the first page).
  function with_before(id) {
    const p = hash_params();
    if (id) p.set("before_id", String(id));
    else p.delete("before_id");
    return "#/queue" + (p.toString() ? "?" + p.toString() : "");
  }

  // ---- one case -----------------------------------------------------------------------------

  function facts(c) {
    const F = TEXT.field;
    const row = (key, value) => [el("dt", { text: F[key] }), el("dd", { id: "field-" + key }, value)];
    const deadline = c.deadline_at
      ? [when(c.deadline_at), is_overdue(c) ? [" ", el("span", { class: "badge overdue", id: "overdue-badge", text: TEXT.overdue })] : null]
      : TEXT.due_soon_none;
    return el("dl", { class: "facts" },
      row("status", el("span", { id: "case-status", "data-status": c.status, text: label_of(TEXT.status, c.status) })),
      row("deadline_at", deadline),
      row("kind", label_of(TEXT.kind, c.kind)),
      row("category", c.category || "—"),
      row("urgency", label_of(TEXT.urgency, c.urgency)),
      row("channel", label_of(TEXT.channel, c.channel)),
      row("community", c.community || "—"),
      row("reporter", actor_label(c.reporter)),
      row("description", c.description || "—"),
      row("address", c.address || "—"),
      row("contact_phone", c.contact_phone || "—"),
      row("handling_mode", c.handling_mode_label || c.handling_mode || "—"),
      row("assignee", c.assignee || TEXT.assignee_none),
      c.claimer ? row("claimer", c.claimer) : null,
      row("created_at", when(c.created_at)),
      row("updated_at", when(c.updated_at)),
      c.closed_at ? row("closed_at", when(c.closed_at)) : null,
      c.merged_into ? row("merged_into", el("a", { href: "#/case/" + c.merged_into, text: String(c.merged_into) })) : null,
      (c.merged_cases || []).length ? row("merged_cases", c.merged_cases.join("、")) : null,
      c.rating ? row("rating", fmt(TEXT.rating_value, { n: c.rating })) : null);
  }

  async function act(c, body, name) {
    let result;
    try {
      result = await api("POST", "/cases/" + c.id + "/actions", body);
    } catch (err) {
      fail(err);
      return;
    }
    const after = result && result.case ? result.case : result;
    say(fmt(TEXT.action_done, { action: name, status: label_of(TEXT.status, after && after.status) }), "success");
    await render_case(c.id, "actions-heading");
  }

  function actions_section(c) {
    const section = el("section", { "aria-labelledby": "actions-heading" },
      el("h3", { id: "actions-heading", tabindex: "-1", text: TEXT.actions_heading }));
    const names = ACTIONS[c.status] || [];
    const allowed = names.filter((a) => a !== "take" || can_take(c));
    if (!allowed.length && !MERGEABLE.includes(c.status)) {
      section.append(el("p", { id: "actions-none", text: TEXT.actions_none }));
      return section;
    }
    const note = el("input", { id: "action-note", type: "text", name: "note" });
    section.append(el("div", { class: "field wide" }, el("label", { for: "action-note", text: TEXT.action_note_label }), note));
    const buttons = el("div", { class: "buttons" });
    for (const a of allowed) {
      const name = a === "take" ? TEXT.take : TEXT.action[a];
      const button = el("button", { type: "button", id: "action-" + a, "data-action": a,
        class: a === "cancel" ? "danger" : null, text: name });
      button.addEventListener("click", async () => {
        const body = a === "take" ? { action: "assign", assignee: me.id } : { action: a };
        if (note.value.trim()) body.note = note.value.trim();
        button.disabled = true;
        await act(c, body, name);
        button.disabled = false;
      });
      buttons.append(button);
    }
    section.append(buttons);
    if (MERGEABLE.includes(c.status)) {
      const into = el("input", { id: "merge-into", type: "text", name: "into", autocomplete: "off" });
      const form = el("form", { id: "merge-form" },
        el("div", { class: "fields" },
          el("div", { class: "field" }, el("label", { for: "merge-into", text: TEXT.merge_label }), into),
          el("button", { type: "submit", id: "merge-button", class: "secondary", text: TEXT.merge_button })));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const number = into.value.trim();
        if (!number) {
          say(TEXT.merge_empty, "error");
          into.focus();
          return;
        }
        const body = { action: "merge", into: number };
        if (note.value.trim()) body.note = note.value.trim();
        await act(c, body, TEXT.action.merge);
      });
      section.append(form);
    }
    return section;
  }

  function notes_section(c) {
    const text = el("textarea", { id: "note-text", name: "text", rows: "3", "aria-describedby": "notes-intro" });
    const form = el("form", { id: "note-form" },
      el("p", { id: "notes-intro", class: "muted", text: TEXT.notes_intro }),
      el("div", { class: "field wide" }, el("label", { for: "note-text", text: TEXT.note_label }), text),
      el("div", { class: "buttons" }, el("button", { type: "submit", id: "note-button", text: TEXT.note_button })));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const value = text.value.trim();
      if (!value) {
        say(TEXT.note_empty, "error");
        text.focus();
        return;
      }
      try {
        await api("POST", "/cases/" + c.id + "/notes", { text: value });
      } catch (err) {
        fail(err);
        return;
      }
      say(TEXT.note_added, "success");
      await render_case(c.id, "note-text");
    });
    return el("section", { "aria-labelledby": "notes-heading" },
      el("h3", { id: "notes-heading", text: TEXT.notes_heading }), form);
  }

  function reply_section(c) {
    const chooser = el("select", { id: "canned", name: "canned" }, el("option", { value: "", text: TEXT.canned_choose }));
    const preview = el("p", { id: "canned-preview", class: "muted" });
    const text = el("textarea", { id: "reply-text", name: "text", rows: "3" });
    const replies = new Map();
    chooser.addEventListener("change", () => {
      const r = replies.get(chooser.value);
      preview.textContent = r ? r.text : "";
    });
    api("GET", "/canned").then((data) => {
      const list = (data && data.replies) || [];
      for (const r of list) {
        replies.set(r.key, r);
        chooser.append(el("option", { value: r.key, text: r.title || r.key }));
      }
      if (!list.length) preview.textContent = TEXT.canned_none;
    }, () => { preview.textContent = TEXT.canned_none; });
    const form = el("form", { id: "reply-form" },
      el("p", { class: "muted", text: TEXT.reply_intro }),
      el("div", { class: "field wide" }, el("label", { for: "canned", text: TEXT.canned_label }), chooser),
      preview,
      el("div", { class: "field wide" }, el("label", { for: "reply-text", text: TEXT.reply_text_label }), text),
      el("div", { class: "buttons" }, el("button", { type: "submit", id: "reply-button", text: TEXT.reply_button })));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = text.value.trim() ? { text: text.value.trim() } : chooser.value ? { canned: chooser.value } : null;
      if (!body) {
        say(TEXT.reply_empty, "error");
        chooser.focus();
        return;
      }
      try {
        await api("POST", "/cases/" + c.id + "/reply", body);
      } catch (err) {
        fail(err);
        return;
      }
      say(TEXT.reply_sent, "success");
      await render_case(c.id, "reply-text");
    });
    return el("section", { "aria-labelledby": "reply-heading" },
      el("h3", { id: "reply-heading", text: TEXT.reply_heading }), form);
  }

  function actor_label(actor) {
    if (!actor) return "—";
    if (actor === "system") return TEXT.actor_system;
    const colon = actor.indexOf(":");
    if (colon < 0) return actor;
    const prefix = actor.slice(0, colon), id = actor.slice(colon + 1);
    if (prefix === "operator" || prefix === "worker") return fmt(TEXT.actor_operator, { id });
    return fmt(TEXT.actor_resident, { id: label_of(TEXT.channel, prefix) + " " + id });
  }

  // An event's note; a grid worker's photo (a JPEG or PNG the server checked) as the picture.
  function note_of(e) {
    const note = e.note || "";
    if (e.action === "order_photo" && /^data:image\/(jpeg|png);base64,[A-Za-z0-9+\/=]+$/.test(note))
      return el("img", { class: "photo", src: note, alt: fmt(TEXT.photo_alt, { at: when(e.at) }) });
    return document.createTextNode(note);
  }

  function history_section(c) {
    const events = c.events || [];
    const rows = events.map((e) => el("tr", { "data-action": e.action },
      el("td", { text: when(e.at) }),
      el("td", { text: actor_label(e.actor) }),
      el("td", { text: label_of(TEXT.event, e.action) }),
      el("td", { text: e.to_status ? label_of(TEXT.status, e.from_status) + " → " + label_of(TEXT.status, e.to_status) : "—" }),
      el("td", { class: "text" }, note_of(e))));
    return el("section", { "aria-labelledby": "history-heading" },
      el("h3", { id: "history-heading", text: TEXT.history_heading }),
      events.length
        ? table_region(TEXT.history_heading, "history-table", TEXT.history_caption,
            [{ text: TEXT.col_time }, { text: TEXT.col_actor }, { text: TEXT.col_action }, { text: TEXT.col_change }, { text: TEXT.col_note }], rows)
        : el("p", { text: TEXT.history_empty }));
  }

  // A follower whose report proves another problem: their own case, from what they reported.
  function split_button(c, f, position) {
    if (!f.can_split || c.status === "merged") return null;
    const button = el("button", { type: "button", class: "secondary split-follower", "data-position": String(position),
      "aria-label": fmt(TEXT.split_follower_label, { who: actor_label(f.who) }), text: TEXT.split_follower });
    button.addEventListener("click", async () => {
      button.disabled = true;
      let done;
      try {
        done = await api("POST", "/cases/" + c.id + "/followers/split", { follower: position, joined_at: f.joined_at });
      } catch (err) {
        button.disabled = false;
        fail(err);
        return;
      }
      say(fmt(TEXT.split_follower_done, { number: done.case.number }), "success");
      await render_case(c.id, "followers-heading");
    });
    return button;
  }

  // Who else reported the same problem (masked by the server), and how they came.
  function followers_section(c) {
    const list = c.followers || [];
    const rows = list.map((f, i) => el("tr", { "data-via": f.via, "data-left": f.left_at ? "1" : "0" },
      el("td", { text: actor_label(f.who) }),
      el("td", { text: label_of(TEXT.follower_via, f.via) }),
      el("td", { text: when(f.joined_at) }),
      el("td", { text: f.rating ? fmt(TEXT.rating_value, { n: f.rating }) : TEXT.follower_not_rated }),
      el("td", { text: f.left_at ? when(f.left_at) : TEXT.follower_following }),
      el("td", {}, split_button(c, f, i + 1))));
    return el("section", { "aria-labelledby": "followers-heading", id: "followers" },
      el("h3", { id: "followers-heading", text: TEXT.followers_heading }),
      el("p", { class: "muted", text: TEXT.followers_intro }),
      el("p", { id: "followers-count", "data-n": String(c.residents_following || 1),
        text: fmt(TEXT.residents_following, { n: c.residents_following || 1 }) }),
      list.length
        ? table_region(TEXT.followers_heading, "followers-table", TEXT.followers_caption,
            [{ text: TEXT.col_follower }, { text: TEXT.col_via }, { text: TEXT.col_joined_at },
              { text: TEXT.col_follower_rating }, { text: TEXT.col_left_at }, { text: TEXT.col_actions }], rows)
        : el("p", { id: "followers-empty", text: TEXT.followers_empty }));
  }

  // The open cases the duplicate decision finds like this one, each with one-click 合并 into it.
  function duplicates_section(c) {
    const holder = el("div", { id: "duplicates-list", "aria-live": "polite" }, el("p", { class: "muted", text: TEXT.loading }));
    const section = el("section", { "aria-labelledby": "duplicates-heading", id: "duplicates" },
      el("h3", { id: "duplicates-heading", text: TEXT.duplicates_heading }),
      el("p", { class: "muted", text: TEXT.duplicates_intro }), holder);
    api("GET", "/cases/" + c.id + "/possible-duplicates").then((data) => {
      const list = (data && data.possible_duplicates) || [];
      const rows = list.map((d) => {
        const button = el("button", { type: "button", class: "secondary merge-here", "data-number": d.number,
          "aria-label": fmt(TEXT.merge_into_this_label, { number: d.number }), text: TEXT.merge_into_this });
        button.addEventListener("click", async () => {
          button.disabled = true;
          try {
            await api("POST", "/cases/" + d.id + "/actions", { action: "merge", into: c.id });
          } catch (err) {
            button.disabled = false;
            fail(err);
            return;
          }
          say(fmt(TEXT.merged_here, { number: d.number }), "success");
          await render_case(c.id, "duplicates-heading");
        });
        return el("tr", { "data-number": d.number, "data-verdict": d.verdict },
          el("td", {}, el("a", { href: "#/case/" + d.id, text: d.number })),
          el("td", { text: label_of(TEXT.status, d.status) }),
          el("td", { text: label_of(TEXT.verdict, d.verdict) }),
          el("td", { class: "num", text: Math.round((d.similarity || 0) * 100) + "%" }),
          el("td", { class: "text", text: d.description || "" }),
          el("td", {}, MERGEABLE.includes(d.status) && MERGEABLE.includes(c.status) ? button : null));
      });
      holder.replaceChildren(list.length
        ? table_region(TEXT.duplicates_heading, "duplicates-table", TEXT.duplicates_caption,
            [{ text: TEXT.col_number }, { text: TEXT.col_status }, { text: TEXT.col_verdict },
              { text: TEXT.col_similarity, cls: "num" }, { text: TEXT.col_description }, { text: TEXT.col_actions }], rows)
        : el("p", { id: "duplicates-empty", text: TEXT.duplicates_empty }));
      holder.setAttribute("data-loaded", "1");
    }, (err) => {
      holder.replaceChildren(el("p", { class: "muted", text: fmt(TEXT.duplicates_failed, { reason: error_text(err) }) }));
      holder.setAttribute("data-loaded", "0");
    });
    return section;
  }

  async function render_case(id, focus_id, focus) {
    let c;
    if (!focus_id) set_page(TEXT.loading, [], false);
    try {
      c = await api("GET", "/cases/" + encodeURIComponent(id));
    } catch (err) {
      if (!focus_id) set_page(TEXT.page_not_found, [el("p", {}, el("a", { href: "#/queue", text: TEXT.back_to_queue }))], focus);
      fail(err);
      return;
    }
    set_page(fmt(TEXT.case_heading, { number: c.number }), [
      el("p", {}, el("a", { href: "#/queue", id: "back-to-queue", text: TEXT.back_to_queue })),
      el("section", { "aria-labelledby": "details-heading" },
        el("h3", { id: "details-heading", text: TEXT.case_details }), facts(c)),
      followers_section(c),
      duplicates_section(c),
      actions_section(c),
      notes_section(c),
      reply_section(c),
      history_section(c),
    ], focus && !focus_id);
    document.getElementById("main").setAttribute("data-case-id", String(c.id));
    focus_by_id(focus_id);
  }

  // ---- statistics ---------------------------------------------------------------------------

  function kv_table(name, id, pairs) {
    return table_region(name, id, name, [{ text: TEXT.col_item }, { text: TEXT.col_value, cls: "num" }],
      pairs.map(([k, v]) => el("tr", {}, el("th", { scope: "row", text: k }), el("td", { class: "num", "data-key": k, text: v }))));
  }

  function show(v) {
    return v === null || v === undefined ? TEXT.not_available : String(v);
  }

  function count_table(name, id, items, labels) {
    return table_region(name, id, name, [{ text: TEXT.col_item }, { text: TEXT.col_count, cls: "num" }],
      (items || []).map((it) => el("tr", { "data-key": it.key === null ? "" : String(it.key) },
        el("th", { scope: "row", text: labels ? label_of(labels, it.key, TEXT.none) : it.key || TEXT.none }),
        el("td", { class: "num", text: String(it.count) }))));
  }

  // Keeps only what a picture needs: no scripts, no event handlers, no outside links.
  function clean_svg(text) {
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    const root = doc.documentElement;
    if (!root || root.nodeName.toLowerCase() !== "svg" || doc.getElementsByTagName("parsererror").length) return null;
    for (const bad of Array.from(root.querySelectorAll("script, foreignObject"))) bad.remove();
    for (const node of [root, ...root.querySelectorAll("*")]) {
      for (const attr of Array.from(node.attributes)) {
        const n = attr.name.toLowerCase();
        if (n.startsWith("on")) node.removeAttribute(attr.name);
        if ((n === "href" || n === "xlink:href") && !attr.value.startsWith("#")) node.removeAttribute(attr.name);
      }
    }
    return document.importNode(root, true);
  }

  async function load_picture(figure, path) {
    try {
      const text = await api("GET", path);
      const svg = clean_svg(typeof text === "string" ? text : "");
      if (!svg) throw new api_error(500, "bad_picture", "");
      figure.append(svg);
      figure.setAttribute("data-loaded", "1");
    } catch (err) {
      figure.append(el("p", { class: "muted", text: fmt(TEXT.picture_failed, { reason: error_text(err) }) }));
      figure.setAttribute("data-loaded", "0");
    }
  }

  async function render_stats(focus) {
    const p = hash_params();
    const query = new URLSearchParams();
    for (const k of ["since", "until", "community"]) if (p.get(k)) query.set(k, p.get(k));
    const qs = query.toString() ? "?" + query.toString() : "";
    const field = (id, label, type, value) => el("div", { class: "field" },
      el("label", { for: id, text: label }), el("input", { id, type, name: id, value: value || "" }));
    const form = el("form", { id: "stats-form", class: "panel" },
      el("fieldset", {}, el("legend", { text: TEXT.stats_range_legend }),
        el("div", { class: "fields" },
          field("s-since", TEXT.stats_since, "date", p.get("since")),
          field("s-until", TEXT.stats_until, "date", p.get("until")),
          field("s-community", TEXT.filter_community, "text", p.get("community")),
          el("button", { type: "submit", id: "stats-apply", text: TEXT.stats_apply }))));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const q = new URLSearchParams();
      for (const [k, id] of [["since", "s-since"], ["until", "s-until"], ["community", "s-community"]]) {
        const v = document.getElementById(id).value.trim();
        if (v) q.set(k, v);
      }
      go("#/stats" + (q.toString() ? "?" + q.toString() : ""));
    });
    const holder = el("div", { id: "stats-body" }, el("p", { class: "muted", text: TEXT.loading }));
    set_page(TEXT.stats_heading, [form, holder], focus);
    let s;
    try {
      s = await api("GET", "/stats" + qs);
    } catch (err) {
      holder.replaceChildren();
      fail(err);
      return;
    }
    const T = s.totals || {}, D = s.deadlines || {}, R = s.ratings || {}, V = s.volunteers || {};
    const rate = D.compliance_rate === null || D.compliance_rate === undefined
      ? TEXT.not_available : (D.compliance_rate * 100).toFixed(1) + "%";
    const dist = (R.distribution || {});
    const pictures = [
      ["demand", TEXT.picture_demand, "/stats/demand.svg"],
      ["resources", TEXT.picture_resources, "/stats/resources.svg"],
    ].map(([key, caption, path]) => {
      const fig = el("figure", { id: "picture-" + key }, el("figcaption", { text: caption }));
      load_picture(fig, path + qs);
      return fig;
    });
    holder.replaceChildren(
      el("p", { id: "stats-period", text: fmt(TEXT.stats_period, { since: s.since || "—", until: s.until || "—" }) }),
      el("p", { text: s.communities && s.communities.length
        ? fmt(TEXT.stats_scope, { communities: s.communities.join("、") }) : TEXT.stats_scope_all }),
      el("h3", { text: TEXT.stats_totals }),
      table_region(TEXT.stats_totals_caption, "stats-totals", TEXT.stats_totals_caption,
        [{ text: TEXT.col_item }, { text: TEXT.col_count, cls: "num" }],
        ["cases", "open", "closed", "overdue"].map((k) => el("tr", {},
          el("th", { scope: "row", text: TEXT.totals[k] }),
          el("td", { class: "num", id: "total-" + k, text: show(T[k]) })))),
      el("h3", { text: TEXT.stats_deadlines }),
      kv_table(TEXT.stats_deadlines, "stats-deadlines", [
        ...["with_deadline", "closed_on_time", "closed_late", "open_overdue", "open_on_time"].map((k) => [TEXT.deadlines[k], show(D[k])]),
        [TEXT.deadlines.compliance_rate, rate]]),
      el("h3", { text: TEXT.stats_ratings }),
      kv_table(TEXT.stats_ratings, "stats-ratings", [
        [TEXT.ratings.count, show(R.count)],
        [TEXT.ratings.mean, R.mean === null || R.mean === undefined ? TEXT.not_available : Number(R.mean).toFixed(2)],
        ...["5", "4", "3", "2", "1"].map((n) => [fmt(TEXT.rating_stars, { n }), show(dist[n] || 0)])]),
      el("h3", { text: TEXT.stats_volunteers }),
      kv_table(TEXT.stats_volunteers, "stats-volunteers",
        Object.keys(TEXT.volunteers).map((k) => [TEXT.volunteers[k], show(V[k])])),
      ...[["by_status", TEXT.status], ["by_kind", TEXT.kind], ["by_category", null], ["by_channel", TEXT.channel], ["by_community", null]]
        .flatMap(([k, labels]) => [el("h3", { text: TEXT.by[k] }), count_table(TEXT.by[k], "stats-" + k, s[k], labels)]),
      el("h3", { text: TEXT.stats_demand }),
      table_region(TEXT.stats_demand, "stats-demand", TEXT.stats_demand,
        [{ text: TEXT.filter_community }, { text: TEXT.filter_category }, { text: TEXT.col_count, cls: "num" }],
        (s.demand || []).map((d) => el("tr", {}, el("td", { text: d.community || TEXT.none }),
          el("td", { text: d.category || TEXT.none }), el("td", { class: "num", text: String(d.count) })))),
      el("h3", { text: TEXT.stats_resources }),
      table_region(TEXT.stats_resources, "stats-resources", TEXT.stats_resources,
        [{ text: TEXT.filter_community }, { text: TEXT.col_volunteers, cls: "num" }, { text: TEXT.col_stations, cls: "num" }],
        (s.resources || []).map((r) => el("tr", {}, el("td", { text: r.community || TEXT.none }),
          el("td", { class: "num", text: String(r.volunteers) }), el("td", { class: "num", text: String(r.stations) })))),
      el("h3", { text: TEXT.stats_certificates }),
      (s.certificates || []).length === 0
        ? el("p", { id: "stats-certificates", class: "muted", text: TEXT.stats_certificates_none })
        : table_region(TEXT.stats_certificates, "stats-certificates", TEXT.stats_certificates,
          [{ text: TEXT.col_month }, { text: TEXT.col_certificate }, { text: TEXT.col_answered, cls: "num" },
            { text: TEXT.col_escalated, cls: "num" }, { text: TEXT.col_deflected, cls: "num" }],
          s.certificates.map((c) => el("tr", { "data-item": c.item }, el("td", { text: c.month }),
            el("td", { text: c.name || c.item }), el("td", { class: "num", text: String(c.answered) }),
            el("td", { class: "num", text: String(c.escalated) }),
            el("td", { class: "num", text: String(c.deflected) })))),
      el("h3", { text: TEXT.stats_pictures }),
      ...pictures);
  }

  // ---- volunteer applications: the caller's communities' waiting ones, approved or refused -----

  // Decides one application; true when the server took the decision.
  async function decide(a, verdict, button) {
    button.disabled = true;
    try {
      await api("POST", "/volunteers/" + encodeURIComponent(a.application) + "/" + verdict);
    } catch (err) {
      button.disabled = false;
      fail(err);
      return false;
    }
    say(fmt(verdict === "approve" ? TEXT.approved : TEXT.refused, { application: a.application }), "success");
    return true;
  }

  function decision_buttons(a) {
    const approve = el("button", { type: "button", id: "approve-" + a.application,
      "aria-label": fmt(TEXT.approve_label, { application: a.application }), text: TEXT.approve });
    const refuse = el("button", { type: "button", class: "secondary", id: "refuse-" + a.application,
      "aria-label": fmt(TEXT.refuse_label, { application: a.application }), text: TEXT.refuse });
    approve.addEventListener("click", async () => {
      if (await decide(a, "approve", approve)) await render_volunteers(false);
    });
    refuse.addEventListener("click", async () => {
      // The API takes no reason: the applicant hears the polite refusal from templates/.
      if (!window.confirm(fmt(TEXT.refuse_confirm, { application: a.application }))) return;
      if (await decide(a, "refuse", refuse)) await render_volunteers(false);
    });
    return el("span", { class: "decide" }, approve, " ", refuse);
  }

  async function render_volunteers(focus) {
    const holder = el("div", { id: "volunteers-body" }, el("p", { class: "muted", text: TEXT.loading }));
    set_page(TEXT.volunteers_heading, [el("p", { text: TEXT.volunteers_intro }), holder], focus);
    let data;
    try {
      data = await api("GET", "/volunteers?status=applied");
    } catch (err) {
      holder.replaceChildren();
      fail(err);
      return;
    }
    const apps = data.applications || [];
    const rows = apps.map((a) => el("tr", { "data-application": a.application },
      el("th", { scope: "row", text: a.application }),
      el("td", { text: a.name || TEXT.name_none }),
      el("td", { text: a.community || "—" }),
      el("td", { text: a.skills || "—" }),
      el("td", { text: when(a.applied_at) }),
      el("td", {}, decision_buttons(a))));
    holder.replaceChildren(apps.length
      ? table_region(TEXT.volunteers_heading, "volunteers-table", fmt(TEXT.volunteers_caption, { n: apps.length }), [
          { text: TEXT.col_application }, { text: TEXT.col_name }, { text: TEXT.col_community },
          { text: TEXT.col_skills }, { text: TEXT.col_applied_at }, { text: TEXT.col_actions }], rows)
      : el("p", { id: "volunteers-empty", text: TEXT.volunteers_empty }));
  }

  // ---- my WeChat: a one-time code to send to the official account (绑定工号) -----------------

  function render_wechat(focus) {
    const content = [el("p", { text: TEXT.wechat_intro })];
    if (!me.staff) {
      content.push(el("p", { id: "wechat-status", text: TEXT.wechat_not_staff }));
      set_page(TEXT.wechat_heading, content, focus);
      return;
    }
    content.push(el("p", { id: "wechat-status", text: me.wechat_bound ? TEXT.wechat_bound : TEXT.wechat_not_bound }));
    const result = el("div", { id: "wechat-code" });
    const button = el("button", { type: "button", id: "wechat-make-code", text: TEXT.wechat_make_code });
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const c = await api("POST", "/me/wechat-code");
        result.replaceChildren(
          el("p", { text: TEXT.wechat_code_label }),
          el("p", { class: "send-line", id: "wechat-send", text: c.send }),
          el("p", { class: "muted", text: fmt(TEXT.wechat_code_expires, { expires: when(c.expires_at) }) }));
        say(TEXT.wechat_code_ready, "success");
      } catch (err) {
        fail(err);
      } finally {
        button.disabled = false;
      }
    });
    content.push(el("div", { class: "panel" }, button, result));
    set_page(TEXT.wechat_heading, content, focus);
  }

  // ---- 主动发现: the households of the caller's street worth a visit (docs/discovery.md) --------

  async function download_discovery(button) {
    button.disabled = true;
    try {
      const res = await fetch(API + "/discovery.csv", {
        headers: { Authorization: "Bearer " + (token() || "") },
        cache: "no-store",
        credentials: "omit",
      });
      if (!res.ok) throw new api_error(res.status, "", "");
      const url = URL.createObjectURL(await res.blob());
      const a = el("a", { href: url, download: "discovery.csv", hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      URL.revokeObjectURL(url);
      say(TEXT.discovery_csv_ready, "success");
    } catch (err) {
      fail(err);
    } finally {
      button.disabled = false;
    }
  }

  function visit_form(h) {
    const id = "outcome-" + h.rank;
    const select = el("select", { id, "aria-label": fmt(TEXT.discovery_outcome_label, { household: h.ref }) },
      Object.keys(TEXT.discovery_outcomes).map((k) => el("option", { value: k, text: TEXT.discovery_outcomes[k] })));
    const button = el("button", { type: "button", id: "record-" + h.rank,
      "aria-label": fmt(TEXT.discovery_record_label, { household: h.ref }), text: TEXT.discovery_record });
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await api("POST", "/discovery/visits", { household: h.household, outcome: select.value });
      } catch (err) {
        button.disabled = false;
        fail(err);
        return;
      }
      say(fmt(TEXT.discovery_recorded, { household: h.ref, outcome: TEXT.discovery_outcomes[select.value] }), "success");
      await render_discovery(false);
    });
    return el("span", { class: "decide" }, select, " ", button);
  }

  async function render_discovery(focus) {
    const csv = el("button", { type: "button", class: "secondary", id: "discovery-csv", text: TEXT.discovery_csv });
    csv.addEventListener("click", () => download_discovery(csv));
    const holder = el("div", { id: "discovery-body" }, el("p", { class: "muted", text: TEXT.loading }));
    set_page(TEXT.discovery_heading, [el("p", { text: TEXT.discovery_intro }), el("p", {}, csv), holder], focus);
    let data;
    try {
      data = await api("GET", "/discovery");
    } catch (err) {
      holder.replaceChildren();
      fail(err);
      return;
    }
    const list = data.households || [];
    const month = data.this_month || {};
    const month_note = month.month ? el("p", { id: "discovery-month", text: month.kept
      ? fmt(TEXT.discovery_month_kept, { month: month.month, date: month.computed_on, n: month.households })
      : fmt(TEXT.discovery_month_pending, { month: month.month }) }) : null;
    // How a household moved between last month's list and this month's (both kept by the sweep).
    const moved = (h) => {
      if (h.month_rank === null || h.month_rank === undefined) return "—";
      if (h.last_month_rank === null || h.last_month_rank === undefined) return TEXT.moved_new;
      const d = h.last_month_rank - h.month_rank;
      return d > 0 ? fmt(TEXT.moved_up, { n: d }) : d < 0 ? fmt(TEXT.moved_down, { n: -d }) : TEXT.moved_same;
    };
    const rows = list.map((h) => el("tr", { "data-household": h.ref },
      el("td", { class: "num", text: String(h.rank) }),
      el("th", { scope: "row", text: h.ref + (h.referred ? TEXT.discovery_referred : "") }),
      el("td", { text: h.community || "—" }),
      el("td", { text: h.phone || "—" }),
      el("td", { class: "num", text: String(h.overlap) }),
      el("td", { class: "moved", text: moved(h) }),
      el("td", { class: "why", text: h.why }),
      el("td", {}, visit_form(h))));
    holder.replaceChildren(month_note || "", list.length
      ? table_region(TEXT.discovery_heading, "discovery-table", fmt(TEXT.discovery_caption, { n: list.length }), [
          { text: TEXT.col_rank, cls: "num" }, { text: TEXT.col_household }, { text: TEXT.col_community },
          { text: TEXT.col_phone }, { text: TEXT.col_overlap, cls: "num" }, { text: TEXT.col_moved }, { text: TEXT.col_why },
          { text: TEXT.col_actions }], rows)
      : el("p", { id: "discovery-empty", text: TEXT.discovery_empty }));
  }

  // ---- routing ------------------------------------------------------------------------------

  async function route() {
    const hash = location.hash || "#/queue";
    if (!keep_message) clear_message();
    keep_message = false;
    if (!token()) {
      if (hash !== "#/login") after_login = hash;
      // The focus stays at the top of the document: the first Tab reaches the skip link.
      return render_login(false);
    }
    if (!me) {
      try {
        me = await api("GET", "/me");
      } catch (err) {
        if (!(err instanceof api_error && err.status === 401)) {
          render_login(true);
          fail(err);
        }
        return;
      }
      show_identity();
    }
    const path = hash.split("?")[0];
    const m = /^#\/case\/(\d+)$/.exec(path);
    if (path === "#/login" || path === "#/queue" || path === "#/" || path === "#") {
      if (path !== "#/queue") return go("#/queue");
      return render_queue(true);
    }
    if (m) return render_case(m[1], null, true);
    if (path === "#/volunteers") return render_volunteers(true);
    if (path === "#/stats") return render_stats(true);
    if (path === "#/wechat") return render_wechat(true);
    if (path === "#/discovery") return render_discovery(true);
    set_page(TEXT.page_not_found, [el("p", {}, el("a", { href: "#/queue", text: TEXT.back_to_queue }))], true);
  }

  function start() {
    document.getElementById("logout").addEventListener("click", () => sign_out(TEXT.logged_out, "success"));
    // The skip link moves focus as well as scrolling (the hash is the router's).
    document.getElementById("skip-link").addEventListener("click", (e) => {
      e.preventDefault();
      document.getElementById("main").focus();
    });
    window.addEventListener("hashchange", route);
    route();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
