// The review flow, part 1, in "this browser only" mode: the facilitator sets a review up, people
// taking turns on one device write independent accounts with the wording coach, reload, and
// submit; nobody sees anyone else's account.
import { test, expect, expectNoAxeViolations, reloadWhenSaved } from "./fixtures";
import { openSetup } from "./steps";
import type { Locator, Page } from "@playwright/test";

test.use({ timezoneId: "UTC", thisBrowserOnly: true });

const ALICE = "Alice Smith (on-call SRE)";
const BOB = "Bob Jones (incident commander)";

// What Alice writes; none of it may ever appear while Bob is acting.
const ALICE_TEXT = [
  "Checkout error alerts fired",
  "I believed the deploy was unrelated",
  "I should have checked the dashboard",
  "the service failed to connect",
  "The runbook did not mention the new queue",
  "Half-written thought",
  "Rolled back the deploy",
];

async function createReview(page: Page) {
  await page.goto("/");
  await page.getByLabel("Title").fill("Checkout errors after deploy");
  await page.getByLabel("Incident started").fill("2026-11-20T14:05");
  await page.getByLabel("Severity").selectOption("sev2");
  await page.getByLabel("Team").fill("Payments");
  await page.getByLabel("Services").fill("checkout, ledger");
  await page.getByRole("button", { name: "Create review" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Checkout errors after deploy");
}

async function addParticipant(page: Page, name: string, role: string, showName = false) {
  const form = page.getByRole("form", { name: "Add a participant" });
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Role in the incident").fill(role);
  if (showName) await form.getByLabel("Show this person's name when published").check();
  await form.getByRole("button", { name: "Add participant" }).click();
  await expect(form.getByRole("status")).toHaveText(`${name} added.`);
  // The form is empty again, ready for the next person.
  await expect(form.getByLabel("Name", { exact: true })).toHaveValue("");
}

async function actAs(page: Page, label: string) {
  await page.getByLabel("Acting as").selectOption({ label });
}

/** The coach's area for one text field. */
async function coachFor(field: Locator): Promise<Locator> {
  const id = await field.getAttribute("id");
  return field.page().locator(`[id="${id}-coach"]`);
}

/** Every bit of text on the page, including what form fields hold. */
async function everythingShown(page: Page): Promise<string> {
  return page.evaluate(() => {
    const values = Array.from(document.querySelectorAll("input, textarea, select")).map(
      (el) => (el as HTMLInputElement).value,
    );
    return [document.body.innerText, ...values].join("\n");
  });
}

test("set up, write independent accounts with the coach, reload, and submit", async ({ page }) => {
  await createReview(page);
  await expectNoAxeViolations(page);

  // ── Setup, as the facilitator ──
  const facts = page.getByRole("form", { name: "Incident facts" });
  await facts.getByLabel("Team").fill("Payments platform");
  await facts.getByLabel("Detected").fill("2026-11-20T14:10");
  await expect(facts.getByText("Unsaved changes")).toBeVisible();
  await facts.getByLabel("Title").fill("");
  await facts.getByRole("button", { name: "Save facts" }).click();
  await expect(facts.getByText("Title is required")).toBeVisible();
  await expect(facts.getByLabel("Title")).toHaveAttribute("aria-invalid", "true");
  await facts.getByLabel("Title").fill("Checkout errors after the 14:00 deploy");
  await facts.getByRole("button", { name: "Save facts" }).click();
  await expect(facts.getByRole("status")).toHaveText("Incident facts saved.");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(
    "Checkout errors after the 14:00 deploy",
  );
  await expect(page.locator(".review-header .meta")).toContainText("Payments platform");

  await addParticipant(page, "Alice Smith", "on-call SRE", true);
  await addParticipant(page, "Bob Jones", "incident commander");
  await addParticipant(page, "Carol", "database engineer");

  // Edit in place.
  await page.getByRole("button", { name: "Edit Carol" }).click();
  const carolForm = page.getByRole("form", { name: "Edit Carol" });
  await expect(carolForm.getByLabel("Name", { exact: true })).toBeFocused();
  await carolForm.getByLabel("Role in the incident").fill("DBA on call");
  await carolForm.getByRole("button", { name: "Save" }).click();
  await expect(page.locator(".participant-role", { hasText: "DBA on call" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Edit Carol" })).toBeFocused();

  // Reference material: pasted text.
  const text = page.getByRole("form", { name: "Add pasted text" });
  await text.getByLabel("Title").fill("Incident channel");
  await text.getByLabel("Text").fill("14:03 pager: checkout 5xx above 2%\n14:09 deploy bot: rollback started");
  await text.getByRole("button", { name: "Add text" }).click();
  await expect(page.getByText("Pasted text, ")).toBeVisible();

  // A bad alert timeline is explained and changes nothing.
  const alerts = page.getByRole("form", { name: "Import an alert timeline" });
  const json = alerts.getByLabel("Alert timeline (JSON)");
  await alerts.getByLabel("Title").fill("PagerDuty alerts");
  await json.fill('[{"at": "yesterday", "summary": "p99 latency"}]');
  await alerts.getByRole("button", { name: "Import alerts" }).click();
  await expect(alerts.getByText('Alert 1: "at" must be an RFC 3339 time')).toBeVisible();
  await expect(json).toHaveAttribute("aria-invalid", "true");
  await expect(json).toHaveAttribute("aria-describedby", /reference-alerts-json-error/);
  await json.fill("[{");
  await alerts.getByRole("button", { name: "Import alerts" }).click();
  await expect(alerts.getByText(/Not valid JSON at line 1/)).toBeVisible();
  await expect(page.locator(".reference-list li")).toHaveCount(1);
  await expectNoAxeViolations(page);

  // A good one, out of order, from a file.
  await json.fill("");
  await alerts.getByLabel("Title").fill("");
  await alerts.getByLabel("Or choose a JSON file").setInputFiles({
    name: "pagerduty_alerts.json",
    mimeType: "application/json",
    buffer: Buffer.from(
      JSON.stringify([
        { at: "2026-11-20T14:20:00Z", summary: "Error rate back under 1%", source: "Grafana" },
        { at: "2026-11-20T14:02:00Z", summary: "Checkout 5xx above 2%", source: "PagerDuty" },
      ]),
    ),
  });
  await expect(alerts.getByLabel("Title")).toHaveValue("pagerduty alerts");
  await expect(json).toHaveValue(/Checkout 5xx above 2%/);
  await alerts.getByRole("button", { name: "Import alerts" }).click();
  await expect(alerts.getByRole("status")).toHaveText("Imported 2 alerts as “pagerduty alerts”.");
  await expect(page.getByText("Alert timeline, 2 alerts")).toBeVisible();

  // Something added by mistake is removed.
  await text.getByLabel("Title").fill("Scratch");
  await text.getByLabel("Text").fill("to be removed");
  await text.getByRole("button", { name: "Add text" }).click();
  await expect(page.locator(".reference-list li")).toHaveCount(3);
  await page.getByRole("button", { name: "Remove Scratch" }).click();
  await page.getByRole("button", { name: "Yes, remove" }).click();
  await expect(page.locator(".reference-list li")).toHaveCount(2);
  await expectNoAxeViolations(page);

  // ── Independent accounts ──
  await page.getByRole("button", { name: "Start independent accounts" }).click();
  await expect(page.getByRole("heading", { name: "Submissions" })).toBeVisible();
  await expect(page.getByText("0 of 3 participants have submitted.")).toBeVisible();
  await expectNoAxeViolations(page);

  await actAs(page, ALICE);
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  // The alert timeline beside the account, in time order.
  const alertItems = page.locator(".reference-panel .alert-timeline li");
  await expect(alertItems).toHaveCount(2);
  await expect(alertItems.nth(0)).toContainText("14:02 Checkout 5xx above 2% (PagerDuty)");
  await expect(alertItems.nth(1)).toContainText("14:20 Error rate back under 1% (Grafana)");
  await expect(page.locator(".reference-panel")).toContainText("rollback started");

  const newEntry = page.getByRole("form", { name: "Add a timeline entry" });
  await newEntry.getByLabel("When").fill("2026-11-20T14:07");
  await newEntry.getByLabel("What happened").fill("Checkout error alerts fired");
  await newEntry.getByLabel("What I knew or believed then").fill("I believed the deploy was unrelated");
  const did = newEntry.getByLabel("What I did");
  await did.fill("I should have checked the dashboard");
  // The coach points at "should have", explains, and suggests; it doesn't block.
  const didCoach = await coachFor(did);
  await expect(didCoach).toContainText("Wording coach: 1 phrase to reconsider");
  await expect(didCoach.locator("mark")).toHaveText("should have");
  await expect(didCoach.getByRole("listitem")).toContainText("describes a world that didn't happen");
  await expect(didCoach.getByRole("listitem")).toContainText("Try: Describe what happened");
  await expect(did).toHaveAttribute("aria-describedby", /-coach/);
  // A colleague named as the one who should have acted: describe the role and the situation.
  await did.fill("Ben should have checked the dashboard");
  await expect(didCoach.locator("mark").first()).toHaveText("Ben should have");
  await expect(didCoach).toContainText("Describe the role and the situation instead");
  await did.fill("I should have checked the dashboard");
  await expect(didCoach).toContainText("Wording coach: 1 phrase to reconsider");
  await expectNoAxeViolations(page);
  await newEntry.getByRole("button", { name: "Add entry" }).click();
  await expect(newEntry.getByRole("status")).toHaveText("Entry added to your timeline.");
  await expect(newEntry.getByLabel("When")).toBeFocused();
  await expect(newEntry.getByLabel("What happened")).toHaveValue("");

  // Edited in place: emptying a required field keeps what was typed and explains; typing saves.
  const row = page.getByRole("group", { name: "Entry at 2026-11-20 14:07" });
  const what = row.getByLabel("What happened");
  await expect(what).toHaveValue("Checkout error alerts fired");
  await what.fill("");
  await expect(row.getByText("What happened is required")).toBeVisible();
  await expect(what).toHaveValue("");
  await expect(what).toHaveAttribute("aria-invalid", "true");
  // Reloading now keeps the emptied field (and its problem), not the old text.
  await reloadWhenSaved(page);
  await expect(row.getByLabel("What happened")).toHaveValue("");
  await expect(row.getByText("What happened is required")).toBeVisible();
  await what.click();
  await page.keyboard.type("the service failed");
  await page.keyboard.type(" to connect");
  // Focus and caret survive the saves made on every keystroke.
  await expect(what).toBeFocused();
  await expect(what).toHaveValue("the service failed to connect");
  await expect(row.getByText("What happened is required")).toHaveCount(0);
  await expect(await coachFor(what)).not.toContainText("Wording coach");
  await expect(await coachFor(row.getByLabel("What I did"))).toContainText("should have");

  // Observations.
  const newObservation = page.getByRole("form", { name: "Add an observation" });
  await newObservation.getByRole("button", { name: "Add observation" }).click();
  await expect(newObservation.getByText("Kind is required")).toBeVisible();
  await expect(newObservation.getByText("Observation is required")).toBeVisible();
  await newObservation.getByLabel("Kind").selectOption({ label: "Knowledge gap" });
  await newObservation.getByLabel("Observation").fill("The runbook did not mention the new queue");
  await newObservation.getByRole("button", { name: "Add observation" }).click();
  const observation = page.getByRole("group", { name: "Knowledge gap observation" });
  await expect(observation.getByLabel("Observation")).toHaveValue("The runbook did not mention the new queue");
  await observation.getByLabel("Kind").selectOption({ label: "Organisational" });
  await expect(page.getByRole("group", { name: "Organisational observation" })).toBeVisible();
  // Entries stay in time order; a row whose time changed moves once the person leaves it, and
  // the field they went to keeps the focus.
  await newEntry.getByLabel("When").fill("2026-11-20T14:15");
  await newEntry.getByLabel("What happened").fill("Rolled back the deploy");
  await newEntry.getByRole("button", { name: "Add entry" }).click();
  const legends = page.locator(".entry-list legend");
  await expect(legends).toHaveText(["Entry at 2026-11-20 14:07", "Entry at 2026-11-20 14:15"]);
  await page.getByRole("group", { name: "Entry at 2026-11-20 14:15" }).getByLabel("When").fill("2026-11-20T14:01");
  await expect(legends).toHaveText(["Entry at 2026-11-20 14:07", "Entry at 2026-11-20 14:01"]);
  const firstWhat = row.getByLabel("What happened");
  await firstWhat.click();
  await expect(legends).toHaveText(["Entry at 2026-11-20 14:01", "Entry at 2026-11-20 14:07"]);
  await expect(firstWhat).toBeFocused();
  // A removal can be undone: the entry comes back with every word.
  const removeFirst = () => page.getByRole("group", { name: "Entry at 2026-11-20 14:01" })
    .getByRole("button", { name: "Remove this entry" }).click();
  await removeFirst();
  await expect(legends).toHaveText(["Entry at 2026-11-20 14:07"]);
  await expect(page.getByRole("status").filter({ hasText: "Entry at 2026-11-20 14:01 removed." })).toBeVisible();
  const undo = page.getByRole("button", { name: "Undo" });
  await expect(undo).toBeFocused();
  await undo.click();
  await expect(legends).toHaveText(["Entry at 2026-11-20 14:01", "Entry at 2026-11-20 14:07"]);
  await expect(page.getByRole("group", { name: "Entry at 2026-11-20 14:01" }).getByLabel("What happened"))
    .toHaveValue("Rolled back the deploy");
  await expect(undo).toHaveCount(0);
  await removeFirst();
  await expect(legends).toHaveText(["Entry at 2026-11-20 14:07"]);

  // A half-written new entry is a draft that survives a reload too.
  await newEntry.getByLabel("What happened").fill("Half-written thought");
  await expectNoAxeViolations(page);

  await reloadWhenSaved(page);
  await expect(page.getByLabel("Acting as")).toHaveValue(/.+/);
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await expect(row.getByLabel("What happened")).toHaveValue("the service failed to connect");
  await expect(row.getByLabel("What I knew or believed then")).toHaveValue("I believed the deploy was unrelated");
  await expect(page.getByRole("group", { name: "Organisational observation" }).getByLabel("Observation"))
    .toHaveValue("The runbook did not mention the new queue");
  await expect(newEntry.getByLabel("What happened")).toHaveValue("Half-written thought");

  // ── Bob takes the device: nothing of Alice's is anywhere on the page ──
  await actAs(page, BOB);
  await expect(page.locator(".account-editor .meta")).toHaveText("Writing as Bob Jones (incident commander).");
  await expect(page.getByText("No entries yet")).toBeVisible();
  const shown = await everythingShown(page);
  for (const phrase of ALICE_TEXT) expect(shown).not.toContain(phrase);
  await newEntry.getByLabel("When").fill("2026-11-20T14:12");
  await newEntry.getByLabel("What happened").fill("Opened the incident bridge");
  await newEntry.getByRole("button", { name: "Add entry" }).click();
  await expect(page.getByRole("group", { name: "Entry at 2026-11-20 14:12" })).toBeVisible();
  await expectNoAxeViolations(page);

  // ── Alice submits, from the keyboard ──
  await actAs(page, ALICE);
  for (const phrase of ["Opened the incident bridge"]) {
    expect(await everythingShown(page)).not.toContain(phrase);
  }
  await page.getByRole("button", { name: "Submit my account…" }).click();
  await expect(page.getByText("Submitting seals your account: you can't change it afterwards.")).toBeVisible();
  await expect(page.getByText("Some text you typed isn't part of your account yet")).toBeVisible();
  await expect(page.getByRole("button", { name: "Submit and seal" })).toBeFocused();
  await expectNoAxeViolations(page);
  await page.keyboard.press("Enter");

  await expect(page.getByRole("heading", { name: "Your account (submitted)" })).toBeVisible();
  const commitment = (await page.locator(".commitment .hash").textContent()) ?? "";
  expect(commitment).toMatch(/^[0-9a-f]{64}$/);
  await expect(page.getByText("everyone can recompute it")).toBeVisible();
  await expect(page.getByText("the service failed to connect")).toBeVisible();
  await expect(page.locator(".account-editor").getByRole("textbox")).toHaveCount(0);
  const aliceRow = page.getByRole("row", { name: /Alice Smith/ });
  await expect(aliceRow).toContainText("Submitted");
  await expect(aliceRow).toContainText(commitment);
  await expect(page.getByRole("row", { name: /Bob Jones/ })).toContainText("Not yet submitted");
  await expect(page.getByText("1 of 3 participants have submitted.")).toBeVisible();
  await expectNoAxeViolations(page);

  // Still sealed after a reload.
  await reloadWhenSaved(page);
  await expect(page.getByRole("heading", { name: "Your account (submitted)" })).toBeVisible();
  await expect(page.locator(".commitment .hash")).toHaveText(commitment);

  // ── Removing asks first, and says what happens to someone who submitted ──
  await actAs(page, "Facilitator");
  for (const phrase of ALICE_TEXT) expect(await everythingShown(page)).not.toContain(phrase);
  await openSetup(page);
  await page.getByRole("button", { name: "Remove Alice Smith" }).click();
  await expect(
    page.getByText("Alice Smith has submitted. Removing them now keeps their sealed account out of the reveal"),
  ).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByRole("button", { name: "Keep Alice Smith" }).click();
  await expect(page.getByRole("button", { name: "Edit Alice Smith" })).toBeVisible();
  await page.getByRole("button", { name: "Remove Carol" }).click();
  await page.getByRole("button", { name: "Yes, remove Carol" }).click();
  await expect(page.getByRole("button", { name: "Remove Carol" })).toHaveCount(0);
  await expect(page.getByText("1 of 2 participants have submitted.")).toBeVisible();
  await expectNoAxeViolations(page);
});
