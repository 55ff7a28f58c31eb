// Themes and guidance in the page: a facilitator and two participants, each in their own browser
// profile, through the server. The guidance beside the account and the facilitator's guide to
// each phase fold away and stay folded; in the group review the facilitator groups related
// factors into named themes (by hand and from a suggestion), the participants dot them, and the
// published finding lists each theme with its factors, each factor keeping its section's audience.
import { Page } from "@playwright/test";
import { test, expect, expectNoAxeViolations, snap } from "./fixtures";
import { addEntry, addObservation, createReview, join, profile, publish, status, submit, useServer } from "./steps";

const TITLE = "Queue consumer stall";



/** Folds a guidance panel away from the keyboard, and checks it stays folded after a reload. */
async function foldAndReload(page: Page, title: string, text: string) {
  const button = page.getByRole("button", { name: title, exact: true });
  const body = page.locator(`[id="${await button.getAttribute("aria-controls")}"]`);
  await expect(button).toHaveAttribute("aria-expanded", "true");
  await expect(body).toContainText(text);
  await button.focus();
  await page.keyboard.press("Enter");
  await expect(button).toHaveAttribute("aria-expanded", "false");
  await expect(body).toBeHidden();
  await page.reload();
  await expect(button).toHaveAttribute("aria-expanded", "false");
  await expect(body).toBeHidden();
}

