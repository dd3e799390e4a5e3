// The grid worker's page: their open orders by due time, and the steps on one (接单, 到场,
// 处理中 with a note and a photo, 办结, 退回). The signed token comes in the link's fragment
// (#/order/<number>?t=<token>), never goes to the server in a URL, and is sent with each API
// call in the X-Grid-Token header. No framework: WeChat's in-app browser on a phone.
"use strict";

(function () {
  const view = document.getElementById("view");
  const statusLine = document.getElementById("status");
  const workerLine = document.getElementById("worker");
  document.getElementById("title").textContent = TEXT.title;
  let token = "";

  function fill(template, vars) {
    return template.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  }
  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") e.textContent = v;
      else e.setAttribute(k, v);
    }
    for (const c of children || []) e.appendChild(c);
    return e;
  }
  function say(text, isError) {
    statusLine.textContent = text || "";
    statusLine.className = isError ? "status error" : "status";
  }
  function dateText(unix) {
    const d = new Date(unix * 1000);
    const p = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " +
      p(d.getHours()) + ":" + p(d.getMinutes());
  }
  function dueLine(o) {
    const line = el("p", { class: "meta", text: o.deadline_at > 0 ?
      fill(TEXT.due, { date: dateText(o.deadline_at) }) : TEXT.no_due });
    if (o.deadline_at > 0 && o.deadline_at * 1000 < Date.now())
      line.appendChild(el("span", { class: "badge", text: TEXT.overdue }));
    return line;
  }

  // The route and the token from the fragment: "#/order/<number>?t=..." or "#/?t=...".
  function route() {
    const hash = location.hash.replace(/^#/, "");
    const q = hash.indexOf("?");
    const path = q < 0 ? hash : hash.slice(0, q);
    if (q >= 0) {
      const t = new URLSearchParams(hash.slice(q + 1)).get("t");
      if (t) {
        token = t;
        try { sessionStorage.setItem("grid_token", t); } catch (e) { /* private mode */ }
      }
    }
    if (!token) {
      try { token = sessionStorage.getItem("grid_token") || ""; } catch (e) { token = ""; }
    }
    const m = path.match(/^\/order\/([A-Za-z0-9-]{1,32})$/);
    return m ? { order: m[1] } : { order: "" };
  }

  async function api(method, path, body) {
    let res;
    try {
      res = await fetch("/grid/api/orders" + path, {
        method: method,
        headers: Object.assign({ "X-Grid-Token": token },
          body ? { "Content-Type": "application/json" } : {}),
        body: body ? JSON.stringify(body) : undefined,
        cache: "no-store",
        credentials: "omit",
      });
    } catch (e) {
      return { ok: false, error: "failed" };
    }
    let data = {};
    try { data = await res.json(); } catch (e) { data = {}; }
    if (!res.ok) return { ok: false, status: res.status, error: data.error || "failed" };
    return { ok: true, data: data };
  }

  function errorText(code) {
    const known = {
      bad_token: TEXT.bad_token, not_a_worker: TEXT.not_a_worker, rate_limited: TEXT.rate_limited,
      not_found: TEXT.not_found, wrong_status: TEXT.wrong_status, needs_text: TEXT.need_text,
      needs_location: TEXT.arrive_place, bad_photo: TEXT.bad_photo,
    };
    return known[code] || TEXT.failed;
  }
  // A refusal of the link itself leaves nothing on the page but the polite error.
  function fatal(code) {
    return code === "bad_token" || code === "not_a_worker" || code === "rate_limited";
  }

  async function showList() {
    say(TEXT.loading);
    const r = await api("GET", "");
    view.replaceChildren();
    if (!r.ok) return say(errorText(r.error), true);
    say("");
    workerLine.textContent = fill(TEXT.worker, { name: r.data.worker });
    const list = el("div", { id: "order-list" });
    if (r.data.orders.length === 0) list.appendChild(el("p", { id: "empty", text: TEXT.empty }));
    for (const o of r.data.orders) {
      const card = el("a", { class: "card", href: "#/order/" + o.number, "data-number": o.number }, [
        el("h2", { text: o.number }),
        el("p", { class: "meta", text: o.status_label + " · " + o.category }),
        dueLine(o),
        el("p", { class: "meta", text: o.summary }),
      ]);
      list.appendChild(card);
    }
    view.appendChild(list);
  }

  function textForm(id, label, submit, onSubmit) {
    const area = el("textarea", { id: id + "-text", maxlength: "500" });
    const form = el("form", { id: id + "-form" }, [
      el("label", { for: id + "-text", text: label }), area,
      el("button", { type: "submit", id: id + "-submit", text: submit })]);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const text = area.value.trim();
      if (!text) return say(TEXT.need_text, true);
      onSubmit(text, form);
    });
    return form;
  }

  // A photo scaled down to at most 1280 px on its longer side, as a JPEG data URL.
  function scaled(file) {
    return new Promise((resolve, reject) => {
      const url = URL.createObjectURL(file);
      const img = new Image();
      img.onload = () => {
        const scale = Math.min(1, 1280 / Math.max(img.width, img.height));
        const canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(img.width * scale));
        canvas.height = Math.max(1, Math.round(img.height * scale));
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        let quality = 0.8;
        let data = canvas.toDataURL("image/jpeg", quality);
        while (data.length > 600000 && quality > 0.3) {
          quality -= 0.2;
          data = canvas.toDataURL("image/jpeg", quality);
        }
        resolve(data);
      };
      img.onerror = () => { URL.revokeObjectURL(url); reject(new Error("bad image")); };
      img.src = url;
    });
  }

  async function step(number, name, body, okText) {
    say(TEXT.sending);
    const r = await api("POST", "/" + encodeURIComponent(number) + "/" + name, body || {});
    if (!r.ok) {
      if (fatal(r.error)) view.replaceChildren();
      say(errorText(r.error), true);
      return false;
    }
    render(r.data);
    say(okText);
    return true;
  }

  function render(data) {
    const o = data.order;
    workerLine.textContent = fill(TEXT.worker, { name: data.worker });
    view.replaceChildren();
    view.appendChild(el("a", { class: "back", href: "#/", text: TEXT.back }));
    const info = el("dl", { class: "card", id: "order" }, [
      el("dt", { text: TEXT.number }), el("dd", { id: "order-number", text: o.number }),
      el("dt", { text: TEXT.state }), el("dd", { id: "order-status", "data-status": o.status,
        text: o.status_label }),
      el("dt", { text: TEXT.category }), el("dd", { text: o.category }),
      el("dt", { text: TEXT.address }), el("dd", { id: "order-address", text: o.address }),
      el("dt", { text: TEXT.description }), el("dd", { id: "order-description", text: o.description }),
    ]);
    if (o.phone) {
      info.appendChild(el("dt", { text: TEXT.phone }));
      info.appendChild(el("dd", { id: "order-phone", text: o.phone }));
    }
    info.appendChild(dueLine(o));
    view.appendChild(info);

    const open = o.status === "assigned" || o.status === "in_progress";
    if (o.status === "assigned" && !o.accepted) {
      const b = el("button", { type: "button", id: "accept", text: TEXT.accept });
      b.addEventListener("click", () => step(o.number, "accept", {}, TEXT.ok_accept));
      view.appendChild(b);
    }
    if (o.status === "assigned") {
      const place = el("input", { type: "text", id: "arrive-place", maxlength: "200" });
      const placeForm = el("form", { id: "arrive-form", hidden: "" }, [
        el("label", { for: "arrive-place", text: TEXT.arrive_place }), place,
        el("button", { type: "submit", id: "arrive-place-submit", text: TEXT.arrive_place_submit })]);
      placeForm.addEventListener("submit", (ev) => {
        ev.preventDefault();
        const text = place.value.trim();
        if (!text) return say(TEXT.need_text, true);
        step(o.number, "arrive", { text: text }, TEXT.ok_arrive);
      });
      const b = el("button", { type: "button", id: "arrive", text: TEXT.arrive });
      const typed = () => { placeForm.hidden = false; say(TEXT.arrive_place); place.focus(); };
      b.addEventListener("click", () => {
        if (!navigator.geolocation) return typed();
        say(TEXT.arrive_locating);
        navigator.geolocation.getCurrentPosition(
          (pos) => step(o.number, "arrive",
            { lat: pos.coords.latitude, lng: pos.coords.longitude }, TEXT.ok_arrive),
          typed, { timeout: 10000, maximumAge: 60000 });
      });
      view.appendChild(b);
      view.appendChild(placeForm);
    }
    if (open) {
      const photo = el("input", { type: "file", id: "progress-photo", accept: "image/*" });
      const form = textForm("progress", TEXT.progress_note, TEXT.progress_submit,
        async (text) => {
          if (!(await step(o.number, "progress", { text: text }, TEXT.ok_progress))) return;
          const file = photo.files && photo.files[0];
          if (!file) return;
          say(TEXT.photo_sending);
          let data;
          try { data = await scaled(file); } catch (e) { return say(TEXT.bad_photo, true); }
          await step(o.number, "photo", { text: data }, TEXT.ok_photo);
        });
      form.insertBefore(el("h2", { text: TEXT.progress }), form.firstChild);
      form.insertBefore(photo, form.lastChild);
      form.insertBefore(el("label", { for: "progress-photo", text: TEXT.progress_photo }), photo);
      view.appendChild(form);
      const done = textForm("done", TEXT.done_result, TEXT.done_submit,
        (text) => step(o.number, "done", { text: text }, TEXT.ok_done));
      done.insertBefore(el("h2", { text: TEXT.done }), done.firstChild);
      view.appendChild(done);
      const back = textForm("return", TEXT.give_back_reason, TEXT.give_back_submit,
        (text) => step(o.number, "return", { text: text }, TEXT.ok_return));
      back.insertBefore(el("h2", { text: TEXT.give_back }), back.firstChild);
      back.lastChild.className = "secondary";
      view.appendChild(back);
    }
    const steps = el("ol", { class: "steps", id: "steps" });
    for (const s of o.steps) {
      const name = TEXT["step_" + s.action] || s.action;
      steps.appendChild(el("li", { text: dateText(s.at) + " " + name + (s.note ? "：" + s.note : "") }));
    }
    view.appendChild(el("h2", { text: TEXT.steps }));
    view.appendChild(steps);
    if (o.photos > 0)
      view.appendChild(el("p", { id: "photos", class: "meta", text: fill(TEXT.photos, { n: o.photos }) }));
  }

  async function showOrder(number) {
    say(TEXT.loading);
    const r = await api("GET", "/" + encodeURIComponent(number));
    view.replaceChildren();
    if (!r.ok) return say(errorText(r.error), true);
    say("");
    render(r.data);
  }

  function go() {
    const r = route();
    if (r.order) showOrder(r.order); else showList();
  }
  window.addEventListener("hashchange", go);
  go();
})();
