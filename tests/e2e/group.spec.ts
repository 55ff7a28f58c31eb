// The review flow after the reveal, in "this browser only" mode: import a revealed review, work
// through the merged timeline, factors, actions and the finding, publish it, and read it on the
// feed with roles instead of names. State is seeded only through the import UI, like a person.
import { test, expect, expectNoAxeViolations, reloadWhenSaved } from "./fixtures";
import type { Page } from "@playwright/test";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { publish } from "./steps";

test.use({ timezoneId: "UTC", thisBrowserOnly: true });

type Entry = { id: string; at: string; what_happened: string; knew_or_believed: string; what_i_did: string };
type Observation = { id: string; kind: string; text: string };
type Person = { id: string; name: string; role: string; show_name_when_published: boolean };

const REVIEW_ID = "r-group-1";

/** The canonical form of an account's content, as docs/review-export.md defines it. JSON.stringify
 *  escapes strings exactly as the definition asks (`"`, `\`, control characters only). */
function canonical(reviewId: string, participantId: string, entries: Entry[], observations: Observation[]) {
  const s = JSON.stringify;
  const e = entries.map(
    (x) =>
      `{"id":${s(x.id)},"at":${s(x.at)},"what_happened":${s(x.what_happened)},` +
      `"knew_or_believed":${s(x.knew_or_believed)},"what_i_did":${s(x.what_i_did)}}`,
  );
  const o = observations.map((x) => `{"id":${s(x.id)},"kind":${s(x.kind)},"text":${s(x.text)}}`);
  return (
    `{"format":"mosaic-account/1","review_id":${s(reviewId)},"participant_id":${s(participantId)},` +
    `"entries":[${e.join(",")}],"observations":[${o.join(",")}]}`
  );
}

function account(reviewId: string, participantId: string, entries: Entry[], observations: Observation[], submitted: boolean) {
  const commitment = createHash("sha256").update(canonical(reviewId, participantId, entries, observations), "utf8").digest("hex");
  return {
    review_id: reviewId,
    participant_id: participantId,
    version: 3,
    entries,
    observations,
    submitted_at: submitted ? "2026-11-02T09:00:00Z" : null,
    commitment: submitted ? commitment : null,
  };
}

const entry = (id: string, hhmm: string, what_happened: string, knew_or_believed = "", what_i_did = ""): Entry => ({
  id,
  at: `2026-11-01T${hhmm}:00Z`,
  what_happened,
  knew_or_believed,
  what_i_did,
});

const people: Person[] = [
  { id: "alice", name: "Alice Smith", role: "on-call SRE", show_name_when_published: false },
  { id: "bob", name: "Bob Jones", role: "incident commander", show_name_when_published: true },
  { id: "carol", name: "Carol White", role: "database engineer", show_name_when_published: false },
];

const contents: Record<string, [Entry[], Observation[]]> = {
  alice: [
    [
      entry("a1", "10:02", "Checkout error rate alert fired", "The 10:00 deploy was the likely cause", "Paged the incident commander"),
      entry("a2", "10:12", "Rolled back the checkout deploy", "The rollback would fix it", "Ran the rollback runbook"),
    ],
    [
      { id: "ao1", kind: "technical", text: "No alert on connection pool saturation" },
      { id: "ao2", kind: "knowledge_gap", text: "Rollback runbook out of date" },
    ],
  ],
  bob: [
    [
      entry("b1", "10:05", "Checkout error rate alert fired on the pager", "The database was overloaded", "Opened the incident channel"),
      entry("b2", "10:25", "Everything looked healthy again", "", "Declared the incident resolved"),
    ],
    [
      { id: "bo1", kind: "organisational", text: "Alice Smith had no say in the deploy timing" },
      { id: "bo2", kind: "operational_surprise", text: "The rollback took ten minutes" },
    ],
  ],
  carol: [
    [
      entry("c1", "10:08", "Database connection pool saturated", "The pool was too small for peak traffic", "Raised the pool size"),
      entry("c2", "10:24", "Pool usage dropped after the change", "", "Watched the graphs"),
    ],
    [{ id: "co1", kind: "human", text: "Carol was paged while handing over on-call" }],
  ],
};

