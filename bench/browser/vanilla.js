// The vanilla-JS page: what the browser must do at the least to show, switch and edit an
// account of 2,000 entries with the DOM the app produces. The model is kept in plain objects;
// a keystroke updates the model and the field's coach count, as the app's DOM update does.

// The app's stylesheets, so layout and style costs are the same as the app's.
const index = new DOMParser().parseFromString(await (await fetch("/index.html")).text(), "text/html");
for (const link of index.querySelectorAll('link[rel="stylesheet"]')) {
  const l = document.createElement("link");
  l.rel = "stylesheet";
  l.href = link.getAttribute("href");
  document.head.append(l);
}
const doc = await (await fetch("review.json")).json();
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
    { class: "entry card" },
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

function accountEditor(participant) {
  const account = accounts.get(participant.id);
  const ol = el("ol", { class: "entry-list" });
  const frag = document.createDocumentFragment();
  for (const entry of account.entries) frag.append(entryRow(entry));
  ol.append(frag);
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
  host.replaceChildren(p ? accountEditor(p) : facilitatorView());
});
host.append(facilitatorView());
document.body.dataset.ready = "true";
