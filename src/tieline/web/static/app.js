// Tieline page. Article text is untrusted: every string from the API goes into the page as a
// text node (textContent) or an attribute value; nothing is ever parsed as HTML.
"use strict";

(function () {
  const SVGNS = "http://www.w3.org/2000/svg";
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
  function svg(tag, attrs, ...kids) {
    const n = document.createElementNS(SVGNS, tag);
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
    for (const k of kids.flat(Infinity)) {
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
    document.getElementById("q").value = q;
    if (!q) return show(el("h1", null, "Search"), muted("Type words into the search box above."));
    const res = await api("search", { q: q, kind: p.get("kind"), limit: 200 });
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
    show(el("h1", null, "Results for “", q, "”"),
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

  async function entityView(id) {
    const e = await api("entities/" + encodeURIComponent(id));
    const s = await summary();
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
    const evs = el("section", null, el("h2", null, "Events (" + e.events.length + ")"),
      e.events.length ? eventTable(e.events) : muted("No events name this actor yet."));
    const ms = el("section", { class: "mentions" }, el("h2", null, "Mentions (" + e.mention_total + ")"),
      el("ul", { class: "quotes" }, e.mentions.map((m) => el("li", null,
        el("blockquote", null, marked(m.quote, [[m.start - m.quote_start, m.end - m.quote_start]])),
        el("p", { class: "cite" }, "— ", link(docHref(m.doc_id, m.start, m.end), m.doc_title, { class: "quote-link" }),
          el("span", { class: "muted" }, " " + (m.published || "")))))));
    show(head, el("div", { class: "with-side" }, el("div", null, evs, ms), curator(e, s)));
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

  function eventTable(events) {
    return el("table", { class: "events" },
      el("thead", null, el("tr", null, ["Date", "Type", "Sector", "Who", "Evidence"].map((t) => el("th", null, t)))),
      el("tbody", null, events.map((ev) => el("tr", null,
        el("td", { class: "nowrap" }, ev.date || ev.when || (ev.published ? "(" + ev.published + ")" : "undated")),
        el("td", null, badge(ev.type, "e-" + ev.type), ev.status === "planned" ? badge("planned", "planned") : null),
        el("td", null, ev.sector || ""),
        el("td", null, ev.participants.map((p, i) => [i ? ", " : "",
          p.entity_id ? link(entityHref(p.entity_id), p.name) : p.name,
          el("span", { class: "muted" }, " (" + p.role + ")")])),
        el("td", null, link(docHref(ev.doc_id, ev.sentence_start, ev.sentence_end), ev.evidence, { class: "evidence" }),
          ev.reports && ev.reports.length > 1 ? el("div", { class: "sources muted" }, ev.reports.length + " reports: ",
            ev.reports.map((r, i) => [i ? ", " : "", link(docHref(r.doc_id, r.start, r.end), r.doc_title)])) : null)))));
  }

  async function docView(id, p) {
    const d = await api("documents/" + encodeURIComponent(id));
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
      d.events.length ? el("section", null, el("h2", null, "Events"), eventTable(d.events.map((x) => Object.assign({}, x, { doc_id: d.id })))) : null,
      d.figures.length ? el("section", null, el("h2", null, "Figures"), figureTable(d.figures)) : null);
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

  function figureTable(figs) {
    return el("table", { class: "figures" },
      el("thead", null, el("tr", null, ["Measure", "Status", "Value", "Period", "Evidence"].map((t) => el("th", null, t)))),
      el("tbody", null, figs.map((f) => el("tr", null,
        el("td", null, f.measure || ""), el("td", null, badge(f.status, "s-" + f.status)),
        el("td", { class: "num" }, fmtNum(f.value) + " " + (f.currency || f.unit)),
        el("td", null, f.period || ""),
        el("td", null, link(docHref(f.doc_id, f.start, f.end), f.evidence, { class: "evidence" }))))));
  }

  async function timelineView(p) {
    const f = { sector: p.get("sector"), type: p.get("type"), pair: p.get("pair") };
    const offset = parseInt(p.get("offset") || "0", 10) || 0;
    // A page holds the real-world events of up to 200 reports; the pager walks the rest.
    const t = await api("timeline", Object.assign({ limit: 200, offset: offset }, f));
    const bar = el("div", { class: "filters" },
      select("sector", "sector", t.sectors, f.sector, (ev) => go("/timeline", Object.assign({}, f, { sector: ev.target.value }))),
      select("type", "type", t.types, f.type, (ev) => go("/timeline", Object.assign({}, f, { type: ev.target.value }))),
      select("pair", "pair", t.pairs, f.pair, (ev) => go("/timeline", Object.assign({}, f, { pair: ev.target.value }))));
    show(el("h1", null, "Timeline of events"), bar,
      t.events.length ? [timelineChart(t.events), el("h2", null, t.events.length + " events"),
        t.offset > 0 || t.offset + t.limit < t.total ? muted(pageNote(t)) : null, eventTable(t.events), pager("/timeline", f, t)]
        : muted("No events match these filters."));
  }
  function pageNote(t) {
    const last = Math.min(t.total, t.offset + t.limit);
    return "Reports " + (t.total ? t.offset + 1 : 0) + "–" + last + " of " + t.total + ", oldest first.";
  }

  function timelineChart(events) {
    const dated = events.filter((e) => e.when || e.date || e.published).map((e) => Object.assign({}, e, { at: dateNum(e.when || e.date || e.published) }));
    if (!dated.length) return muted("None of these events has a date.");
    const lanes = Array.from(new Set(dated.map((e) => e.sector || "other"))).sort();
    const types = Array.from(new Set(dated.map((e) => e.type))).sort();
    const W = 960, laneH = 34, top = 20, left = 130, H = top + lanes.length * laneH + 40;
    let lo = Math.min(...dated.map((e) => e.at)), hi = Math.max(...dated.map((e) => e.at));
    lo = Math.floor(lo); hi = Math.floor(hi) + 1;
    const x = (v) => left + (v - lo) / (hi - lo) * (W - left - 20);
    const g = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "chart timeline-chart", role: "img", "aria-label": "events over time by sector" });
    lanes.forEach((lane, i) => {
      const y = top + i * laneH + laneH / 2;
      g.appendChild(svg("line", { x1: left, x2: W - 20, y1: y, y2: y, class: "lane" }));
      g.appendChild(svg("text", { x: left - 8, y: y + 4, "text-anchor": "end", class: "lane-label" }, lane));
    });
    for (let yr = lo; yr <= hi; yr++) {
      const xx = x(yr);
      g.appendChild(svg("line", { x1: xx, x2: xx, y1: top, y2: H - 30, class: "grid" }));
      g.appendChild(svg("text", { x: xx, y: H - 14, "text-anchor": "middle", class: "tick" }, String(yr)));
    }
    dated.forEach((e, i) => {
      const y = top + lanes.indexOf(e.sector || "other") * laneH + laneH / 2 + ((i % 3) - 1) * 6;
      const c = svg("circle", { cx: x(e.at), cy: y, r: 5 + Math.min(4, (e.sources || 1) - 1), fill: COLORS[types.indexOf(e.type) % COLORS.length], class: "dot" + (e.status === "planned" ? " planned" : "") },
        svg("title", null, (e.when || e.date || e.published) + " · " + e.type + ((e.sources || 1) > 1 ? " · " + e.sources + " sources" : "") + " · " + e.evidence));
      c.addEventListener("click", () => { location.hash = docHref(e.doc_id, e.sentence_start, e.sentence_end); });
      g.appendChild(c);
    });
    const legend = el("p", { class: "legend" }, types.map((t, i) => [el("span", { class: "swatch", "data-color": i }), " " + t + "  "]));
    colorSwatches(legend, COLORS);
    return el("figure", null, g, legend);
  }
  function colorSwatches(root, colors) {
    for (const sw of root.querySelectorAll(".swatch")) sw.style.backgroundColor = colors[parseInt(sw.dataset.color, 10) % colors.length];
  }
  function dateNum(s) {
    const [y, m, d] = s.split("-").map((v) => parseInt(v, 10));
    return y + ((m || 7) - 1) / 12 + ((d || 15) - 1) / 365;
  }

  async function figuresView(p) {
    const s = await summary();
    const measure = p.get("measure") || s.measures[0];
    // Without a pair asked for, show the most reported pair: figures of different pairs
    // (China-Russia trade beside India-Russia trade) do not belong on one line.
    const asked = p.has("pair") ? p.get("pair") : (s.pairs[0] || "any");
    const pair = asked === "any" ? null : asked;
    const bar = el("div", { class: "filters" },
      select("measure", "measure", s.measures, measure, (ev) => go("/figures", { measure: ev.target.value, pair: asked })),
      select("pair", "pair", s.pairs, pair, (ev) => go("/figures", { measure: measure, pair: ev.target.value || "any" })));
    if (!measure) return show(el("h1", null, "Figures"), muted("No figures with a measure are stored yet."));
    const [ser, figs] = await Promise.all([api("figures/series", { measure: measure, pair: pair }),
      api("figures", { measure: measure, pair: pair, limit: 500 })]);
    show(el("h1", null, "Figures: ", pretty(measure)), bar, seriesChart(ser),
      el("h2", null, figs.total + " figures"), figureTable(figs.items));
  }

  function niceCeil(v) {
    if (!(v > 0)) return 1;
    const pow = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10]) if (m * pow >= v) return m * pow;
    return 10 * pow;
  }
  function seriesChart(ser) {
    if (!ser.points.length) return muted("No dated figures for this measure.");
    const W = 960, H = 380, L = 80, R = 20, T = 20, B = 50;
    const xs = ser.points.map((p) => dateNum(p.date));
    let lo = Math.floor(Math.min(...xs)), hi = Math.floor(Math.max(...xs)) + 1;
    const top = niceCeil(Math.max(...ser.points.map((p) => p.value)) * 1.05);
    const x = (v) => L + (v - lo) / (hi - lo) * (W - L - R);
    const y = (v) => H - B - v / top * (H - T - B);
    const g = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "chart series-chart", role: "img", "aria-label": ser.measure + ": actuals against targets" });
    for (let i = 0; i <= 4; i++) {
      const v = top * i / 4;
      g.appendChild(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: "grid" }));
      g.appendChild(svg("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" }, fmtNum(v)));
    }
    for (let yr = lo; yr <= hi; yr++) g.appendChild(svg("text", { x: x(yr), y: H - B + 20, "text-anchor": "middle", class: "tick" }, String(yr)));
    const styles = { actual: "line-actual", target: "line-target", forecast: "line-forecast" };
    for (const status of ["actual", "target", "forecast"]) {
      const pts = ser.points.filter((p) => p.status === status).sort((a, b) => dateNum(a.date) - dateNum(b.date));
      if (!pts.length) continue;
      if (pts.length > 1) g.appendChild(svg("polyline", { points: pts.map((p) => x(dateNum(p.date)) + "," + y(p.value)).join(" "), class: styles[status] }));
      for (const p of pts) {
        const c = svg("circle", { cx: x(dateNum(p.date)), cy: y(p.value), r: 5, class: "pt-" + status },
          svg("title", null, status + " " + p.date + ": " + fmtNum(p.value) + " " + (p.currency || p.unit) + " — " + p.evidence));
        c.addEventListener("click", () => { location.hash = docHref(p.doc_id, p.start, p.end); });
        g.appendChild(c);
      }
    }
    g.appendChild(svg("text", { x: L, y: 14, class: "tick" }, ser.unit || ""));
    const legend = el("p", { class: "legend" }, el("span", { class: "key-actual" }, "● actual"), "  ",
      el("span", { class: "key-target" }, "○ target"), "  ", el("span", { class: "key-forecast" }, "◇ forecast"));
    return el("figure", null, g, legend);
  }

  async function networkView(p) {
    const s = await summary();
    const f = { pair: p.get("pair"), type: p.get("type"), since: p.get("since") };
    const gdata = await api("graph", f);
    const bar = el("div", { class: "filters" },
      select("pair", "pair", s.pairs, f.pair, (ev) => go("/network", Object.assign({}, f, { pair: ev.target.value }))),
      select("type", "type", s.event_types, f.type, (ev) => go("/network", Object.assign({}, f, { type: ev.target.value }))));
    if (!gdata.nodes.length) return show(el("h1", null, "Network"), bar, muted("No events link actors yet."));
    const area = svg("svg", { viewBox: "0 0 960 600", class: "chart network", role: "img", "aria-label": "actor network" });
    const legend = el("p", { class: "legend" });
    show(el("h1", null, "Network of actors"), bar,
      muted("Actors linked by the events they take part in; bigger means more events. Drag to move, click a name to open it."),
      area, legend);
    const countries = forceLayout(area, gdata, 960, 600);
    append(legend, ["Colour shows the country: ", countries.map((c, i) => [el("span", { class: "swatch", "data-color": i }), " " + (c === "?" ? "none" : c) + "  "]),
      gdata.nodes.some((n) => !countries.includes(n.country || "?")) ? "grey: other countries" : ""]);
    colorSwatches(legend, COLORS);
  }

  // A small force layout: nodes repel, edges pull, everything drifts to the centre.
  function forceLayout(root, g, W, H) {
    const nodes = g.nodes.slice(0, 150).map((n, i) => Object.assign({ x: W / 2 + 200 * Math.cos(i), y: H / 2 + 150 * Math.sin(i), vx: 0, vy: 0 }, n));
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const edges = g.edges.filter((e) => byId.has(e.source) && byId.has(e.target));
    const countries = Array.from(new Set(nodes.map((n) => n.country || "?"))).slice(0, COLORS.length);
    const lines = edges.map((e) => {
      const l = svg("line", { class: "edge", "stroke-width": Math.min(8, 1 + Math.log2(e.weight + 1)) },
        svg("title", null, Object.entries(e.types).map(([k, v]) => k + " ×" + v).join(", ")));
      root.appendChild(l);
      return l;
    });
    const groups = nodes.map((n) => {
      const c = svg("circle", { r: 6 + Math.min(14, 3 * Math.sqrt(n.events)), fill: countries.includes(n.country || "?") ? COLORS[countries.indexOf(n.country || "?")] : "#bbb", class: "node" });
      const t = svg("text", { class: "node-label", dx: 10, dy: 4 }, n.name);
      const grp = svg("g", { class: "node-g", "data-id": n.id }, c, t, svg("title", null, n.name + " (" + (n.type || "") + ", " + n.events + " events)"));
      let dragging = false, moved = false;
      grp.addEventListener("pointerdown", (ev) => { dragging = true; moved = false; n.fixed = true; grp.setPointerCapture(ev.pointerId); });
      grp.addEventListener("pointermove", (ev) => {
        if (!dragging) return;
        const pt = root.createSVGPoint(); pt.x = ev.clientX; pt.y = ev.clientY;
        const q = pt.matrixTransform(root.getScreenCTM().inverse());
        n.x = q.x; n.y = q.y; moved = true; heat = Math.max(heat, 0.3); kick();
      });
      grp.addEventListener("pointerup", () => { dragging = false; n.fixed = false; if (!moved) location.hash = entityHref(n.id); });
      root.appendChild(grp);
      return grp;
    });
    let heat = 1, running = false;
    function step() {
      for (let i = 0; i < nodes.length; i++) {
        const a = nodes[i];
        for (let j = i + 1; j < nodes.length; j++) {
          const b = nodes[j];
          let dx = a.x - b.x, dy = a.y - b.y, d2 = dx * dx + dy * dy + 0.01;
          const f = 5000 / d2;
          const d = Math.sqrt(d2);
          dx /= d; dy /= d;
          a.vx += dx * f; a.vy += dy * f; b.vx -= dx * f; b.vy -= dy * f;
        }
      }
      for (const e of edges) {
        const a = byId.get(e.source), b = byId.get(e.target);
        const dx = b.x - a.x, dy = b.y - a.y, d = Math.sqrt(dx * dx + dy * dy) + 0.01;
        const f = (d - 130) * 0.02;
        a.vx += dx / d * f; a.vy += dy / d * f; b.vx -= dx / d * f; b.vy -= dy / d * f;
      }
      for (const n of nodes) {
        n.vx += (W / 2 - n.x) * 0.005; n.vy += (H / 2 - n.y) * 0.005;
        if (!n.fixed) {
          n.x += Math.max(-20, Math.min(20, n.vx * heat)); n.y += Math.max(-20, Math.min(20, n.vy * heat));
          n.x = Math.max(20, Math.min(W - 20, n.x)); n.y = Math.max(20, Math.min(H - 20, n.y));
        }
        n.vx *= 0.5; n.vy *= 0.5;
      }
      heat *= 0.985;
    }
    function draw() {
      edges.forEach((e, i) => {
        const a = byId.get(e.source), b = byId.get(e.target);
        setAttrs(lines[i], { x1: a.x, y1: a.y, x2: b.x, y2: b.y });
      });
      nodes.forEach((n, i) => groups[i].setAttribute("transform", "translate(" + n.x.toFixed(1) + "," + n.y.toFixed(1) + ")"));
    }
    function tick() {
      if (!root.isConnected) { running = false; return; }
      for (let k = 0; k < 3; k++) step();
      draw();
      if (heat > 0.02) requestAnimationFrame(tick); else running = false;
    }
    function kick() { if (!running) { running = true; requestAnimationFrame(tick); } }
    for (let k = 0; k < 60; k++) step();
    draw();
    kick();
    return countries;
  }

  async function entitiesView(p) {
    const s = await summary();
    const f = { type: p.get("type"), country: p.get("country"), q: p.get("q") };
    const offset = parseInt(p.get("offset") || "0", 10) || 0;
    const r = await api("entities", Object.assign({ limit: 100, offset: offset }, f));
    const bar = el("div", { class: "filters" },
      select("type", "type", s.entity_types, f.type, (ev) => go("/entities", Object.assign({}, f, { type: ev.target.value }))),
      select("country", "country", s.countries, f.country, (ev) => go("/entities", Object.assign({}, f, { country: ev.target.value }))));
    show(el("h1", null, "Entities"), bar, el("p", { class: "muted" }, r.total + " entities"),
      el("table", null, el("thead", null, el("tr", null, ["Name", "Type", "Country", "Mentions", "Documents"].map((t) => el("th", null, t)))),
        el("tbody", null, r.items.map((e) => el("tr", null, el("td", null, link(entityHref(e.id), e.name)),
          el("td", null, badge(e.type, "t-" + e.type)), el("td", null, e.country || ""),
          el("td", { class: "num" }, String(e.mention_count)), el("td", { class: "num" }, String(e.doc_count)))))),
      pager("/entities", f, r));
  }
  function pager(path, f, r) {
    const out = el("p", { class: "pager" });
    if (r.offset > 0) out.appendChild(el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); go(path, Object.assign({}, f, { offset: String(Math.max(0, r.offset - r.limit)) })); } }, "← previous"));
    if (r.offset + r.limit < r.total) out.appendChild(el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); go(path, Object.assign({}, f, { offset: String(r.offset + r.limit) })); } }, "next →"));
    return out;
  }

  async function documentsView(p) {
    const offset = parseInt(p.get("offset") || "0", 10) || 0;
    const r = await api("documents", { limit: 100, offset: offset });
    show(el("h1", null, "Documents"), el("p", { class: "muted" }, r.total + " documents"),
      el("table", null, el("thead", null, el("tr", null, ["Title", "Published", "Source", "File"].map((t) => el("th", null, t)))),
        el("tbody", null, r.items.map((d) => el("tr", null, el("td", null, link(docHref(d.id), d.title || d.name)),
          el("td", { class: "nowrap" }, d.published || ""), el("td", null, d.source || ""), el("td", { class: "muted" }, d.name))))),
      pager("/documents", {}, r));
  }

  function uploadView() {
    const input = el("input", { type: "file", name: "file", accept: ".txt,.text,.md,.markdown,.html,.htm,.jsonl", required: true });
    const bar = el("progress", { max: 1, value: 0, class: "upload-progress" });
    const state = el("p", { class: "upload-state", role: "status" }, "Choose an article file.");
    const result = el("div", { class: "upload-result" });
    const form = el("form", { class: "upload", onsubmit: async (ev) => {
      ev.preventDefault();
      if (!input.files.length) return;
      const fd = new FormData();
      fd.append("file", input.files[0]);
      clear(result);
      state.textContent = "Uploading…";
      try {
        let job = await post("uploads", fd);
        while (job.state === "queued" || job.state === "running") {
          state.textContent = job.state + ": " + job.stage + (job.total ? " " + job.done + "/" + job.total : "");
          bar.max = Math.max(1, job.total); bar.value = job.done;
          await new Promise((r) => setTimeout(r, 400));
          job = await api("uploads/" + job.id);
        }
        bar.max = 1; bar.value = job.state === "done" ? 1 : 0;
        summaryCache = null;
        if (job.state === "failed") { state.textContent = "Failed: " + job.error; return; }
        state.textContent = "Done: " + job.added + " added, " + job.updated + " updated, " + job.unchanged + " unchanged, " + job.duplicates + " duplicates.";
        append(result, [job.failures.map((f) => el("p", { class: "warn" }, f.source + ": " + f.reason)),
          el("ul", { class: "plain" }, job.doc_ids.map((id) => el("li", null, link(docHref(id), "open document " + id))))]);
      } catch (err) { state.textContent = "Failed: " + err.message; }
    } }, input, el("button", { type: "submit" }, "Upload and ingest"));
    show(el("h1", null, "Upload articles"),
      el("p", null, "Plain text, Markdown, HTML or JSONL (one article per line). The text is read, facts are extracted and stored; you can keep browsing meanwhile."),
      form, bar, state, result);
  }

  // ------------------------------------------------------------------ router
  async function route() {
    const raw = location.hash.replace(/^#/, "") || "/";
    const qi = raw.indexOf("?");
    const path = qi >= 0 ? raw.slice(0, qi) : raw;
    const params = new URLSearchParams(qi >= 0 ? raw.slice(qi + 1) : "");
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    window.scrollTo(0, 0);
    try {
      switch (parts[0]) {
        case undefined: await home(); break;
        case "search": await searchView(params); break;
        case "entity": await entityView(parts.slice(1).join("/")); break;
        case "entities": await entitiesView(params); break;
        case "doc": await docView(parts[1], params); break;
        case "documents": await documentsView(params); break;
        case "timeline": await timelineView(params); break;
        case "figures": await figuresView(params); break;
        case "network": await networkView(params); break;
        case "upload": uploadView(); break;
        default: show(el("h1", null, "Not found"), link("#/", "Back to the start"));
      }
      document.body.dataset.view = parts[0] || "home";
    } catch (err) {
      show(el("h1", null, "Something went wrong"), el("p", { class: "warn" }, err.message), link("#/", "Back to the start"));
    }
  }

  document.getElementById("search-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    go("/search", { q: document.getElementById("q").value.trim() });
  });
  window.addEventListener("hashchange", route);
  route();
})();