/** A review export document in the given phase, every account submitted and recorded. */
function reviewExport(phase: "investigating" | "revealed", opts: { draftFor?: string } = {}) {
  const accounts = people.map((p) => {
    const [entries, observations] = contents[p.id];
    return account(REVIEW_ID, p.id, entries, observations, p.id !== opts.draftFor);
  });
  return JSON.stringify({
    format: "mosaic-review",
    version: 1,
    review: {
      id: REVIEW_ID,
      version: 12,
      created_at: "2026-11-01T12:00:00Z",
      updated_at: "2026-11-02T10:00:00Z",
      facts: {
        title: "Checkout errors after the 10:00 deploy",
        started_at: "2026-11-01T10:00:00Z",
        severity: "sev2",
        team: "Payments",
        services: ["checkout"],
      },
      phase,
      summary: "",
      participants: people,
      reference: [],
      submissions: accounts
        .filter((a) => a.commitment)
        .map((a) => ({ participant_id: a.participant_id, commitment: a.commitment, submitted_at: a.submitted_at })),
      revealed_at: phase === "revealed" ? "2026-11-02T10:00:00Z" : null,
      links: [],
      votes: [],
      key_insights: [],
      actions: [],
      finding: null,
    },
    accounts,
  });
}

async function importFile(page: Page, json: string, name = "review.json") {
  await page.getByLabel("Review file (JSON)").setInputFiles({ name, mimeType: "application/json", buffer: Buffer.from(json) });
}

async function actAs(page: Page, label: string) {
  await page.getByLabel("Acting as").selectOption({ label });
}

async function download(page: Page, button: string) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button, exact: true }).click()]);
  return { name: file.suggestedFilename(), text: readFileSync((await file.path())!, "utf8") };
}

