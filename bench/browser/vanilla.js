// The vanilla-JS page: what the browser must do at the least to show, switch and edit an
// account of thousands of entries with the DOM the app produces. The model is kept in plain
// objects; a keystroke updates the model and the field's coach count, as the app's DOM update
// does. Like the app, it renders only the entries near the screen, in blocks of 20, with the
// same padding standing in for the rest, and the same "Find in my account" field
// (src/components/shared/list_window.rs, src/components/account/find_in_account.rs).
// `?review=review-10000.json` reads another review file than review.json.

// The app's stylesheets, so layout and style costs are the same as the app's.
const index = new DOMParser().parseFromString(await (await fetch("/index.html")).text(), "text/html");
for (const link of index.querySelectorAll('link[rel="stylesheet"]')) {
  const l = document.createElement("link");
  l.rel = "stylesheet";
  l.href = link.getAttribute("href");
  document.head.append(l);
}
const file = new URLSearchParams(location.search).get("review") ?? "review.json";
const doc = await (await fetch(file)).json();
const participants = doc.review.participants;
const accounts = new Map(doc.accounts.map((a) => [a.participant_id, a]));

const select = document.getElementById("acting-as");
for (const p of participants) select.append(new Option(`${p.name} (${p.role})`, p.id));
const host = document.getElementById("account");

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}
const pad = (n) => String(n).padStart(2, "0");
function display(iso) {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
function localInput(iso) {
  const d = new Date(iso);
  return `${display(iso).replace(" ", "T")}${d.getSeconds() ? ":" + pad(d.getSeconds()) : ""}`;
}
// A stand-in for the blameless-language coach: a few phrases, checked on every keystroke.
const FLAGGED = /\b(should have|forgot to|obviously|careless)\b/gi;
function coachCount(text) {
  const n = (text.match(FLAGGED) ?? []).length;
  return n === 0 ? "" : n === 1 ? "Wording coach: 1 phrase to reconsider" : `Wording coach: ${n} phrases to reconsider`;
}

function coached(id, label, value, onInput, { required = false, hint = null, rows = 2 } = {}) {
  const described = [hint && `${id}-hint`, `${id}-error`, `${id}-coach`].filter(Boolean).join(" ");
  const area = el("textarea", { id, rows, "aria-describedby": described, "aria-invalid": "false" });
  if (required) area.setAttribute("required", "");
  area.value = value;
  const count = el("p", { class: "coach-count", "aria-live": "polite" });
  area.addEventListener("input", () => {
    onInput(area.value);
    const text = coachCount(area.value);
    if (count.textContent !== text) count.textContent = text;
  });
  return el(
    "div",
    { class: "field coached" },
    el("label", { for: id }, label),
    ...(hint ? [el("p", { class: "hint", id: `${id}-hint` }, hint)] : []),
    area,
    el("p", { class: "field-error", id: `${id}-error`, "aria-live": "polite" }),
    el("div", { class: "coach", id: `${id}-coach` }, count),
  );
}

function dateField(id, value, onInput) {
  const input = el("input", { id, type: "datetime-local", required: "", "aria-describedby": `${id}-error`, "aria-invalid": "false" });
  input.value = value;
  input.addEventListener("input", () => onInput(input.value));
  return el("div", { class: "field" }, el("label", { for: id }, "When"), input, el("p", { class: "field-error", id: `${id}-error`, "aria-live": "polite" }));
}

function entryRow(entry) {
  const id = entry.id;
  const li = el(
    "li",
    { class: "entry card", "data-entry": id },
    el(
      "fieldset",
      {},
      el("legend", {}, `Entry at ${display(entry.at)}`),
      dateField(`entry-${id}-at`, localInput(entry.at), (v) => (entry.at_typed = v)),
      coached(`entry-${id}-what`, "What happened", entry.what_happened, (v) => (entry.what_happened = v), { required: true }),
      coached(`entry-${id}-knew`, "What I knew or believed then", entry.knew_or_believed, (v) => (entry.knew_or_believed = v)),
      coached(`entry-${id}-did`, "What I did", entry.what_i_did, (v) => (entry.what_i_did = v)),
      el("p", { class: "form-error", id: `entry-${id}-form-error`, "aria-live": "polite" }),
      el("button", { type: "button", class: "danger" }, "Remove this entry"),
    ),
  );
  li.addEventListener("focusout", () => {});
  return li;
}

// ---- Windowing, as the app's ListWindow: blocks on screen (only these in the first frame),
// then one more on each side, and the focused row's block with its neighbours.
const BLOCK = 20;
function blocksOnScreen(total, pitch, top, height, reach) {
  const blocks = Math.ceil(total / BLOCK);
  if (blocks === 0) return [0, 0];
  pitch = Math.max(pitch, 1);
  const row = (y) => Math.floor(Math.max(y, 0) / pitch);
  const first = Math.min(Math.max(Math.floor(row(top) / BLOCK) - reach, 0), blocks - 1);
  const last = Math.min(Math.floor(row(top + height) / BLOCK) + reach, blocks - 1);
  return [first, Math.max(last, first) + 1];
}
function segments(total, [from, to], focus) {
  const blocks = Math.ceil(total / BLOCK);
  const wanted = new Set();
  if (blocks > 0) {
    const start = Math.min(from, blocks - 1);
    for (let b = start; b < Math.min(Math.max(to, start + 1), blocks); b++) wanted.add(b);
  }
  if (focus !== null && focus < total) {
    const b = Math.floor(focus / BLOCK);
    for (const n of [b - 1, b, b + 1]) if (n >= 0 && n < blocks) wanted.add(n);
  }
  const out = [];
  for (const b of [...wanted].sort((x, y) => x - y)) {
    const rows = [b * BLOCK, Math.min((b + 1) * BLOCK, total)];
    const last = out[out.length - 1];
    if (last && last[1] === rows[0]) last[1] = rows[1];
    else out.push(rows);
  }
  return out;
}

function windowed(ol, entries) {
  const rendered = new Map(); // entry id → its <li>
  const index = new Map(entries.map((e, i) => [e.id, i]));
  let pitch = 420;
  let screen = [0, 1];
  let focus = null;
  let waiting = false;
  let reach = 0;
  function update() {
    const segs = segments(entries.length, screen, focus);
    const shown = [];
    let previousEnd = null;
    for (const [start, end] of segs) {
      for (let i = start; i < end; i++) shown.push([i, i === start && previousEnd !== null ? (i - previousEnd) * pitch : 0]);
      previousEnd = end;
    }
    const keep = new Set(shown.map(([i]) => entries[i].id));
    for (const [id, li] of rendered) if (!keep.has(id)) (li.remove(), rendered.delete(id));
    let at = ol.firstElementChild;
    for (const [i, gap] of shown) {
      const entry = entries[i];
      let li = rendered.get(entry.id);
      if (!li) rendered.set(entry.id, (li = entryRow(entry)));
      li.setAttribute("aria-posinset", String(i + 1));
      li.setAttribute("aria-setsize", String(entries.length));
      li.style.marginTop = gap > 0 ? `${gap}px` : "";
      if (li !== at) ol.insertBefore(li, at);
      else at = at.nextElementSibling;
    }
    ol.style.paddingTop = segs.length ? `${segs[0][0] * pitch}px` : "0px";
    ol.style.paddingBottom = segs.length ? `${(entries.length - segs[segs.length - 1][1]) * pitch}px` : "0px";
    measureSoon();
  }
  function measure() {
    if (!ol.isConnected) return;
    const segs = segments(entries.length, screen, focus);
    const first = segs.length ? segs[0][1] - segs[0][0] : 0;
    const rows = ol.children;
    if (first >= 2 && rows.length >= first) {
      const measured = (rows[first - 1].getBoundingClientRect().top - rows[0].getBoundingClientRect().top) / (first - 1);
      if (measured > 0 && Math.abs(measured - pitch) > 0.5) pitch = measured;
    }
    const next = blocksOnScreen(entries.length, pitch, -ol.getBoundingClientRect().top, innerHeight, reach);
    if (next[0] !== screen[0] || next[1] !== screen[1]) {
      screen = next;
      update();
    }
    // Once the first screen is painted and the browser is idle, the blocks around it follow.
    if (reach === 0) requestIdleCallback(() => ((reach = 1), measure()));
  }
  function measureSoon() {
    if (waiting) return;
    waiting = true;
    requestAnimationFrame(() => ((waiting = false), measure()));
  }
  addEventListener("scroll", measureSoon, { passive: true });
  addEventListener("resize", measureSoon);
  const entryOf = (node) => node?.closest?.("li[data-entry]")?.dataset.entry;
  ol.addEventListener("focusin", (e) => {
    const i = index.get(entryOf(e.target));
    if (i !== undefined && i !== focus) ((focus = i), update());
  });
  ol.addEventListener("focusout", (e) => {
    if (entryOf(e.relatedTarget) === undefined && focus !== null) ((focus = null), update());
  });
  update();
  return () => (removeEventListener("scroll", measureSoon), removeEventListener("resize", measureSoon));
}

/** "Find in my account", as the app's: words from any entry, matching entries listed. */
function findInAccount(entries) {
  const status = el("p", { class: "hint", id: "find-in-account-status", role: "status" });
  const list = el("ul", { class: "find-results" });
  const input = el("input", { id: "find-in-account", type: "search", autocomplete: "off", "aria-describedby": "find-in-account-hint find-in-account-status" });
  input.addEventListener("input", () => {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    const found = words.length ? entries.filter((e) => words.every((w) => [e.what_happened, e.knew_or_believed, e.what_i_did].some((f) => f.toLowerCase().includes(w)))) : [];
    status.textContent = words.length ? `${found.length} entries match.` : "";
    list.replaceChildren(...found.slice(0, 20).map((e) => el("li", {}, el("button", { type: "button", class: "link" }, `Entry at ${display(e.at)}: ${e.what_happened}`))));
  });
  return el(
    "div",
    { class: "find-in-account", role: "search", "aria-label": "In my account" },
    el("div", { class: "field" }, el("label", { for: "find-in-account" }, "Find in my account"), el("p", { class: "hint", id: "find-in-account-hint" }, "Words from any of your entries. The page shows the entries near where you are, so the browser's own find may miss the others."), input),
    status,
    list,
  );
}

let stopWindow = () => {};
function accountEditor(participant) {
  const account = accounts.get(participant.id);
  const ol = el("ol", { class: "entry-list" });
  const kinds = [["", "Choose…"], ["technical", "Technical"], ["human", "Human"], ["organisational", "Organisational"], ["knowledge_gap", "Knowledge gap"], ["operational_surprise", "Operational surprise"]];
  return el(
    "section",
    { class: "card account-editor", "aria-labelledby": "account-heading" },
    el("h2", { id: "account-heading" }, "Your account"),
    el("p", { class: "meta" }, `Writing as ${participant.name} (${participant.role}).`),
    el("p", { class: "privacy-note" }, "Only you can see this until the facilitator reveals all accounts at once. Write what you saw, knew and did at the time; the coach below a field suggests blameless wording but never stops you."),
    el(
      "section",
      { class: "timeline-editor", "aria-labelledby": "timeline-heading" },
      el("h3", { id: "timeline-heading" }, "Timeline"),
      el("p", { class: "hint" }, "What happened, moment by moment, as you saw it. Changes are saved as you type."),
      ...(account.entries.length > BLOCK ? [findInAccount(account.entries)] : []),
      ol,
      el(
        "form",
        { class: "new-entry card", novalidate: "", "aria-labelledby": "new-entry-heading" },
        el("h4", { id: "new-entry-heading" }, "Add a timeline entry"),
        dateField("new-entry-at", "", () => {}),
        coached("new-entry-what", "What happened", "", () => {}, { required: true }),
        coached("new-entry-knew", "What I knew or believed then", "", () => {}, { hint: "What made your actions make sense at the time?" }),
        coached("new-entry-did", "What I did", "", () => {}),
        el("p", { class: "form-error", "aria-live": "polite" }),
        el("button", { type: "submit", class: "primary" }, "Add entry"),
        el("p", { class: "form-status", role: "status" }),
      ),
    ),
    el(
      "section",
      { class: "observations-editor", "aria-labelledby": "observations-heading" },
      el("h3", { id: "observations-heading" }, "Observations"),
      el("p", { class: "hint" }, "What made the incident possible, or harder to handle? Tag each with a kind."),
      el("p", { class: "empty" }, "No observations yet."),
      el("ul", { class: "observation-list" }),
      el(
        "form",
        { class: "new-observation card", novalidate: "", "aria-labelledby": "new-observation-heading" },
        el("h4", { id: "new-observation-heading" }, "Add an observation"),
        el(
          "div",
          { class: "field kind-field" },
          el("label", { for: "new-observation-kind" }, "Kind"),
          el("select", { id: "new-observation-kind", required: "", "aria-describedby": "new-observation-kind-error", "aria-invalid": "false" }, ...kinds.map(([v, t]) => new Option(t, v))),
          el("p", { class: "field-error", id: "new-observation-kind-error", "aria-live": "polite" }),
        ),
        coached("new-observation-text", "Observation", "", () => {}, { required: true, rows: 3 }),
        el("p", { class: "form-error", "aria-live": "polite" }),
        el("button", { type: "submit", class: "primary" }, "Add observation"),
        el("p", { class: "form-status", role: "status" }),
      ),
    ),
    el(
      "section",
      { class: "submit-account", "aria-labelledby": "submit-heading" },
      el("h3", { id: "submit-heading" }, "Submit"),
      el("p", { class: "hint" }, "When your account is complete, submit it. Nobody reads it before the reveal."),
      el("button", { class: "primary", type: "button", "aria-expanded": "false", "aria-controls": "submit-confirm" }, "Submit my account…"),
      el("p", { class: "form-error", role: "alert" }),
      el("div", { id: "submit-confirm" }),
    ),
  );
}

function facilitatorView() {
  return el("section", { class: "card account-editor" }, el("p", {}, "Choose your name under “Acting as” to write your account."));
}

// "Acting as" changed: drop the previous person's editor and build the new one, as the app does.
select.addEventListener("change", () => {
  const p = participants.find((x) => x.id === select.value);
  stopWindow();
  stopWindow = () => {};
  const editor = p ? accountEditor(p) : facilitatorView();
  host.replaceChildren(editor);
  const ol = editor.querySelector(".entry-list");
  if (ol) stopWindow = windowed(ol, accounts.get(p.id).entries);
});
host.append(facilitatorView());
document.body.dataset.ready = "true";
