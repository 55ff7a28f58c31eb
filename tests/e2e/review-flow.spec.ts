// A whole review on one device in "this browser only" mode, played as the people in it would:
// three participants write their accounts in turn and submit, the facilitator reveals, links
// entries, the group votes, plans actions and publishes; the feed shows the finding with roles,
// not names. A reload at every step loses nothing.
import { test, expect, expectNoAxeViolations, reloadWhenSaved, snap } from "./fixtures";
import type { Page } from "@playwright/test";
import { addEntry, addObservation, publish, submit } from "./steps";

test.use({ timezoneId: "UTC", thisBrowserOnly: true });

const people = [
  { name: "Dana Reyes", role: "on-call SRE", optIn: false },
  { name: "Eli Park", role: "incident commander", optIn: true },
  { name: "Farah Nasser", role: "database engineer", optIn: false },
];
const label = (p: (typeof people)[number]) => `${p.name} (${p.role})`;

async function actAs(page: Page, who: string) {
  await page.getByLabel("Acting as").selectOption({ label: who });
}

async function reloadKeeps(page: Page, heading: string) {
  // A person reloads once the app says their work is saved.
  await reloadWhenSaved(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(heading);
}

test("three people review an incident from accounts to a published finding", async ({ page }) => {
  test.setTimeout(120_000);
  const title = "Search timeouts during index rebuild";
  await page.goto("/");
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Incident started").fill("2026-11-18T09:00");
  await page.getByLabel("Severity").selectOption("sev2");
  await page.getByLabel("Team").fill("Search");
  await page.getByLabel("Services").fill("search-api, indexer");
  await page.getByRole("button", { name: "Create review" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);

  // Setup: the participants.
  const addForm = page.getByRole("form", { name: "Add a participant" });
  for (const p of people) {
    await addForm.getByLabel("Name", { exact: true }).fill(p.name);
    await addForm.getByLabel("Role in the incident").fill(p.role);
    if (p.optIn) await addForm.getByLabel("Show this person's name when published").check();
    await addForm.getByRole("button", { name: "Add participant" }).click();
    await expect(addForm.getByRole("status")).toHaveText(`${p.name} added.`);
  }
  await snap(page, "1-setup");
  await reloadKeeps(page, title);
  for (const p of people) await expect(page.getByRole("button", { name: `Edit ${p.name}` })).toBeVisible();

  // No reveal before anyone has written: the phase machine guards it.
  await page.getByRole("button", { name: "Start independent accounts" }).click();
  await expect(page.getByRole("button", { name: "Reveal all accounts…" })).toBeDisabled();
  await reloadKeeps(page, title);

  // Independent accounts, one person after another on this device.
  const [dana, eli, farah] = people;
  await actAs(page, label(dana));
  await addEntry(page, "2026-11-18T09:04", "Search latency alert fired for the search api",
    "I believed the index rebuild was unrelated");
  await addObservation(page, "Knowledge gap", "Nobody knew the rebuild shares the cache with queries");
  await snap(page, "2-account");
  await reloadKeeps(page, title);
  await expect(page.getByRole("group", { name: "Entry at 2026-11-18 09:04" }).getByLabel("What happened"))
    .toHaveValue("Search latency alert fired for the search api");
  await submit(page);

  await actAs(page, label(eli));
  // Nothing of Dana's is shown to Eli.
  await expect(page.locator("body")).not.toContainText("index rebuild was unrelated");
  await addEntry(page, "2026-11-18T09:06", "Search latency alert fired, search api timeouts climbing",
    "I believed the rebuild caused it");
  await addObservation(page, "Operational surprise", "The rebuild ran at peak traffic");
  await submit(page);

  await actAs(page, label(farah));
  await addEntry(page, "2026-11-18T09:20", "Paused the index rebuild", "I believed the cache was thrashing");
  await addObservation(page, "Technical", "Rebuild and queries share one cache");
  await submit(page);
  await reloadKeeps(page, title);
  await expect(page.getByRole("heading", { name: "Your account (submitted)" })).toBeVisible();

  // The facilitator sees who submitted, never what, and reveals.
  await actAs(page, "Facilitator");
  await expect(page.getByText("3 of 3 participants have submitted.")).toBeVisible();
  await expect(page.locator("body")).not.toContainText("Paused the index rebuild");
  await snap(page, "3-submissions");
  await page.getByRole("button", { name: "Reveal all accounts…" }).click();
  await expect(page.getByRole("alertdialog", { name: "Reveal all accounts?" })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByRole("button", { name: "Reveal now" }).click();
  await expect(page.locator(".phase-stepper [aria-current=step]")).toHaveText("Group review");
  await reloadKeeps(page, title);

  // Group review: everyone's entries together, each keeping its reporter.
  const merged = page.getByTestId("merged-timeline");
  await expect(merged.getByText("Paused the index rebuild")).toBeVisible();
  await expect(merged.getByText("Search latency alert fired for the search api")).toBeVisible();
  await expect(merged).toContainText("Farah Nasser");
  const suggestion = page.getByRole("button", { name: /^Link these/ });
  await expect(suggestion).toHaveCount(1);
  await suggestion.click();
  await expect(page.getByText("Linked: 2 reports")).toBeVisible();
  await snap(page, "4-group-review");
  await expect(page.getByRole("heading", { name: "Beliefs that differed" })).toBeVisible();
  await expectNoAxeViolations(page);
  await reloadKeeps(page, title);
  await expect(page.getByText("Linked: 2 reports")).toBeVisible();

  // Dot-voting, as a participant.
  await actAs(page, label(dana));
  await page.getByRole("button", { name: "Vote for: Rebuild and queries share one cache" }).click();
  await expect(page.getByText("2 of 3 dots left")).toBeVisible();
  await reloadKeeps(page, title);
  await expect(page.getByText("2 of 3 dots left")).toBeVisible();

  // Key insight and action planning, as the facilitator.
  await actAs(page, "Facilitator");
  await page.getByLabel("New key insight").fill("Shared caches couple batch work to user traffic");
  await page.getByRole("button", { name: "Add insight" }).click();
  await page.getByRole("button", { name: "Plan actions" }).click();
  await page.getByLabel("Title", { exact: true }).fill("Give the indexer its own cache");
  await page.getByLabel("Kind").selectOption("prevent");
  await page.getByLabel("Priority").selectOption("p1");
  await page.getByLabel("Owner").selectOption({ label: label(farah) });
  await page.getByLabel("Due date").fill("2099-01-31");
  await page.getByRole("button", { name: "Add action" }).click();
  await expect(page.getByTestId("action-list").getByText("Give the indexer its own cache")).toBeVisible();
  await snap(page, "5-actions");
  await reloadKeeps(page, title);
  await expect(page.getByTestId("action-list").getByText("Give the indexer its own cache")).toBeVisible();

  // Publish, with a summary that names people: roles replace the names of those who didn't opt in.
  await page.getByLabel("Summary", { exact: true })
    .fill("Dana Reyes saw timeouts; Eli Park paged the team; Farah Nasser paused the rebuild.");
  await publish(page);
  await expectNoAxeViolations(page);
  await reloadKeeps(page, title);
  await expect(page.getByRole("heading", { name: "Published finding" })).toBeVisible();

  // Printing gives the review without the app's controls.
  await page.emulateMedia({ media: "print" });
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await expect(page.getByRole("button", { name: "Export Markdown" })).toBeHidden();
  await expect(page.getByLabel("Acting as")).toBeHidden();
  await expect(page.getByTestId("finding")).toBeVisible();
  await expect(page.getByTestId("merged-timeline")).toBeVisible();
  if (process.env.MOSAIC_SCREENSHOTS) await page.pdf({ path: `${process.env.MOSAIC_SCREENSHOTS}/review.pdf` });
  await page.emulateMedia({ media: "screen" });

  await page.getByRole("link", { name: "Findings feed" }).click();
  // The feed's part may still be downloading (the review page stays until it is there).
  await expect(page.getByRole("heading", { level: 1, name: "Findings feed" })).toBeVisible();
  const feed = page.locator("main");
  await expect(feed.getByText(title)).toBeVisible();
  await expect(feed).toContainText("Shared caches couple batch work to user traffic");
  await expect(feed).toContainText("Give the indexer its own cache");
  await expect(feed).toContainText("Eli Park"); // opted in
  await expect(feed).toContainText("database engineer");
  await expect(feed).not.toContainText("Dana");
  await expect(feed).not.toContainText("Farah");
  await snap(page, "6-feed");
  await expectNoAxeViolations(page);
  await reloadWhenSaved(page);
  await expect(page.locator("main").getByText(title)).toBeVisible();
});

test("the flow works from the keyboard alone", async ({ page }) => {
  await page.goto("/");
  // Tab from the top of the page into the new-review form and fill it without the mouse.
  const tabTo = async (name: string) => {
    // Setup holds the facts, participants, the question guide and reference material.
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el?.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent?.trim() ?? el.textContent?.trim() : el?.textContent?.trim();
      });
      if (focused === name) return;
    }
    throw new Error(`could not reach ${name} with Tab`);
  };
  await tabTo("Title");
  await page.keyboard.type("Keyboard-only review");
  await tabTo("Incident started");
  await page.keyboard.type("11182026");
  await page.keyboard.press("Tab");
  await page.keyboard.type("0900AM");
  await tabTo("Severity");
  await page.keyboard.press("ArrowDown");
  await tabTo("Team");
  await page.keyboard.type("Search");
  await tabTo("Create review");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Keyboard-only review");

  await tabTo("Name");
  await page.keyboard.type("Gil");
  await tabTo("Role in the incident");
  await page.keyboard.type("on-call SRE");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Edit Gil" })).toBeVisible();
  await tabTo("Start independent accounts");
  await page.keyboard.press("Enter");
  await expect(page.locator(".phase-stepper [aria-current=step]")).toHaveText("Independent accounts");
  await page.getByLabel("Acting as").focus();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
});