test("a revealed review goes from the merged timeline to a published finding on the feed", async ({ page }) => {
  await page.goto("/");
  await expectNoAxeViolations(page);
  await importFile(page, reviewExport("revealed"));
  await expect(page).toHaveURL(new RegExp(`/reviews/${REVIEW_ID}$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Checkout errors after the 10:00 deploy");

  // The merged timeline keeps every reporter, with their own words.
  const timeline = page.getByTestId("merged-timeline");
  await expect(timeline.getByRole("listitem")).toHaveCount(6);
  await expect(timeline.getByText("Alice Smith (on-call SRE)")).toHaveCount(2);
  await expect(timeline.getByText("The database was overloaded")).toBeVisible();
  await expectNoAxeViolations(page);

  // One suggestion: the two reports of the alert. Link it.
  const suggestions = page.locator(".link-suggestions");
  await expect(suggestions.getByRole("button", { name: /^Link these/ })).toHaveCount(1);
  await suggestions.getByRole("button", { name: /^Link these/ }).click();
  await expect(page.getByText("No suggestions left.")).toBeVisible();
  await expect(timeline.getByRole("listitem")).toHaveCount(5);
  await expect(timeline.getByText("Linked: 2 reports")).toBeVisible();

  // Divergences: the linked reports disagree on the time and on what people believed.
  const divergences = page.getByTestId("divergences");
  await expect(divergences.getByRole("heading", { name: "Times that disagree" })).toBeVisible();
  await expect(divergences.getByText("the times are 3 min apart")).toBeVisible();
  await expect(divergences.getByRole("heading", { name: "Beliefs that differed" })).toBeVisible();
  await expect(divergences.getByText("believed: The database was overloaded")).toBeVisible();
  await expect(divergences.getByRole("heading", { name: "Moments only one person reported" })).toBeVisible();

  // Manual linking: select two entries, link them, then take one back out.
  await expect(page.getByRole("button", { name: "Link selected (0)" })).toBeDisabled();
  await page.getByLabel("Select Bob Jones (incident commander)'s entry at 10:25 for linking").check();
  await page.getByLabel("Select Carol White (database engineer)'s entry at 10:24 for linking").check();
  await page.getByRole("button", { name: "Link selected (2)" }).click();
  await expect(timeline.getByText("Linked: 2 reports")).toHaveCount(2);
  await page.getByRole("button", { name: "Unlink Carol White (database engineer)'s entry at 10:24" }).click();
  await expect(timeline.getByText("Linked: 2 reports")).toHaveCount(1);
  await reloadWhenSaved(page);
  await expect(timeline.getByText("Linked: 2 reports")).toHaveCount(1);
  await expect(timeline.getByRole("listitem")).toHaveCount(5);

  // Dot-voting, as Alice.
  await actAs(page, "Alice Smith (on-call SRE)");
  await expect(page.getByText("Alice Smith (on-call SRE): 3 of 3 dots left.")).toBeVisible();
  const vote = page.getByRole("button", { name: "Vote for: No alert on connection pool saturation" });
  await expect(vote).toHaveAttribute("aria-pressed", "false");
  await vote.click();
  await expect(vote).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByText("Alice Smith (on-call SRE): 2 of 3 dots left.")).toBeVisible();
  await expectNoAxeViolations(page);
  await reloadWhenSaved(page);
  await expect(vote).toHaveAttribute("aria-pressed", "true");
  await expect(page.locator(".factor", { hasText: "No alert on connection pool saturation" })).toContainText("1 vote");

  // A key insight, by the facilitator.
  await actAs(page, "Facilitator");
  await page.getByLabel("New key insight").fill("Pool saturation had no alert, so everyone chased the deploy");
  await page.getByRole("button", { name: "Add insight" }).click();
  await expect(page.locator(".insight-list")).toContainText("Pool saturation had no alert");
  await page.getByRole("button", { name: "Edit insight 1" }).click();
  await expect(page.getByLabel("Insight 1")).toBeFocused();
  await page.getByLabel("Insight 1").fill("Pool saturation had no alert, so everyone chased the deploy first");
  await page.getByRole("button", { name: "Save insight" }).click();
  await expect(page.locator(".insight-list")).toContainText("chased the deploy first");
  // Insights are Markdown, rendered here as in the finding.
  await page.getByLabel("New key insight").fill("Rollbacks are **slower** than people expect");
  await page.getByRole("button", { name: "Add insight" }).click();
  await expect(page.locator(".insight-list strong")).toHaveText("slower");
  await expect(page.locator(".insight-list")).not.toContainText("**");
  await page.getByRole("button", { name: "Remove insight 2" }).click();
  await expect(page.getByRole("group", { name: "Confirm removal" })).toContainText("Remove this insight?");
  await expect(page.getByRole("button", { name: "Keep it" })).toBeFocused();
  await page.getByRole("button", { name: "Yes, remove" }).click();
  await expect(page.locator(".insight-list li")).toHaveCount(1);
  await reloadWhenSaved(page);
  await expect(page.locator(".insight-list")).toContainText("chased the deploy first");
  await expect(page.locator(".insight-list li")).toHaveCount(1);
  await expectNoAxeViolations(page);

  // Action planning.
  await page.getByRole("button", { name: "Plan actions" }).click();
  await expect(page.getByRole("heading", { name: "Follow-up actions" })).toBeVisible();
  await page.getByLabel("Title", { exact: true }).fill("Alert on connection pool saturation");
  await page.getByLabel("Description").fill("Page the database on-call before the pool is full.");
  await page.getByLabel("Owner").selectOption({ label: "Carol White (database engineer)" });
  await page.getByLabel("Kind").selectOption("detect");
  await page.getByLabel("Priority").selectOption("p1");
  await page.getByLabel("Due date").fill("2020-01-15");
  await page.getByLabel("No alert on connection pool saturation (Technical)").check();
  await page.getByRole("button", { name: "Add action" }).click();
  const actions = page.getByTestId("action-list");
  await expect(actions.getByRole("listitem")).toHaveCount(1);
  await expect(page.getByLabel("Title", { exact: true })).toHaveValue("");

  await page.getByLabel("Title", { exact: true }).fill("Update the rollback runbook");
  await page.getByLabel("Owner").selectOption({ label: "Alice Smith (on-call SRE)" });
  await page.getByLabel("Kind").selectOption("prevent");
  await page.getByLabel("Priority").selectOption("p2");
  await page.getByLabel("Due date").fill("2099-06-30");
  await page.getByRole("button", { name: "Add action" }).click();
  await expect(actions.getByRole("listitem")).toHaveCount(2);
  // Backlog order, and only the past-due one is overdue, in words.
  await expect(actions.getByRole("listitem").first()).toContainText("Alert on connection pool saturation");
  await expect(actions.getByRole("listitem").first()).toContainText("Overdue");
  await expect(actions.getByRole("listitem").nth(1)).not.toContainText("Overdue");
  await expect(actions.getByRole("listitem").first()).toContainText("Answers: No alert on connection pool saturation");

  // Editing an action, and changing its status from the list.
  await page.getByRole("button", { name: "Edit Update the rollback runbook" }).click();
  await expect(page.getByRole("heading", { name: "Edit action" })).toBeVisible();
  await expect(page.getByLabel("Title", { exact: true })).toBeFocused();
  await page.getByLabel("Title", { exact: true }).fill("Update and rehearse the rollback runbook");
  await page.getByRole("button", { name: "Save action" }).click();
  await expect(actions.getByRole("listitem").nth(1)).toContainText("Update and rehearse the rollback runbook");
  await actions.getByRole("listitem").nth(1).getByLabel("Status").selectOption("in_progress");
  await reloadWhenSaved(page);
  await expect(actions.getByRole("listitem").nth(1).getByLabel("Status")).toHaveValue("in_progress");

  // A form half-filled survives a reload, as do the actions.
  await page.getByLabel("Title", { exact: true }).fill("Half-written action");
  await reloadWhenSaved(page);
  await expect(actions.getByRole("listitem")).toHaveCount(2);
  await expect(page.getByLabel("Title", { exact: true })).toHaveValue("Half-written action");
  await page.getByLabel("Title", { exact: true }).fill("");
  await expectNoAxeViolations(page);

  // The Jira CSV.
  const csv = await download(page, "Export CSV for Jira");
  expect(csv.name).toBe("checkout-errors-after-the-10-00-deploy-actions.csv");
  const lines = csv.text.split("\r\n");
  expect(lines[0]).toBe("Summary,Description,Issue Type,Priority,Assignee,Due Date,Labels");
  expect(lines[1]).toMatch(/^Alert on connection pool saturation,.*,Task,Highest,Carol White,2020-01-15,postmortem-r-group-1$/s);

  // A summary past its limit is refused in words, and what was typed stays in the field.
  const summary = page.getByLabel("Summary", { exact: true });
  await summary.fill("x".repeat(4001));
  await expect(page.getByText("The summary must be at most 4000 characters")).toBeVisible();
  await expect(summary).toHaveAttribute("aria-invalid", "true");
  expect((await summary.inputValue()).length).toBe(4001);

  // The summary, with a live preview that names people by role.
  await page.getByLabel("Summary", { exact: true }).fill("Checkout failed for twenty minutes. Carol White found the saturated pool.");
  await expect(page.getByText("The summary must be at most 4000 characters")).toHaveCount(0);
  const preview = page.getByTestId("finding");
  await expect(preview).toContainText("Database engineer found the saturated pool");
  await expect(preview).not.toContainText("Carol");
  await expect(preview).toContainText("On-call SRE had no say in the deploy timing");
  await reloadWhenSaved(page);
  await expect(page.getByLabel("Summary", { exact: true })).toHaveValue("Checkout failed for twenty minutes. Carol White found the saturated pool.");
  await expectNoAxeViolations(page);

  // Publish.
  await publish(page);
  await expect(page.getByRole("link", { name: "Open the published finding" })).toBeVisible();
  await expect(page.getByTestId("finding")).toContainText("Database engineer found the saturated pool");
  // The actions are fixed now; only their progress is still recorded, and reaches the finding.
  await expect(page.getByRole("button", { name: "Add action" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Edit / })).toHaveCount(0);
  const first = actions.getByRole("listitem").first();
  await expect(first.getByLabel("Status")).toHaveValue("open");
  await first.getByLabel("Status").selectOption("done");
  await expect(page.getByTestId("finding")).toContainText("Done");
  await reloadWhenSaved(page);
  await expect(page.getByRole("heading", { name: "Published finding" })).toBeVisible();
  await expectNoAxeViolations(page);

  // The feed: the finding with roles, and no name of anyone who didn't opt in.
  await page.getByRole("link", { name: "Findings feed" }).click();
  // The review page (which shows its finding too) stays until the feed's part is there.
  await expect(page.getByRole("heading", { level: 1, name: "Findings feed" })).toBeVisible();
  const card = page.getByTestId("finding");
  await expect(card).toHaveCount(1);
  await expect(card.getByRole("heading", { level: 2 })).toHaveText("Checkout errors after the 10:00 deploy");
  await expect(card).toContainText("SEV2");
  await expect(card).toContainText("Payments");
  await expect(card).toContainText("Checkout failed for twenty minutes. Database engineer found the saturated pool.");
  await expect(card).toContainText("Pool saturation had no alert");
  await expect(card).toContainText("No alert on connection pool saturation — noted by on-call SRE; 1 vote");
  await expect(card.getByRole("heading", { name: "Operational surprises" })).toBeVisible();
  await expect(card).toContainText("The rollback took ten minutes — noted by Bob Jones");
  await expect(card.getByRole("heading", { name: "Knowledge gaps" })).toBeVisible();
  await expect(card).toContainText("Rollback runbook out of date");
  await expect(card.locator(".finding-actions li").first()).toContainText("Alert on connection pool saturation");
  await expect(card.locator(".finding-actions li").first()).toContainText("Done");
  await expect(card.locator(".finding-actions li").first()).toContainText("database engineer");
  await expect(card.locator(".finding-actions li").nth(1)).toContainText("In progress");
  const text = await page.locator("body").innerText();
  for (const name of ["Alice", "Smith", "Carol", "White"]) expect(text).not.toContain(name);
  await expectNoAxeViolations(page);
  await reloadWhenSaved(page);
  await expect(page.getByTestId("finding")).toHaveCount(1);
});

test("a bad import file changes nothing and says why; a known review is replaced only on confirmation", async ({ page }) => {
  await page.goto("/");
  await importFile(page, "{\"format\": ", "broken.json");
  await expect(page.getByRole("alert").filter({ hasText: "Nothing was imported: not valid JSON at line 1" })).toBeVisible();
  await importFile(page, JSON.stringify({ hello: "world" }), "other.json");
  await expect(page.getByText("Nothing was imported: not a Mosaic review export")).toBeVisible();
  // An account changed after it was submitted no longer matches its commitment.
  const tampered = JSON.parse(reviewExport("revealed"));
  tampered.accounts[1].entries[0].what_happened = "Something else";
  await importFile(page, JSON.stringify(tampered), "tampered.json");
  await expect(page.getByText("the account of bob doesn't match its commitment")).toBeVisible();
  await expect(page.getByText("No reviews yet")).toBeVisible();
  await expectNoAxeViolations(page);

  await importFile(page, reviewExport("revealed"));
  await expect(page).toHaveURL(new RegExp(`/reviews/${REVIEW_ID}$`));
  await page.getByRole("link", { name: "Reviews", exact: true }).click();
  await importFile(page, reviewExport("revealed"));
  const dialog = page.getByRole("alertdialog", { name: "Replace the review in this browser?" });
  await expect(dialog).toContainText("This browser already has this review");
  await expect(dialog.getByRole("button", { name: "Keep this browser's review" })).toBeFocused();
  await expectNoAxeViolations(page);
  await dialog.getByRole("button", { name: "Keep this browser's review" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page).toHaveURL(/\/$/);
  await importFile(page, reviewExport("revealed"));
  await page.getByRole("button", { name: "Replace it" }).click();
  await expect(page).toHaveURL(new RegExp(`/reviews/${REVIEW_ID}$`));
});

test("before the reveal an export holds only the acting person's own account", async ({ page }) => {
  await page.goto("/");
  await importFile(page, reviewExport("investigating", { draftFor: "carol" }));
  await expect(page).toHaveURL(new RegExp(`/reviews/${REVIEW_ID}$`));

  const asJson = async () => JSON.parse((await download(page, "Export JSON")).text);
  await actAs(page, "Facilitator");
  expect((await asJson()).accounts).toEqual([]);
  const md = (await download(page, "Export Markdown")).text;
  expect(md).not.toContain("The database was overloaded");

  await actAs(page, "Bob Jones (incident commander)");
  const bobs = (await asJson()).accounts;
  expect(bobs.map((a: any) => a.participant_id)).toEqual(["bob"]);
});

test("a list near its limit says how much room is left before an addition is refused", async ({ page }) => {
  const file = JSON.parse(reviewExport("revealed"));
  file.review.key_insights = Array.from({ length: 39 }, (_, i) => `Insight number ${i + 1}`);
  await page.goto("/");
  await importFile(page, JSON.stringify(file));
  await expect(page).toHaveURL(new RegExp(`/reviews/${REVIEW_ID}$`));
  await actAs(page, "Facilitator");
  const insights = page.locator(".key-insights");
  await expect(insights.locator(".insight-list li")).toHaveCount(39);
  await expect(insights.locator(".limit-hint")).toHaveCount(0);
  await page.getByLabel("New key insight").fill("One more, the fortieth");
  await page.getByRole("button", { name: "Add insight" }).click();
  await expect(insights.locator(".limit-hint")).toHaveText("40 of at most 50 key insights: room for 10 more.");
  await expectNoAxeViolations(page);
});
