// Tieline page. Article text is untrusted: every string from the API goes into the page as a
// text node (textContent) or an attribute value; nothing is ever parsed as HTML. The timeline,
// network and charts are drawn by vendored libraries (vis-timeline, Cytoscape.js, Apache
// ECharts, in static/vendor/); they too get DOM elements built here, never HTML strings.
"use strict";

(function () {
  const main = document.getElementById("main");
  const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22"];

  // ------------------------------------------------------------------ DOM helpers
  function el(tag, attrs, ...kids) {
    const n = document.createElement(tag);
    setAttrs(n, attrs);
    append(n, kids);
    return n;
  }
  function setAttrs(n, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") n.setAttribute("class", v);
      else if (k === "text") n.textContent = String(v);
      else if (k.startsWith("on")) n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, String(v));
    }
  }
  function append(n, kids) {
    for (const k of (Array.isArray(kids) ? kids : [kids]).flat(Infinity)) {
      if (k === null || k === undefined || k === false) continue;
      n.appendChild(k instanceof Node ? k : document.createTextNode(String(k)));
    }
  }
  function clear(n) { while (n.firstChild) n.removeChild(n.firstChild); }
  function show(...kids) { clear(main); append(main, kids); }

  function link(href, label, attrs) { return el("a", Object.assign({ href: href }, attrs || {}), label); }
  function entityHref(id) { return "#/entity/" + encodeURIComponent(id); }
  function docHref(id, s, e) {
    let h = "#/doc/" + encodeURIComponent(id);
    if (s !== null && s !== undefined && e !== null && e !== undefined) h += "?s=" + s + "&e=" + e;
    return h;
  }
  function pretty(measure) { return measure.replace(/_/g, " "); }
  function badge(text, cls) { return el("span", { class: "badge " + (cls || "") }, text); }
  function muted(text) { return el("p", { class: "muted" }, text); }
  function fmtNum(v) {
    const a = Math.abs(v);
    if (a >= 1e12) return (v / 1e12).toFixed(2).replace(/\.?0+$/, "") + " tn";
    if (a >= 1e9) return (v / 1e9).toFixed(2).replace(/\.?0+$/, "") + " bn";
    if (a >= 1e6) return (v / 1e6).toFixed(2).replace(/\.?0+$/, "") + " mn";
    return v.toLocaleString("en-US", { maximumFractionDigits: 2 });
  }
  // A text with some [start, end) ranges wrapped in <mark>, all as text nodes.
  function marked(text, ranges) {
    const out = [];
    let at = 0;
    for (const [s, e] of (ranges || []).slice().sort((a, b) => a[0] - b[0])) {
      if (s < at || e <= s) continue;
      out.push(text.slice(at, s), el("mark", null, text.slice(s, e)));
      at = e;
    }
    out.push(text.slice(at));
    return out;
  }
  function safeUrl(u) {
    try {
      const p = new URL(u);
      return p.protocol === "http:" || p.protocol === "https:" ? p.href : null;
    } catch (_) { return null; }
  }

  // ------------------------------------------------------------------ API
  async function api(path, params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (v) q.set(k, v);
    const url = "/api/" + path + (q.toString() ? "?" + q.toString() : "");
    const r = await fetch(url, { headers: { Accept: "application/json" } });
    if (!r.ok) throw new Error(await errorText(r));
    return r.json();
  }
  async function post(path, body) {
    const opts = { method: "POST", headers: { "X-Tieline": "1" } };
    if (body instanceof FormData) opts.body = body;
    else { opts.body = JSON.stringify(body); opts.headers["Content-Type"] = "application/json"; }
    const r = await fetch("/api/" + path, opts);
    if (!r.ok) throw new Error(await errorText(r));
    return r.json();
  }
  async function errorText(r) {
    try {
      const j = await r.json();
      if (typeof j.detail === "string") return j.detail;
      return JSON.stringify(j.detail);
    } catch (_) { return r.status + " " + r.statusText; }
  }

  let summaryCache = null;
  async function summary(fresh) {
    if (!summaryCache || fresh) summaryCache = await api("summary");
    return summaryCache;
  }

  function select(name, label, values, current, onchange) {
    const s = el("select", { name: name, "aria-label": label, onchange: onchange });
    s.appendChild(el("option", { value: "" }, "any " + label));
    for (const v of values) {
      const o = el("option", { value: v }, v);
      if (v === current) o.selected = true;
      s.appendChild(o);
    }
    return el("label", { class: "filter" }, label + " ", s);
  }
  function go(path, params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (v) q.set(k, v);
    location.hash = path + (q.toString() ? "?" + q.toString() : "");
  }

  // ------------------------------------------------------------------ views
  async function home() {
    const s = await summary(true);
    if (!s.documents) {
      return show(el("h1", null, "Welcome to Tieline"),
        el("p", null, "The store is empty. ", link("#/upload", "Upload an article"),
          " or run ", el("code", null, "tieline ingest examples/"), " and reload."));
    }
    const ents = await api("entities", { limit: 12 });
    const docs = await api("documents", { limit: 8 });
    const nEnt = Object.values(s.entities).reduce((a, b) => a + b, 0);
    const nEv = Object.values(s.events).reduce((a, b) => a + b, 0);
    show(
      el("h1", null, "Tieline knowledge base"),
      el("p", { class: "lead" }, "Actors, events and figures of international technological and " +
        "industrial cooperation, each tied to the sentence it came from."),
      el("div", { class: "cards" },
        card(s.documents, "documents", "#/documents"), card(nEnt, "entities", "#/entities"),
        card(nEv, "events", "#/timeline"), card(s.figures, "figures", "#/figures")),
      el("div", { class: "cols" },
        el("section", null, el("h2", null, "Most mentioned actors"),
          el("ul", { class: "plain" }, ents.items.map((e) => el("li", null,
            link(entityHref(e.id), e.name), " ", badge(e.type, "t-" + e.type),
            e.country ? badge(e.country) : null,
            el("span", { class: "muted" }, " " + e.mention_count + " mentions"))))),
        el("section", null, el("h2", null, "Documents"),
          el("ul", { class: "plain" }, docs.items.map((d) => el("li", null,
            link(docHref(d.id), d.title || d.name),
            el("span", { class: "muted" }, " " + (d.published || "undated"))))))));
  }
  function card(n, label, href) {
    return el("a", { class: "card", href: href }, el("strong", null, String(n)), el("span", null, label));
  }

  async function searchView(p) {
    const q = p.get("q") || "";
    const semantic = p.get("semantic") === "1";
    document.getElementById("q").value = q;
    document.getElementById("semantic").checked = semantic;
    if (!q) return show(el("h1", null, "Search"), muted("Type words into the search box above."));
    let res;
    try {
      res = await api("search", { q: q, kind: p.get("kind"), limit: 200, semantic: semantic ? "true" : "" });
    } catch (err) {
      if (!semantic) throw err;
      return show(el("h1", null, "Results for “", q, "” by meaning"),
        el("p", { class: "warn" }, "Search by meaning is not available: " + err.message),
        link("#/search?q=" + encodeURIComponent(q), "Search by words instead"));
    }
    const active = { kind: p.get("kind"), type: p.get("type"), sector: p.get("sector"), year: p.get("year") };
    const hits = res.items.filter((h) =>
      (!active.type || h.type === active.type) && (!active.sector || h.sector === active.sector) &&
      (!active.year || (h.date || "").slice(0, 4) === active.year));
    const facetBox = el("aside", { class: "facets" }, el("h2", null, "Refine"));
    for (const [name, counts] of Object.entries(res.facets)) {
      const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
      if (!entries.length) continue;
      facetBox.appendChild(el("h3", null, name));
      facetBox.appendChild(el("ul", { class: "plain facet", "data-facet": name }, entries.map(([v, n]) => {
        const params = Object.fromEntries(p.entries());
        const on = active[name] === v;
        params[name] = on ? "" : v;
        return el("li", null, el("a", { href: "#", class: on ? "on" : "", onclick: (ev) => {
          ev.preventDefault(); go("/search", params);
        } }, v), el("span", { class: "muted" }, " " + n));
      })));
    }
    const list = el("ol", { class: "hits" }, hits.map(hitItem));
    show(el("h1", null, "Results for “", q, "”", semantic ? " by meaning" : ""),
      el("p", { class: "muted" }, res.total + " hits" + (hits.length !== res.items.length ? ", " + hits.length + " shown" : "")),
      el("div", { class: "with-side" }, el("div", null, hits.length ? list : muted("Nothing found.")), facetBox));
  }
  function hitItem(h) {
    let href;
    if (h.kind === "entity") href = entityHref(h.id);
    else href = docHref(h.doc_id, h.start, h.end);
    return el("li", { class: "hit" },
      el("div", null, badge(h.kind, "k-" + h.kind), h.type ? badge(h.type) : null,
        h.sector ? badge(h.sector, "sector") : null, " ", link(href, h.title || h.id, { class: "hit-title" }),
        el("span", { class: "muted" }, " " + (h.date || ""))),
      el("p", { class: "snippet" }, marked(h.snippet, h.highlights)));
  }


  // ------------------------------------------------------------------ sources
  // Outlet, date and title of each document, asked for once per document and kept.
  const sourceCache = new Map();
  async function sourcesOf(docIds) {
    const want = Array.from(new Set(docIds.filter((d) => d && !sourceCache.has(d))));
    for (let i = 0; i < want.length; i += 100) {
      const q = new URLSearchParams();
      for (const d of want.slice(i, i + 100)) q.append("doc", d);
      const r = await fetch("/api/sources?" + q.toString(), { headers: { Accept: "application/json" } });
      if (!r.ok) throw new Error(await errorText(r));
      const got = await r.json();
      for (const d of want.slice(i, i + 100)) sourceCache.set(d, got[d] || { doc_id: d });
    }
    return sourceCache;
  }
  function sourceText(docId, fallbackTitle, fallbackDate) {
    const s = sourceCache.get(docId) || {};
    return [s.outlet || "", s.published || fallbackDate || "", s.title || fallbackTitle || ""].filter(Boolean).join(" · ");
  }
  function sourceCell(docId, start, end, fallbackTitle, fallbackDate) {
    const s = sourceCache.get(docId) || {};
    return el("span", { class: "source" },
      s.outlet ? el("span", { class: "outlet" }, s.outlet) : null,
      el("span", { class: "muted" }, " " + (s.published || fallbackDate || "undated") + " "),
      link(docHref(docId, start, end), s.title || fallbackTitle || docId, { class: "source-title" }));
  }

  // ------------------------------------------------------------------ tables
  // A table of rows with sortable columns and CSV / JSON downloads of the rows as shown.
  // cols: { key, label, value(row) -> text for sorting and export, cell(row) -> node, num }
  function dataTable(name, cols, rows, opts) {
    opts = opts || {};
    let shown = rows.slice();
    let sortKey = null, dir = 1;
    const tbody = el("tbody");
    function sortBy(c, direction) {
      dir = direction;
      sortKey = c.key;
      const val = (r) => c.num ? Number(c.value(r)) : String(c.value(r) || "").toLowerCase();
      shown = rows.slice().sort((a, b) => {
        const x = val(a), y = val(b);
        return (x < y ? -1 : x > y ? 1 : 0) * dir;
      });
      heads.forEach((h, i) => {
        if (cols[i].key === c.key) h.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
        else h.removeAttribute("aria-sort");
      });
      sorter.value = c.key + ":" + dir;
      render();
    }
    const heads = cols.map((c) => el("th", { scope: "col", "data-key": c.key, class: c.num ? "num" : null },
      el("button", { type: "button", class: "sort", onclick: () => sortBy(c, sortKey === c.key ? -dir : 1) }, c.label)));
    // Phones show rows as cards without the header row: a menu sorts them instead.
    const sorter = el("select", { class: "sort-select", "aria-label": "sort by", onchange: (ev) => {
      const [key, d] = ev.target.value.split(":");
      const c = cols.find((x) => x.key === key);
      if (c) sortBy(c, parseInt(d, 10));
    } }, el("option", { value: "" }, "sort by…"),
    cols.flatMap((c) => [el("option", { value: c.key + ":1" }, c.label + " ↑"), el("option", { value: c.key + ":-1" }, c.label + " ↓")]));
    function render() {
      clear(tbody);
      for (const r of shown) {
        tbody.appendChild(el("tr", null, cols.map((c) => el("td", { "data-label": c.label, class: c.num ? "num" : c.cls || null },
          c.cell ? c.cell(r) : String(c.value(r) === null || c.value(r) === undefined ? "" : c.value(r))))));
      }
    }
    render();
    function records() {
      return shown.map((r) => Object.fromEntries(cols.map((c) => {
        const v = c.value(r);
        return [c.key, v === undefined ? null : v];
      })));
    }
    const tools = el("div", { class: "table-tools" },
      el("span", { class: "muted" }, opts.caption || rows.length + " rows"), sorter,
      el("button", { type: "button", class: "download", "data-format": "csv", onclick: () =>
        download(name + ".csv", "text/csv", toCsv(cols, records())) }, "CSV"),
      el("button", { type: "button", class: "download", "data-format": "json", onclick: () =>
        download(name + ".json", "application/json", JSON.stringify(records(), null, 2)) }, "JSON"));
    return el("div", { class: "table-block", "data-table": name }, tools,
      el("div", { class: "table-wrap" }, el("table", { class: "data " + name }, el("thead", null, el("tr", null, heads)), tbody)));
  }
  function toCsv(cols, recs) {
    // A cell that starts with = + - @ is read as a formula by spreadsheets: quote it as text.
    const cell = (v) => {
      let s = v === null || v === undefined ? "" : String(v);
      if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
      return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    };
    return [cols.map((c) => cell(c.key)).join(",")].concat(recs.map((r) => cols.map((c) => cell(r[c.key])).join(","))).join("\r\n") + "\r\n";
  }
  function download(filename, type, text) {
    const url = URL.createObjectURL(new Blob([text], { type: type + ";charset=utf-8" }));
    const a = el("a", { href: url, download: filename, class: "hidden" });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  }

  function who(ev) {
    return ev.participants.map((p) => p.name + " (" + p.role + ")").join(", ");
  }
  function eventTable(events, name) {
    return dataTable(name || "events", [
      { key: "date", label: "Date", value: (ev) => ev.date || ev.when || ev.published || "", cls: "nowrap",
        cell: (ev) => ev.date || (ev.when ? ev.when + " (published)" : "undated") },
      { key: "type", label: "Type", value: (ev) => ev.type,
        cell: (ev) => [badge(ev.type, "e-" + ev.type), ev.status === "planned" ? badge("planned", "planned") : null] },
      { key: "participants", label: "Who", value: who,
        cell: (ev) => ev.participants.map((p, i) => [i ? ", " : "",
          p.entity_id ? link(entityHref(p.entity_id), p.name) : p.name, el("span", { class: "muted" }, " (" + p.role + ")")]) },
      { key: "evidence", label: "Evidence", value: (ev) => ev.evidence,
        cell: (ev) => link(docHref(ev.doc_id, ev.sentence_start, ev.sentence_end), ev.evidence, { class: "evidence" }) },
      { key: "source", label: "Source", value: (ev) => sourceText(ev.doc_id, ev.doc_title, ev.published),
        cell: (ev) => sourceCell(ev.doc_id, ev.sentence_start, ev.sentence_end, ev.doc_title, ev.published) },
      { key: "sector", label: "Sector", value: (ev) => ev.sector || "" },
      { key: "sources", label: "Sources", num: true, value: (ev) => ev.sources || 1 },
      { key: "confidence", label: "Confidence", num: true, value: (ev) => Math.round((ev.confidence || 0) * 100) / 100 },
    ], events);
  }
  function figureTable(figs, name) {
    return dataTable(name || "figures", [
      { key: "measure", label: "Measure", value: (f) => f.measure || "" },
      { key: "status", label: "Status", value: (f) => f.status, cell: (f) => badge(f.status, "s-" + f.status) },
      { key: "value", label: "Value", num: true, value: (f) => f.value, cell: (f) => fmtNum(f.value) + " " + (f.currency || f.unit) },
      { key: "unit", label: "Unit", value: (f) => f.currency || f.unit },
      { key: "period", label: "Period", value: (f) => f.period || "" },
      { key: "countries", label: "Pair", value: (f) => (f.countries || []).join("-") },
      { key: "evidence", label: "Evidence", value: (f) => f.evidence,
        cell: (f) => link(docHref(f.doc_id, f.start, f.end), f.evidence, { class: "evidence" }) },
      { key: "source", label: "Source", value: (f) => sourceText(f.doc_id, f.doc_title, f.published),
        cell: (f) => sourceCell(f.doc_id, f.start, f.end, f.doc_title, f.published) },
    ], figs);
  }

  // ------------------------------------------------------------------ entity
  async function entityView(id, p) {
    // One page of events and one of mentions; the pagers walk the rest.
    const at = (k) => String(parseInt((p && p.get(k)) || "0", 10) || 0);
    const f = { offset: at("offset"), mentions_offset: at("mentions_offset") };
    const e = await api("entities/" + encodeURIComponent(id), f);
    const s = await summary();
    await sourcesOf(e.events.map((x) => x.doc_id).concat(e.mentions.map((m) => m.doc_id)));
    const head = el("div", { class: "entity-head" },
      el("h1", null, e.name),
      el("p", null, badge(e.type, "t-" + e.type), e.country ? badge(e.country) : null,
        e.role ? badge(e.role, "role") : null,
        el("span", { class: "muted" }, " " + e.mention_count + " mentions in " + e.doc_count +
          " documents" + (e.first_seen ? ", " + e.first_seen + " to " + (e.last_seen || "") : ""))),
      el("dl", { class: "facts" },
        el("dt", null, "Aliases"), el("dd", { class: "aliases" }, e.aliases.length ? e.aliases.join(" · ") : "none"),
        el("dt", null, "Role"), el("dd", null, e.role || "unknown"),
        el("dt", null, "Country"), el("dd", null, e.country || "unknown"),
        e.affiliation ? [el("dt", null, "Affiliation"), el("dd", null, e.affiliation)] : null));
    const here = "/entity/" + encodeURIComponent(e.id);
    const evPage = { offset: e.event_offset, limit: e.event_limit, total: e.event_total };
    const evs = el("section", null, el("h2", null, "Events (" + e.event_total + ")"),
      e.event_total > e.events.length ? muted(rangeNote("Events", evPage)) : null,
      e.events.length ? eventTable(e.events, "entity-events") : muted("No events name this actor yet."),
      pager(here, f, evPage, "offset"));
    // A facility's or product's stages in order, each with the report that first gives it.
    const life = (e.lifecycle || []).length ? el("section", { class: "lifecycle" }, el("h2", null, "Lifecycle"),
      el("ol", null, e.lifecycle.map((st) => el("li", null,
        el("strong", null, st.stage), " · " + (st.date || "undated") + (!st.date ? "" : st.dated_by === "published" ? " (reported)" : st.dated_by === "cluster" ? " (dated by another report)" : "") +
        (st.status !== "done" ? " · " + st.status : "") + " — ",
        sourceCell(st.doc_id, st.start, st.end, st.doc_title, st.published))))) : null;
    const ms = el("section", { class: "mentions" }, el("h2", null, "Mentions (" + e.mention_total + ")"),
      dataTable("mentions", [
        { key: "quote", label: "Quote", value: (m) => m.quote,
          cell: (m) => el("blockquote", null, marked(m.quote, [[m.start - m.quote_start, m.end - m.quote_start]])) },
        { key: "text", label: "As written", value: (m) => m.text,
          cell: (m) => link(docHref(m.doc_id, m.start, m.end), m.text, { class: "quote-link" }) },
        { key: "source", label: "Source", value: (m) => sourceText(m.doc_id, m.doc_title, m.published),
          cell: (m) => sourceCell(m.doc_id, m.start, m.end, m.doc_title, m.published) },
      ], e.mentions),
      pager(here, f, { offset: e.mention_offset, limit: e.mention_limit, total: e.mention_total }, "mentions_offset"));
    show(head, el("div", { class: "with-side" }, el("div", null, life, evs, ms), curator(e, s)));
  }
  // The entity page is drawn anew after a change; the message goes to the new page's box.
  function setStatus(text) {
    const box = document.querySelector(".curator [role=status]");
    if (box) box.textContent = text;
  }
  function curator(e, s) {
    const status = el("p", { class: "muted", role: "status" });
    const other = el("input", { name: "other", list: "entity-list", maxlength: 300, placeholder: "entity id or name", required: true });
    const dl = el("datalist", { id: "entity-list" });
    other.addEventListener("input", async () => {
      if (other.value.length < 2) return;
      const r = await api("entities", { q: other.value, limit: 10 });
      clear(dl);
      for (const x of r.items) if (x.id !== e.id) dl.appendChild(el("option", { value: x.id }, x.name + " (" + x.type + ")"));
    });
    const merge = el("form", { class: "curate", onsubmit: async (ev) => {
      ev.preventDefault();
      status.textContent = "Merging…";
      try {
        const r = await post("curate/merge", { a: e.id, b: other.value.trim() });
        summaryCache = null;
        const next = entityHref(r.entity_id || e.id);
        if (location.hash === next) await route(); else location.hash = next;
        setStatus("Merged; " + r.entities + " entities now.");
      } catch (err) { status.textContent = "Not merged: " + err.message; }
    } }, el("h3", null, "Merge another entity into this one"), other, dl, el("button", { type: "submit" }, "Merge"));
    const alias = el("select", { name: "alias", "aria-label": "alias" }, e.aliases.map((a) => el("option", { value: a }, a)));
    const split = el("form", { class: "curate", onsubmit: async (ev) => {
      ev.preventDefault();
      status.textContent = "Splitting…";
      try {
        const r = await post("curate/split", { entity_id: e.id, alias: alias.value });
        summaryCache = null;
        await route();
        setStatus("Split; " + r.entities + " entities now.");
      } catch (err) { status.textContent = "Not split: " + err.message; }
    } }, el("h3", null, "Split an alias off"),
    e.aliases.length ? [alias, el("button", { type: "submit" }, "Split")] : muted("No aliases to split."));
    void s;
    return el("aside", { class: "curator" }, el("h2", null, "Curate"),
      muted("Judgements are stored and survive re-ingest."), merge, split, status);
  }

  async function docView(id, p) {
    const d = await api("documents/" + encodeURIComponent(id));
    await sourcesOf([d.id]);
    const s = parseInt(p.get("s"), 10), e = parseInt(p.get("e"), 10);
    const target = Number.isFinite(s) && Number.isFinite(e) && e > s ? [s, e] : null;
    const url = d.url ? safeUrl(d.url) : null;
    const body = el("div", { class: "doctext", id: "doctext" }, annotate(d, target));
    show(
      el("h1", null, d.title || d.name),
      el("p", { class: "muted" }, [d.published || "undated", d.source, d.author].filter(Boolean).join(" · "),
        url ? [" · ", el("a", { href: url, rel: "noopener noreferrer nofollow", target: "_blank" }, "original")] : null),
      el("p", { class: "legend" }, "Highlighted: ", el("span", { class: "ann mention" }, "names"), " ",
        el("span", { class: "ann trigger" }, "event words"), " ", el("span", { class: "ann figure" }, "figures"), " ",
        el("span", { class: "ann evsent" }, "event sentences"), target ? [" ", el("mark", { class: "target" }, "the quote you followed")] : null),
      body,
      d.events.length ? el("section", null, el("h2", null, "Events"), eventTable(d.events.map((x) => Object.assign({}, x, { doc_id: d.id, doc_title: d.title || d.name, published: d.published })), "document-events")) : null,
      d.figures.length ? el("section", null, el("h2", null, "Figures"), figureTable(d.figures, "document-figures")) : null);
    const t = body.querySelector(".target");
    if (t) t.scrollIntoView({ block: "center" });
  }

  // Split the text at every span boundary; each piece carries the facts that cover it.
  function annotate(d, target) {
    const spans = [];
    for (const m of d.mentions) spans.push({ s: m.start, e: m.end, cls: "mention m-" + m.label, tip: m.label + (m.entity_name ? ": " + m.entity_name : ""), entity: m.entity_id });
    for (const ev of d.events) {
      spans.push({ s: ev.sentence_start, e: ev.sentence_end, cls: "evsent", tip: "event: " + ev.type });
      spans.push({ s: ev.trigger_start, e: ev.trigger_end, cls: "trigger", tip: ev.type + (ev.sector ? " / " + ev.sector : "") });
    }
    for (const f of d.figures) spans.push({ s: f.start, e: f.end, cls: "figure", tip: (f.measure || "figure") + " " + f.status + ": " + fmtNum(f.value) + " " + f.unit });
    if (target) spans.push({ s: target[0], e: target[1], cls: "target", tip: "the quote you followed" });
    const text = d.text;
    const cuts = new Set([0, text.length]);
    for (const sp of spans) {
      sp.s = Math.max(0, Math.min(text.length, sp.s));
      sp.e = Math.max(sp.s, Math.min(text.length, sp.e));
      cuts.add(sp.s); cuts.add(sp.e);
    }
    const points = Array.from(cuts).sort((a, b) => a - b);
    const out = [];
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i], b = points[i + 1];
      const piece = text.slice(a, b);
      const on = spans.filter((sp) => sp.s <= a && sp.e >= b && sp.e > sp.s);
      if (!on.length) { out.push(piece); continue; }
      const isTarget = on.some((sp) => sp.cls === "target");
      const node = el(isTarget ? "mark" : "span", {
        class: "ann " + on.map((sp) => sp.cls).join(" "),
        title: on.filter((sp) => sp.tip).map((sp) => sp.tip).join("; "),
      }, piece);
      const ent = on.find((sp) => sp.entity);
      if (ent) node.addEventListener("click", () => { location.hash = entityHref(ent.entity); });
      out.push(node);
    }
    return out;
  }


  // ------------------------------------------------------------------ timeline (vis-timeline)
  // The page's live charts, for resizing and for the browser tests to read back.
  const live = {};
  window.tieline = live;

  function dateOf(s) {
    // YYYY, YYYY-MM, YYYY-MM-DD or YYYY-Qn: the start of that period, in UTC.
    const m = /^(\d{4})(?:-(Q[1-4]|\d{2}))?(?:-(\d{2}))?/.exec(s || "");
    if (!m) return null;
    let month = 0;
    if (m[2] && m[2][0] === "Q") month = (parseInt(m[2].slice(1), 10) - 1) * 3;
    else if (m[2]) month = parseInt(m[2], 10) - 1;
    return new Date(Date.UTC(parseInt(m[1], 10), month, m[3] ? parseInt(m[3], 10) : 1));
  }
  // Reports of one happening (one cluster) are shown once, with all their sources.
  function mergeClusters(events) {
    const byKey = new Map();
    for (const e of events) {
      const key = e.cluster_id || e.id;
      const seen = byKey.get(key);
      if (!seen) { byKey.set(key, Object.assign({}, e, { reports: (e.reports || []).slice() })); continue; }
      for (const r of e.reports || []) {
        if (!seen.reports.some((x) => x.doc_id === r.doc_id && x.start === r.start)) seen.reports.push(r);
      }
      seen.sources = Math.max(seen.sources || 1, new Set(seen.reports.map((r) => r.doc_id)).size);
    }
    return Array.from(byKey.values());
  }
  function actorsOf(e) {
    const a = e.participants.filter((p) => p.role !== "object");
    return a.length ? a : e.participants;
  }
  function itemLabel(e) {
    const names = actorsOf(e).map((p) => p.name);
    const shown = names.slice(0, 3).join(", ") + (names.length > 3 ? " +" + (names.length - 3) : "");
    return el("span", { class: "tl-label" }, el("b", { class: "tl-type" }, e.type), " ",
      el("span", { class: "tl-who" }, shown),
      (e.sources || 1) > 1 ? el("span", { class: "tl-count", title: e.sources + " sources" }, " ×" + e.sources) : null);
  }

  async function timelineView(p) {
    const f = { sector: p.get("sector"), type: p.get("type"), pair: p.get("pair"), group: p.get("group") || "sector" };
    const offset = parseInt(p.get("offset") || "0", 10) || 0;
    // A page holds the real-world events of up to 200 reports; the pager walks the rest.
    const t = await api("timeline", { limit: 200, offset: offset, sector: f.sector, type: f.type, pair: f.pair });
    const events = mergeClusters(t.events);
    await sourcesOf(events.flatMap((e) => [e.doc_id].concat((e.reports || []).map((r) => r.doc_id))));
    const bar = el("div", { class: "filters" },
      select("sector", "sector", t.sectors, f.sector, (ev) => go("/timeline", Object.assign({}, f, { sector: ev.target.value }))),
      select("type", "type", t.types, f.type, (ev) => go("/timeline", Object.assign({}, f, { type: ev.target.value }))),
      select("pair", "pair", t.pairs, f.pair, (ev) => go("/timeline", Object.assign({}, f, { pair: ev.target.value }))),
      el("label", { class: "filter" }, "lanes ", el("select", { name: "group", "aria-label": "lanes", onchange: (ev) =>
        go("/timeline", Object.assign({}, f, { group: ev.target.value })) },
      ["sector", "actor"].map((g) => { const o = el("option", { value: g }, "by " + g); o.selected = g === f.group; return o; }))));
    if (!events.length) return show(el("h1", null, "Timeline of events"), bar, muted("No events match these filters."));
    const box = el("div", { class: "timeline-box", id: "timeline" });
    const detail = el("section", { class: "event-detail", id: "event-detail", "aria-live": "polite" },
      muted("Click an event on the timeline to read all its reports."));
    const zoom = el("div", { class: "zoom" },
      el("button", { type: "button", "aria-label": "zoom in", onclick: () => tl.zoomIn(0.5) }, "+"),
      el("button", { type: "button", "aria-label": "zoom out", onclick: () => tl.zoomOut(0.5) }, "−"),
      el("button", { type: "button", onclick: () => tl.fit() }, "fit all"));
    show(el("h1", null, "Timeline of events"), bar,
      muted("One box per real-world event: its type and who took part; ×n counts its sources. Drag to pan, scroll or pinch to zoom."),
      zoom, box, detail,
      el("h2", null, events.length + " events"),
      t.offset > 0 || t.offset + t.limit < t.total ? muted(pageNote(t)) : null,
      eventTable(events, "timeline-events"), pager("/timeline", f, t));
    const tl = drawTimeline(box, events, f.group, (e) => showEvent(detail, e));
  }
  function pageNote(t) {
    const last = Math.min(t.total, t.offset + t.limit);
    return "Reports " + (t.total ? t.offset + 1 : 0) + "–" + last + " of " + t.total + ", oldest first.";
  }

  function drawTimeline(box, events, groupBy, onPick) {
    const items = [], groups = new Map(), byItem = new Map();
    for (const e of events) {
      const at = dateOf(e.when || e.date || e.published);
      if (!at) continue;
      const lanes = groupBy === "actor"
        ? actorsOf(e).map((p) => ({ id: "a:" + (p.entity_id || p.name), name: p.name }))
        : [{ id: "s:" + (e.sector || "other"), name: e.sector || "other" }];
      for (const lane of lanes) {
        if (!groups.has(lane.id)) groups.set(lane.id, { id: lane.id, content: el("span", { class: "tl-lane" }, lane.name), order: lane.name.toLowerCase() });
        const id = e.id + "|" + lane.id;
        byItem.set(id, e);
        items.push({ id: id, group: lane.id, start: at, type: "box", content: itemLabel(e),
          className: "ev-" + e.type + (e.status === "planned" ? " planned" : "") + ((e.sources || 1) > 1 ? " multi" : "") });
      }
    }
    const times = items.map((i) => i.start.getTime()).sort((a, b) => a - b);
    const year = 365.25 * 864e5;
    const tl = new vis.Timeline(box, new vis.DataSet(items), new vis.DataSet(Array.from(groups.values())), {
      stack: true, zoomable: true, moveable: true, selectable: true, showCurrentTime: false,
      orientation: { axis: "top", item: "top" }, groupOrder: "order",
      margin: { item: { horizontal: 6, vertical: 6 }, axis: 8 },
      zoomMin: 28 * 864e5, zoomMax: 80 * year, verticalScroll: true, maxHeight: 560,
      min: new Date(times[0] - 5 * year), max: new Date(times[times.length - 1] + 5 * year),
      tooltip: { followMouse: true }, xss: { disabled: false },
    });
    // One early outlier must not squeeze the rest: open on the span of the later nine tenths.
    const lo = times[Math.floor(times.length * 0.1)], hi = times[times.length - 1];
    const pad = Math.max((hi - lo) * 0.08, year / 2);
    tl.setWindow(new Date(lo - pad), new Date(hi + pad), { animation: false });
    tl.on("select", (props) => { const e = byItem.get(props.items[0]); if (e) onPick(e); });
    live.timeline = tl;
    return tl;
  }

  function showEvent(box, e) {
    const reports = (e.reports && e.reports.length ? e.reports
      : [{ doc_id: e.doc_id, doc_title: e.doc_title, quote: e.evidence, start: e.sentence_start, end: e.sentence_end }]);
    clear(box);
    append(box, [
      el("h2", null, badge(e.type, "e-" + e.type), " ", e.when || e.date || e.published || "undated",
        e.status === "planned" ? [" ", badge("planned", "planned")] : null, e.sector ? [" ", badge(e.sector, "sector")] : null),
      el("p", null, e.participants.map((p, i) => [i ? ", " : "",
        p.entity_id ? link(entityHref(p.entity_id), p.name) : p.name, el("span", { class: "muted" }, " (" + p.role + ")")])),
      el("p", { class: "muted" }, reports.length + (reports.length === 1 ? " report" : " reports") +
        (e.dated_by === "published" ? "; dated by the first report's publication" : "")),
      el("ul", { class: "quotes" }, reports.map((r) => el("li", null,
        el("blockquote", null, r.quote),
        el("p", { class: "cite" }, "— ", sourceCell(r.doc_id, r.start, r.end, r.doc_title, null))))),
    ]);
    box.scrollIntoView({ block: "nearest" });
  }

  // ------------------------------------------------------------------ network (Cytoscape.js)
  async function networkView(p) {
    const s = await summary();
    const f = { pair: p.get("pair"), type: p.get("type"), since: p.get("since"), until: p.get("until"),
      country: p.get("country"), min: p.get("min") };
    const want = { pair: f.pair, type: f.type, since: f.since, until: f.until };
    const [g, evs] = await Promise.all([api("graph", want), api("events", Object.assign({ limit: 500 }, want))]);
    const minShared = Math.max(1, parseInt(f.min || "1", 10) || 1);
    const maxWeight = g.edges.reduce((m, e) => Math.max(m, e.weight), 1);
    const nodeById = new Map(g.nodes.map((n) => [n.id, n]));
    let edges = g.edges.filter((e) => e.weight >= minShared && nodeById.has(e.source) && nodeById.has(e.target));
    if (f.country) edges = edges.filter((e) => nodeById.get(e.source).country === f.country || nodeById.get(e.target).country === f.country);
    const filtered = minShared > 1 || f.country;
    const keep = new Set(edges.flatMap((e) => [e.source, e.target]));
    const nodes = g.nodes.filter((n) => !filtered || keep.has(n.id)).slice(0, 200);
    const kept = new Set(nodes.map((n) => n.id));
    edges = edges.filter((e) => kept.has(e.source) && kept.has(e.target));
    const eventById = new Map(evs.items.map((e) => [e.id, e]));
    await sourcesOf(evs.items.map((e) => e.doc_id));

    const dateInput = (name, label) => el("label", { class: "filter" }, label + " ",
      el("input", { name: name, value: f[name] || "", placeholder: "YYYY[-MM]", size: 8, maxlength: 10, pattern: "\\d{4}(-\\d{2}(-\\d{2})?)?",
        onchange: (ev) => { if (ev.target.checkValidity()) go("/network", Object.assign({}, f, { [name]: ev.target.value.trim() })); } }));
    const bar = el("div", { class: "filters" },
      select("pair", "pair", s.pairs, f.pair, (ev) => go("/network", Object.assign({}, f, { pair: ev.target.value }))),
      select("type", "type", s.event_types, f.type, (ev) => go("/network", Object.assign({}, f, { type: ev.target.value }))),
      select("country", "country", s.countries, f.country, (ev) => go("/network", Object.assign({}, f, { country: ev.target.value }))),
      el("label", { class: "filter" }, "shared events ≥ ", el("input", { name: "min", type: "number", min: 1, max: maxWeight, value: minShared,
        onchange: (ev) => go("/network", Object.assign({}, f, { min: ev.target.value === "1" ? "" : ev.target.value })) })),
      dateInput("since", "from"), dateInput("until", "to"));
    if (!nodes.length) return show(el("h1", null, "Network of actors"), bar, muted("No events link actors with these filters."));
    const box = el("div", { class: "network-box", id: "network" });
    const tip = el("div", { class: "net-tip", role: "tooltip", hidden: true });
    const countries = Array.from(new Set(nodes.map((n) => n.country || "?")));
    const colorOf = (c) => { const i = countries.indexOf(c || "?"); return i >= 0 && i < COLORS.length ? COLORS[i] : "#999"; };
    const zoom = el("div", { class: "zoom" },
      el("button", { type: "button", "aria-label": "zoom in", onclick: () => cy.zoom({ level: cy.zoom() * 1.3, renderedPosition: { x: box.clientWidth / 2, y: box.clientHeight / 2 } }) }, "+"),
      el("button", { type: "button", "aria-label": "zoom out", onclick: () => cy.zoom({ level: cy.zoom() / 1.3, renderedPosition: { x: box.clientWidth / 2, y: box.clientHeight / 2 } }) }, "−"),
      el("button", { type: "button", onclick: () => cy.fit(undefined, 30) }, "fit all"));
    const legend = el("p", { class: "legend" }, "Colour shows the country: ",
      countries.slice(0, COLORS.length).map((c) => [el("span", { class: "swatch", "data-color": c }), " " + (c === "?" ? "none" : c) + "  "]));
    for (const sw of legend.querySelectorAll(".swatch")) sw.style.backgroundColor = colorOf(sw.dataset.color === "?" ? null : sw.dataset.color);
    show(el("h1", null, "Network of actors"), bar,
      muted(nodes.length + " actors, " + edges.length + " links. Linked by the events they share; bigger means more events. " +
        "Point at a link to see its events, click an actor to open it; scroll or pinch to zoom, drag to pan."),
      zoom, el("div", { class: "network-wrap" }, box, tip), legend,
      el("h2", null, "Links"),
      dataTable("links", [
        { key: "source", label: "Actor", value: (e) => nodeById.get(e.source).name },
        { key: "target", label: "Actor", value: (e) => nodeById.get(e.target).name },
        { key: "weight", label: "Shared events", num: true, value: (e) => e.weight },
        { key: "types", label: "Types", value: (e) => Object.entries(e.types).map(([k, v]) => k + " ×" + v).join(", ") },
        { key: "first", label: "First", value: (e) => e.first || "" },
        { key: "last", label: "Last", value: (e) => e.last || "" },
      ], edges));
    const cy = drawNetwork(box, nodes, edges, colorOf);
    cy.on("tap", "node", (ev) => { location.hash = entityHref(ev.target.id()); });
    cy.on("mouseover", "edge", (ev) => {
      const e = ev.target.data("raw");
      clear(tip);
      const listed = e.events.map((id) => eventById.get(id)).filter(Boolean);
      append(tip, [el("strong", null, nodeById.get(e.source).name + " — " + nodeById.get(e.target).name),
        el("div", { class: "muted" }, e.weight + " shared events" + (e.first ? ", " + e.first + (e.last && e.last !== e.first ? " to " + e.last : "") : "")),
        el("ul", null, (listed.length ? listed.slice(0, 8).map((x) => el("li", null,
          badge(x.type, "e-" + x.type), (x.date || (x.when ? x.when + " (published)" : "undated")) + " ", x.evidence, el("span", { class: "muted" }, " — " + sourceText(x.doc_id, x.doc_title, x.published))))
          : Object.entries(e.types).map(([k, v]) => el("li", null, k + " ×" + v)))),
        listed.length > 8 ? el("div", { class: "muted" }, "and " + (listed.length - 8) + " more") : null]);
      const at = ev.renderedPosition || ev.target.renderedMidpoint();
      tip.hidden = false;
      tip.style.left = Math.max(0, Math.min(box.clientWidth - tip.offsetWidth, at.x + 12)) + "px";
      tip.style.top = Math.max(0, at.y + 12) + "px";
    });
    cy.on("mouseout", "edge", () => { tip.hidden = true; });
    cy.on("viewport", () => { tip.hidden = true; });
  }

  function drawNetwork(box, nodes, edges, colorOf) {
    // Cytoscape adds a <style> element unless one by this id exists; the page's CSP forbids
    // inline styles, and app.css gives the container the one rule that element would hold.
    if (!document.getElementById("__________cytoscape_stylesheet")) {
      document.head.appendChild(el("meta", { id: "__________cytoscape_stylesheet", name: "cytoscape" }));
    }
    const maxEvents = nodes.reduce((m, n) => Math.max(m, n.events), 1);
    const elements = nodes.map((n, i) => ({ group: "nodes", data: { id: n.id, name: n.name, color: colorOf(n.country),
      size: 14 + 26 * Math.sqrt(n.events / maxEvents) },
    // Start on a circle, so the layout is the same on every load.
    position: { x: 300 * Math.cos(2 * Math.PI * i / nodes.length), y: 300 * Math.sin(2 * Math.PI * i / nodes.length) } }))
      .concat(edges.map((e, i) => ({ group: "edges", data: { id: "e" + i, source: e.source, target: e.target,
        width: Math.min(9, 1.5 + Math.log2(e.weight + 1) * 1.5), raw: e } })));
    const cy = cytoscape({
      container: box, elements: elements, minZoom: 0.15, maxZoom: 5, boxSelectionEnabled: false,
      style: [
        { selector: "node", style: { label: "data(name)", width: "data(size)", height: "data(size)", "background-color": "data(color)",
          "border-width": 1.5, "border-color": "#fff", "font-size": 12, color: "#1d2630", "text-valign": "bottom", "text-margin-y": 4,
          "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 2,
          "text-background-shape": "roundrectangle", "text-wrap": "wrap", "text-max-width": 120, "font-family": "system-ui, sans-serif" } },
        { selector: "edge", style: { width: "data(width)", "line-color": "#9aa5b1", opacity: 0.7, "curve-style": "bezier" } },
        { selector: "edge:active, edge.hover", style: { "line-color": "#1f4e79", opacity: 1 } },
        { selector: "node:active", style: { "overlay-opacity": 0.1 } },
      ],
      layout: { name: "preset" },
    });
    cy.layout({ name: "cose", animate: false, randomize: false, fit: false, nodeDimensionsIncludeLabels: true,
      nodeRepulsion: () => 600000, idealEdgeLength: () => 110, edgeElasticity: () => 80, nodeOverlap: 40,
      componentSpacing: 120, gravity: 0.5, numIter: 1500 }).run();
    spreadLabels(cy);
    cy.fit(undefined, 30);
    // On a small screen the fitted drawing is zoomed out and 12 px labels would shrink with
    // it: grow them in the drawing so that they stay readable on screen, and make room again.
    for (let k = 0; k < 4 && cy.zoom() < 0.95; k++) {
      const font = Math.min(40, parseFloat(cy.nodes().first().style("font-size")) / cy.zoom());
      cy.style().selector("node").style({ "font-size": font, "text-max-width": 10 * font }).update();
      spreadLabels(cy);
      cy.fit(undefined, 30);
    }
    cy.on("mouseover", "edge", (ev) => ev.target.addClass("hover"));
    cy.on("mouseout", "edge", (ev) => ev.target.removeClass("hover"));
    live.cy = cy;
    return cy;
  }
  // The force layout counts labels but may still leave two touching: push such pairs apart
  // along the axis where they overlap least, until no label box meets another.
  function spreadLabels(cy) {
    const ns = cy.nodes().toArray();
    for (let round = 0; round < 200; round++) {
      let moved = false;
      const boxes = ns.map((n) => n.boundingBox({ includeLabels: true, includeOverlays: false }));
      for (let i = 0; i < ns.length; i++) {
        for (let j = i + 1; j < ns.length; j++) {
          const a = boxes[i], b = boxes[j];
          const ox = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1) + 4;
          const oy = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1) + 4;
          if (ox <= 0 || oy <= 0) continue;
          moved = true;
          const pa = ns[i].position(), pb = ns[j].position();
          if (ox < oy) {
            const d = (pa.x <= pb.x ? 1 : -1) * ox / 2;
            ns[i].position({ x: pa.x - d, y: pa.y }); ns[j].position({ x: pb.x + d, y: pb.y });
          } else {
            const d = (pa.y <= pb.y ? 1 : -1) * oy / 2;
            ns[i].position({ x: pa.x, y: pa.y - d }); ns[j].position({ x: pb.x, y: pb.y + d });
          }
          boxes[i] = ns[i].boundingBox({ includeLabels: true, includeOverlays: false });
          boxes[j] = ns[j].boundingBox({ includeLabels: true, includeOverlays: false });
        }
      }
      if (!moved) break;
    }
  }

  // ------------------------------------------------------------------ figures (Apache ECharts)
  const STATUS_STYLE = {
    actual: { line: "solid", symbol: "circle", fill: true },
    target: { line: "dashed", symbol: "emptyCircle", fill: false },
    forecast: { line: "dotted", symbol: "emptyDiamond", fill: false },
  };
  function checks(name, label, values, chosen, onchange) {
    return el("fieldset", { class: "checks", "data-name": name }, el("legend", null, label),
      values.map((v) => {
        const box = el("input", { type: "checkbox", name: name, value: v, onchange: onchange });
        box.checked = chosen.includes(v);
        return el("label", null, box, " " + (name === "measure" ? pretty(v) : v));
      }));
  }
  function listParam(p, name) { return (p.get(name) || "").split(",").filter(Boolean); }

  async function figuresView(p) {
    const s = await summary();
    if (!s.measures.length) return show(el("h1", null, "Figures"), muted("No figures with a measure are stored yet."));
    // Without a choice, the first measure for the most reported pair: figures of different
    // pairs (China-Russia trade beside India-Russia trade) are separate series.
    const measures = listParam(p, "measure").filter((m) => s.measures.includes(m));
    if (!measures.length) measures.push(s.measures[0]);
    const pairs = p.has("pair") ? listParam(p, "pair") : (s.pairs.length ? [s.pairs[0]] : []);
    // The pairs to offer: those of events, and those the figures of these measures name.
    const offered = s.pairs.slice();
    for (const r of await Promise.all(measures.map((m) => api("figures", { measure: m, limit: 500 })))) {
      for (const x of r.items) {
        const pr = (x.countries || []).length === 2 ? x.countries.join("-") : null;
        if (pr && !offered.includes(pr)) offered.push(pr);
      }
    }
    const picked = (name) => Array.from(main.querySelectorAll("fieldset[data-name=" + name + "] input:checked")).map((x) => x.value).join(",");
    const change = () => go("/figures", { measure: picked("measure"), pair: picked("pair") || "" });
    const bar = el("div", { class: "filters" },
      checks("measure", "Measures", s.measures, measures, change),
      checks("pair", "Pairs (none ticked: every pair together)", offered, pairs, change));
    const combos = [];
    for (const m of measures) for (const pr of (pairs.length ? pairs : [null])) combos.push({ measure: m, pair: pr });
    const [series, figs] = await Promise.all([
      Promise.all(combos.map((c) => api("figures/series", c))),
      Promise.all(combos.map((c) => api("figures", Object.assign({ limit: 500 }, c)))),
    ]);
    const rows = figs.flatMap((r) => r.items);
    await sourcesOf(rows.map((f) => f.doc_id).concat(series.flatMap((x) => x.points.map((pt) => pt.doc_id))));
    const box = el("div", { class: "series-box", id: "series" });
    const total = figs.reduce((n, r) => n + r.total, 0);
    show(el("h1", null, "Figures: ", measures.map(pretty).join(", ")), bar,
      el("p", { class: "legend" }, "Solid line and filled dots: actual; dashed line and open circles: target; dotted line and open diamonds: forecast. " +
        "Point at a figure to read its quote and source; click it to open the document."),
      box, el("h2", null, total + " figures"), figureTable(rows));
    drawSeries(box, series);
  }

  function drawSeries(box, series) {
    const out = [], units = [];
    let colorIndex = 0;
    for (const ser of series) {
      if (!ser.points.length) continue;
      const color = COLORS[colorIndex++ % COLORS.length];
      const unit = ser.unit || (ser.points[0].currency || ser.points[0].unit);
      if (!units.includes(unit)) units.push(unit);
      for (const status of ["actual", "target", "forecast"]) {
        const pts = ser.points.filter((pt) => pt.status === status)
          .map((pt) => ({ at: dateOf(pt.date), pt: pt })).filter((x) => x.at).sort((a, b) => a.at - b.at);
        if (!pts.length) continue;
        const st = STATUS_STYLE[status];
        out.push({
          name: pretty(ser.measure) + (ser.pair ? " " + ser.pair : "") + " · " + status,
          type: "line", yAxisIndex: Math.min(1, units.indexOf(unit)), color: color, symbol: st.symbol, symbolSize: 10,
          showAllSymbol: true, lineStyle: { type: st.line, width: status === "actual" ? 2.5 : 2 },
          itemStyle: st.fill ? { color: color } : { color: color, borderColor: color, borderWidth: 2 },
          data: pts.map((x) => ({ value: [x.at.getTime(), x.pt.value], point: x.pt, status: status,
            label: pretty(ser.measure) + (ser.pair ? " " + ser.pair : "") })),
        });
      }
    }
    if (!out.length) { append(box, [muted("No dated figures for these measures and pairs.")]); return null; }
    const chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 70, bottom: 60, containLabel: true },
      legend: { type: "scroll", top: 0 },
      tooltip: { trigger: "item", confine: true, formatter: (prm) => figureTip(prm.data) },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 8 }],
      xAxis: { type: "time", splitLine: { show: false } },
      yAxis: units.slice(0, 2).map((u) => ({ type: "value", name: u, axisLabel: { formatter: (v) => fmtNum(v) } })),
      series: out,
    });
    chart.on("click", (prm) => {
      const pt = prm.data && prm.data.point;
      if (pt) location.hash = docHref(pt.doc_id, pt.start, pt.end);
    });
    const ro = new ResizeObserver(() => { if (box.isConnected && !chart.isDisposed()) chart.resize(); else ro.disconnect(); });
    ro.observe(box);
    live.chart = chart;
    return chart;
  }
  // The tooltip is built as elements; ECharts takes a node and never parses the quote as HTML.
  function figureTip(d) {
    const pt = d.point;
    return el("div", { class: "fig-tip" },
      el("strong", null, d.label + " · " + d.status), el("div", null, pt.date + ": " + fmtNum(pt.value) + " " + (pt.currency || pt.unit)),
      el("blockquote", null, pt.evidence),
      el("div", { class: "muted" }, sourceText(pt.doc_id, null, null)));
  }

  // ------------------------------------------------------------------ lists
  async function entitiesView(p) {
    const s = await summary();
    const f = { type: p.get("type"), country: p.get("country"), q: p.get("q") };
    const offset = parseInt(p.get("offset") || "0", 10) || 0;
    const r = await api("entities", Object.assign({ limit: 100, offset: offset }, f));
    const find = el("input", { type: "search", name: "entity-q", value: f.q || "", maxlength: 200, placeholder: "name or alias", "aria-label": "search entities" });
    const bar = el("div", { class: "filters" },
      el("form", { class: "find", role: "search", onsubmit: (ev) => {
        ev.preventDefault(); go("/entities", Object.assign({}, f, { q: find.value.trim() }));
      } }, find, el("button", { type: "submit" }, "Find")),
      select("type", "type", s.entity_types, f.type, (ev) => go("/entities", Object.assign({}, f, { type: ev.target.value }))),
      select("country", "country", s.countries, f.country, (ev) => go("/entities", Object.assign({}, f, { country: ev.target.value }))));
    show(el("h1", null, "Entities"), bar,
      r.items.length ? dataTable("entities", [
        { key: "name", label: "Name", value: (e) => e.name, cell: (e) => link(entityHref(e.id), e.name) },
        { key: "type", label: "Type", value: (e) => e.type, cell: (e) => badge(e.type, "t-" + e.type) },
        { key: "country", label: "Country", value: (e) => e.country || "" },
        { key: "mentions", label: "Mentions", num: true, value: (e) => e.mention_count },
        { key: "documents", label: "Documents", num: true, value: (e) => e.doc_count },
        { key: "first_seen", label: "First seen", value: (e) => e.first_seen || "" },
        { key: "aliases", label: "Aliases", value: (e) => e.aliases.join("; ") },
      ], r.items, { caption: r.total + " entities" + (r.total > r.items.length ? ", " + r.items.length + " on this page" : "") })
        : muted("No entity matches."),
      pager("/entities", f, r));
  }
  function rangeNote(what, r) {
    return what + " " + (r.total ? r.offset + 1 : 0) + "–" + Math.min(r.total, r.offset + r.limit) + " of " + r.total + ".";
  }
  // Previous and next links of a page; ``key`` names its offset where a view has two lists.
  function pager(path, f, r, key) {
    const k = key || "offset";
    const out = el("p", { class: "pager" });
    if (r.offset > 0) out.appendChild(el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); go(path, Object.assign({}, f, { [k]: String(Math.max(0, r.offset - r.limit)) })); } }, "← previous"));
    if (r.offset + r.limit < r.total) out.appendChild(el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); go(path, Object.assign({}, f, { [k]: String(r.offset + r.limit) })); } }, "next →"));
    return out;
  }

  async function documentsView(p) {
    const offset = parseInt(p.get("offset") || "0", 10) || 0;
    const r = await api("documents", { limit: 100, offset: offset });
    show(el("h1", null, "Documents"),
      dataTable("documents", [
        { key: "title", label: "Title", value: (d) => d.title || d.name, cell: (d) => link(docHref(d.id), d.title || d.name) },
        { key: "published", label: "Published", value: (d) => d.published || "", cls: "nowrap" },
        { key: "outlet", label: "Outlet", value: (d) => d.source || "" },
        { key: "file", label: "File", value: (d) => d.name },
        { key: "url", label: "Address", value: (d) => d.url || "" , cell: (d) => {
          const u = d.url ? safeUrl(d.url) : null;
          return u ? el("a", { href: u, rel: "noopener noreferrer nofollow", target: "_blank" }, "original") : "";
        } },
      ], r.items, { caption: r.total + " documents" }),
      pager("/documents", {}, r));
  }

  // ------------------------------------------------------------------ briefing
  async function apiText(path, params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (v) q.set(k, v);
    const r = await fetch("/api/" + path + "?" + q.toString());
    if (!r.ok) throw new Error(await errorText(r));
    return r.text();
  }
  // The briefing's Markdown shown as headings, list items and paragraphs, all as text.
  function markdownBlocks(md) {
    const out = [];
    let list = null;
    for (const raw of md.split("\n")) {
      const line = raw.trimEnd();
      const h = /^(#{1,4})\s+(.*)$/.exec(line);
      const li = /^\s*[-*]\s+(.*)$/.exec(line);
      if (li) {
        if (!list) { list = el("ul", { class: "brief-list" }); out.push(list); }
        list.appendChild(el("li", null, plain(li[1])));
        continue;
      }
      list = null;
      if (h) out.push(el("h" + Math.min(4, h[1].length + 1), null, plain(h[2])));
      else if (line.trim()) out.push(el("p", null, plain(line)));
    }
    return out;
  }
  function plain(s) {
    // Links keep their text, emphasis its words, backslash escapes their character.
    return s.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/\*\*([^*]+)\*\*/g, "$1").replace(/(^|\s)_([^_]+)_/g, "$1$2")
      .replace(/\\([\\`*_{}\[\]()#+\-.!<>"|~])/g, "$1");
  }
  async function briefingView(p) {
    const s = await summary();
    const f = { pair: p.get("pair"), since: p.get("since") };
    const md = await apiText("report", { pair: f.pair, since: f.since, format: "markdown" });
    const name = "briefing" + (f.pair ? "-" + f.pair : "") + (f.since ? "-since-" + f.since : "");
    const since = el("input", { name: "since", value: f.since || "", placeholder: "YYYY[-MM]", size: 8, maxlength: 10, pattern: "\\d{4}(-\\d{2}(-\\d{2})?)?",
      onchange: (ev) => { if (ev.target.checkValidity()) go("/briefing", Object.assign({}, f, { since: ev.target.value.trim() })); } });
    show(el("h1", null, "Briefing"),
      el("div", { class: "filters" },
        select("pair", "pair", s.pairs, f.pair, (ev) => go("/briefing", Object.assign({}, f, { pair: ev.target.value }))),
        el("label", { class: "filter" }, "since ", since),
        el("button", { type: "button", class: "download", "data-format": "md", onclick: () => download(name + ".md", "text/markdown", md) }, "Download Markdown"),
        el("button", { type: "button", class: "download", "data-format": "html", onclick: async () =>
          download(name + ".html", "text/html", await apiText("report", { pair: f.pair, since: f.since, format: "html" })) }, "Download HTML")),
      muted("A cited briefing written from the stored facts; every line names its sources."),
      el("article", { class: "briefing" }, markdownBlocks(md)));
  }

  // ------------------------------------------------------------------ upload
  // One file: sent with upload progress (XMLHttpRequest reports it, fetch does not), then the
  // ingest job is followed until it ends.
  function sendFile(file, onProgress) {
    return new Promise((resolve, reject) => {
      const fd = new FormData();
      fd.append("file", file);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/uploads");
      xhr.setRequestHeader("X-Tieline", "1");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = (ev) => { if (ev.lengthComputable) onProgress(ev.loaded / ev.total); };
      xhr.onload = () => {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch (_) { body = null; }
        if (xhr.status >= 200 && xhr.status < 300 && body) resolve(body);
        else reject(new Error(body && typeof body.detail === "string" ? body.detail : xhr.status + " " + xhr.statusText));
      };
      xhr.onerror = () => reject(new Error("the upload did not reach the server"));
      xhr.send(fd);
    });
  }
  function uploadView() {
    const input = el("input", { type: "file", name: "file", multiple: true, accept: ".txt,.text,.md,.markdown,.html,.htm,.jsonl", required: true });
    const bar = el("progress", { max: 1, value: 0, class: "upload-progress" });
    const state = el("p", { class: "upload-state", role: "status" }, "Choose one or more article files.");
    const files = el("ul", { class: "plain upload-files" });
    const result = el("div", { class: "upload-result" });
    const form = el("form", { class: "upload", onsubmit: async (ev) => {
      ev.preventDefault();
      const chosen = Array.from(input.files);
      if (!chosen.length) return;
      clear(result); clear(files);
      const rows = chosen.map((file) => {
        const pb = el("progress", { max: 1, value: 0 });
        const st = el("span", { class: "file-state" }, "waiting");
        const li = el("li", { class: "upload-file" }, el("span", { class: "file-name" }, file.name), " ", pb, " ", st);
        files.appendChild(li);
        return { file: file, pb: pb, st: st };
      });
      const sum = { added: 0, updated: 0, unchanged: 0, duplicates: 0 };
      let done = 0, failed = 0;
      bar.max = chosen.length; bar.value = 0;
      const docs = [];
      for (const row of rows) {
        // Files go one after another: the server ingests one at a time anyway.
        state.textContent = "Uploading " + (done + 1) + " of " + chosen.length + "…";
        try {
          let job = await sendFile(row.file, (x) => { row.pb.value = x * 0.5; row.st.textContent = "sending " + Math.round(x * 100) + "%"; });
          while (job.state === "queued" || job.state === "running") {
            row.st.textContent = job.state + ": " + job.stage + (job.total ? " " + job.done + "/" + job.total : "");
            row.pb.value = 0.5 + (job.total ? 0.5 * job.done / job.total : 0);
            await new Promise((r) => setTimeout(r, 400));
            job = await api("uploads/" + job.id);
          }
          if (job.state === "failed") { failed++; row.st.textContent = "failed: " + job.error; row.pb.value = 0; }
          else {
            row.pb.value = 1;
            row.st.textContent = "done: " + job.added + " added, " + job.updated + " updated, " + job.unchanged + " unchanged";
            for (const k of Object.keys(sum)) sum[k] += job[k];
            docs.push(...job.doc_ids);
            append(result, job.failures.map((x) => el("p", { class: "warn" }, row.file.name + ": " + x.source + ": " + x.reason)));
          }
        } catch (err) { failed++; row.st.textContent = "failed: " + err.message; }
        done++;
        bar.value = done;
      }
      summaryCache = null;
      try { await sourcesOf(docs); } catch (_) { /* the links below fall back to the ids */ }
      append(result, [el("ul", { class: "plain" }, docs.map((id) => el("li", null, link(docHref(id), "open " + (sourceText(id) || "document " + id)))))]);
      state.textContent = (failed === chosen.length ? "Failed: " : "Done: ") + sum.added + " added, " + sum.updated + " updated, " +
        sum.unchanged + " unchanged, " + sum.duplicates + " duplicates" + (failed ? "; " + failed + " of " + chosen.length + " files failed." : ".");
    } }, input, el("button", { type: "submit" }, "Upload and ingest"));
    show(el("h1", null, "Upload articles"),
      el("p", null, "Plain text, Markdown, HTML or JSONL (one article per line); choose several at once. The text is read, facts are extracted and stored; you can keep browsing meanwhile."),
      form, bar, state, files, result);
  }

  // ------------------------------------------------------------------ router
  async function route() {
    const raw = location.hash.replace(/^#/, "") || "/";
    const qi = raw.indexOf("?");
    const path = qi >= 0 ? raw.slice(0, qi) : raw;
    const params = new URLSearchParams(qi >= 0 ? raw.slice(qi + 1) : "");
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    window.scrollTo(0, 0);
    // Charts of the page left behind let go of their listeners and canvases.
    if (live.timeline) live.timeline.destroy();
    if (live.cy) live.cy.destroy();
    if (live.chart) live.chart.dispose();
    for (const k of Object.keys(live)) delete live[k];
    document.body.dataset.view = "loading";
    try {
      switch (parts[0]) {
        case undefined: await home(); break;
        case "search": await searchView(params); break;
        case "entity": await entityView(parts.slice(1).join("/"), params); break;
        case "entities": await entitiesView(params); break;
        case "doc": await docView(parts[1], params); break;
        case "documents": await documentsView(params); break;
        case "timeline": await timelineView(params); break;
        case "figures": await figuresView(params); break;
        case "network": await networkView(params); break;
        case "briefing": await briefingView(params); break;
        case "upload": uploadView(); break;
        default: show(el("h1", null, "Not found"), link("#/", "Back to the start"));
      }
      document.body.dataset.view = parts[0] || "home";
    } catch (err) {
      show(el("h1", null, "Something went wrong"), el("p", { class: "warn" }, err.message), link("#/", "Back to the start"));
      document.body.dataset.view = "error";
    }
  }

  document.getElementById("search-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    go("/search", { q: document.getElementById("q").value.trim(), semantic: document.getElementById("semantic").checked ? "1" : "" });
  });
  window.addEventListener("hashchange", route);
  route();
})();