test("guidance folds away and stays folded; the facilitator groups factors into themes, people dot them, and the finding lists them by audience", async ({
  browser,
  server,
}) => {
  test.info().setTimeout(180_000);
  const [facilitatorContext, facilitator] = await profile(browser, server, { timezoneId: "UTC" });
  await useServer(facilitator, server);
  await createReview(facilitator, { title: TITLE, started: "2026-11-20T09:00", severity: "sev3", team: "Payments" });
  const invite = await facilitator.getByLabel("Invite link").inputValue();

  // ── The facilitator's guide to Setup: what to do, what to ask, how long. ──
  const setupGuide = facilitator.getByRole("button", { name: "Facilitator's guide: Setup", exact: true });
  await expect(setupGuide).toHaveAttribute("aria-expanded", "true");
  const setupBody = facilitator.locator(`[id="${await setupGuide.getAttribute("aria-controls")}"]`);
  for (const heading of ["What to do now", "What to ask", "How long it usually takes"]) {
    await expect(setupBody.getByRole("heading", { name: heading })).toBeVisible();
  }
  await expectNoAxeViolations(facilitator);

  const [anaContext, ana] = await profile(browser, server, { timezoneId: "UTC" });
  await join(ana, invite, "Ana Ruiz", "on-call engineer", TITLE);
  const [benContext, ben] = await profile(browser, server, { timezoneId: "UTC" });
  await join(ben, invite, "Ben Okafor", "incident commander", TITLE);
  // Only the person running the review sees the facilitator's guide.
  await expect(ana.getByRole("button", { name: /^Facilitator's guide/ })).toHaveCount(0);

  await facilitator.getByRole("button", { name: "Start independent accounts" }).click();
  // Each phase has its own guide, shown until folded; folded, it stays folded after a reload.
  await foldAndReload(
    facilitator,
    "Facilitator's guide: Independent accounts",
    "Let everyone write on their own.",
  );

  // ── "How to write your account", beside the editor: folded, and still folded after a reload. ──
  await expect(ana.getByRole("heading", { name: "Your account", exact: true })).toBeVisible({ timeout: 3_000 });
  await expectNoAxeViolations(ana);
  await foldAndReload(ana, "How to write your account", "Tell it as you lived it.");
  // Ben never folded his: it is his browser's choice, not the review's.
  await expect(ben.getByRole("button", { name: "How to write your account", exact: true })).toHaveAttribute(
    "aria-expanded",
    "true",
  );
  await expectNoAxeViolations(ana);

  // Their accounts: two pairs of related factors, noted by different people.
  await addEntry(ana, "2026-11-20T09:05", "Queue depth alert fired", "a slow consumer");
  await addEntry(ben, "2026-11-20T09:20", "Found the consumer stuck on one message", "a bad payload");
  await addObservation(ana, "Technical", "Queue consumer alert fired too late");
  await addObservation(ana, "Knowledge gap", "Replay runbook was missing the payload step");
  await addObservation(ben, "Organisational", "Nobody owned the queue consumer alert");
  await addObservation(ben, "Technical", "The replay runbook skips bad payloads");
  await addObservation(ben, "Human", "Handover happened mid-incident");
  for (const page of [ana, ben]) {
    await expect(status(page)).toHaveText("Saved");
    await submit(page);
  }
  await expect(facilitator.getByText("2 of 2 participants have submitted.")).toBeVisible({ timeout: 3_000 });
  await facilitator.getByRole("button", { name: "Reveal all accounts…" }).click();
  await facilitator.getByRole("button", { name: "Reveal now" }).click();

  // The group review has its own guide, open: folding the last phase's didn't fold this one.
  await expect(facilitator.getByRole("button", { name: "Facilitator's guide: Group review", exact: true })).toHaveAttribute(
    "aria-expanded",
    "true",
  );

  // ── Suggestions from shared wording. ──
  const themes = facilitator.getByRole("region", { name: "Themes", exact: true });
  const suggested = themes.getByRole("region", { name: "Suggested themes" });
  await expect(suggested.locator(".suggestion")).toHaveCount(2);
  await expect(suggested.getByRole("button", { name: "Make this theme: Queue consumer alert" })).toBeVisible();
  await expect(suggested.getByRole("button", { name: "Make this theme: Replay runbook" })).toBeVisible();
  await expect(ana.getByRole("region", { name: "Suggested themes" })).toHaveCount(0);

  // Ana places a dot on a factor before it is grouped.
  await ana.getByRole("button", { name: "Vote for: The replay runbook skips bad payloads" }).click();
  await expect(ana.getByText("Ana Ruiz (on-call engineer): 2 of 3 dots left.", { exact: false })).toBeVisible();

  // ── Grouping by hand, from the keyboard. Two factors at least, and a name. ──
  const factors = facilitator.locator(".factors-panel");
  const group = facilitator.getByRole("form", { name: "Group selected factors into a theme" });
  const groupButton = group.getByRole("button", { name: /^Group into a theme/ });
  await expect(groupButton).toBeDisabled();
  await factors.getByLabel("Select for a theme: Queue consumer alert fired too late").focus();
  await facilitator.keyboard.press("Space");
  await expect(group.getByText("Select at least two related factors below to group them.")).toBeVisible();
  await factors.getByLabel("Select for a theme: Nobody owned the queue consumer alert").focus();
  await facilitator.keyboard.press("Space");
  await expect(groupButton).toHaveText("Group into a theme (2 selected)");
  await group.getByLabel("Theme name").focus();
  await facilitator.keyboard.press("Enter");
  await expect(group.getByText("The theme's name is required")).toBeVisible();
  await expect(group.getByLabel("Theme name")).toHaveAttribute("aria-invalid", "true");
  await expect(themes.getByText("No themes yet.", { exact: false })).toBeVisible();
  await facilitator.keyboard.type("Alert ownership");
  await facilitator.keyboard.press("Enter");
  const alertTheme = themes.getByRole("listitem").filter({ has: facilitator.getByRole("heading", { name: "Alert ownership" }) });
  await expect(alertTheme.locator(".theme-factors li")).toHaveText([
    "Queue consumer alert fired too late (Technical; noted by Ana Ruiz (on-call engineer))",
    "Nobody owned the queue consumer alert (Organisational; noted by Ben Okafor (incident commander))",
  ]);
  await expect(groupButton).toHaveText("Group into a theme (0 selected)");
  // Grouped factors leave their kinds' lists, and their suggestion is gone.
  await expect(factors.getByRole("region", { name: "Organisational" })).toContainText("All of these are in themes, above.");
  await expect(suggested.locator(".suggestion")).toHaveCount(1);

  // A name in use is explained, and nothing is grouped.
  await factors.getByLabel("Select for a theme: Handover happened mid-incident").check();
  await factors.getByLabel("Select for a theme: Replay runbook was missing the payload step").check();
  await group.getByLabel("Theme name").fill("alert OWNERSHIP");
  await groupButton.click();
  await expect(group.getByText("The theme's name is already another theme's name: choose a different one")).toBeVisible();
  await expect(themes.locator(".theme")).toHaveCount(1);
  await factors.getByLabel("Select for a theme: Handover happened mid-incident").uncheck();
  await factors.getByLabel("Select for a theme: Replay runbook was missing the payload step").uncheck();
  await group.getByLabel("Theme name").fill("");

  // ── From the suggestion; Ana's dot on one of its factors now counts for the theme. ──
  await suggested.getByRole("button", { name: "Make this theme: Replay runbook" }).click();
  const replayTheme = () =>
    themes.getByRole("listitem").filter({ has: facilitator.getByRole("heading", { name: /^Replay runbook/ }) });
  await expect(replayTheme().locator(".votes")).toHaveText("● 1 vote");
  await expect(suggested.getByText("No theme suggestions left.")).toBeVisible();
  // Ungrouping gives the factors back with their dots.
  await replayTheme().getByRole("button", { name: "Ungroup theme Replay runbook: its factors return with their dots" }).click();
  await expect(themes.locator(".theme")).toHaveCount(1);
  const benFactor = factors.getByRole("listitem").filter({ hasText: "The replay runbook skips bad payloads" });
  await expect(benFactor.locator(".votes")).toHaveText("● 1 vote");
  await expect(ana.getByRole("button", { name: "Vote for: The replay runbook skips bad payloads" })).toHaveAttribute(
    "aria-pressed",
    "true",
    { timeout: 3_000 },
  );
  await suggested.getByRole("button", { name: "Make this theme: Replay runbook" }).click();
  // Renamed from the keyboard: the field takes the focus.
  await replayTheme().getByRole("button", { name: "Rename theme Replay runbook" }).click();
  const rename = replayTheme().getByLabel("New name for the theme “Replay runbook”");
  await expect(rename).toBeFocused();
  await rename.fill(" ");
  await facilitator.keyboard.press("Enter");
  await expect(replayTheme().getByText("The theme's name is required")).toBeVisible();
  await rename.fill("Replay runbook gaps");
  await facilitator.keyboard.press("Enter");
  await expect(themes.getByRole("heading", { name: "Replay runbook gaps" })).toBeVisible();
  await expect(status(facilitator)).toHaveText("Saved");
  await snap(facilitator, "themes-group-review");
  await expectNoAxeViolations(facilitator);

  // ── Participants dot the themes: one dot each, counted once per person. ──
  const anaThemes = ana.getByRole("region", { name: "Themes", exact: true });
  await expect(anaThemes.getByRole("heading", { name: "Replay runbook gaps" })).toBeVisible({ timeout: 3_000 });
  await expect(anaThemes.getByRole("button", { name: "Vote for theme: Replay runbook gaps" })).toHaveAttribute(
    "aria-pressed",
    "true",
  );
  await expect(anaThemes.getByRole("button", { name: /^Rename/ })).toHaveCount(0);
  await anaThemes.getByRole("button", { name: "Vote for theme: Alert ownership" }).focus();
  await ana.keyboard.press("Enter");
  await ben.getByRole("button", { name: "Vote for theme: Alert ownership" }).click();
  await expect(ana.getByText("Ana Ruiz (on-call engineer): 1 of 3 dots left.", { exact: false })).toBeVisible();
  await expect(alertTheme.locator(".votes")).toHaveText("●● 2 votes", { timeout: 3_000 });
  await expectNoAxeViolations(ana);
  for (const page of [ana, ben]) await expect(status(page)).toHaveText("Saved");

  // ── Published: each theme with its factors; grouped factors are not listed again. ──
  await facilitator.getByRole("button", { name: "Plan actions" }).click();
  await facilitator.getByLabel("Summary", { exact: true }).fill("A consumer stalled on one bad message.");
  await facilitator.getByRole("group", { name: "Contributing factors", exact: true }).getByLabel("Whole organisation").check();
  await expect(status(facilitator)).toHaveText("Saved");
  await publish(facilitator);
  const finding = facilitator.getByTestId("finding");
  const findingThemes = finding.getByTestId("finding-themes");
  await expect(findingThemes.locator(".factor-kind")).toHaveText(["Alert ownership — 2 votes", "Replay runbook gaps — 1 vote"]);
  await expect(findingThemes.locator("li")).toHaveText([
    "Queue consumer alert fired too late — Technical, noted by on-call engineer",
    "Nobody owned the queue consumer alert — Organisational, noted by incident commander",
    "Replay runbook was missing the payload step — Knowledge gap, noted by on-call engineer Team only",
    "The replay runbook skips bad payloads — Technical, noted by incident commander",
  ]);
  const contributing = finding.locator(".finding-section").filter({
    has: facilitator.getByRole("heading", { name: "Contributing factors" }),
  });
  await expect(contributing).toContainText("Handover happened mid-incident");
  await expect(contributing).not.toContainText("Queue consumer alert fired too late");
  await expectNoAxeViolations(facilitator);

  // ── A reader from another team: only what the organisation may read. ──
  const [readerContext, reader] = await profile(browser, server, { timezoneId: "UTC" });
  await reader.goto("/feed");
  await reader.getByRole("link", { name: TITLE }).click();
  const card = reader.getByTestId("finding");
  await expect(card.getByTestId("finding-themes").locator(".factor-kind")).toHaveText([
    "Alert ownership — 2 votes",
    "Replay runbook gaps — 1 vote",
  ]);
  await expect(card).toContainText("The replay runbook skips bad payloads");
  await expect(card).toContainText("Handover happened mid-incident");
  await expect(card).not.toContainText("Replay runbook was missing the payload step");
  await expect(card).not.toContainText("Ana Ruiz");
  await expectNoAxeViolations(reader);
  for (const context of [facilitatorContext, anaContext, benContext, readerContext]) await context.close();
});
