// Teaching the analysis while people do it: a facilitator and two participants, each in their own
// browser profile, through the server. The facilitator shapes the question guide in Setup; each
// participant answers privately in their own account; after the reveal the answers stand side by
// side, question by question.
import { Page } from "@playwright/test";
import { test, expect, expectNoAxeViolations, snap } from "./fixtures";
import { addEntry, addObservation, createReview, join, openSetup, profile, publish, status, submit, useServer } from "./steps";

const TITLE = "Payment queue backlog";
const CUSTOM = "Which dashboard did you trust first?";


/** Every bit of text on the page, including what form fields hold. */
async function everythingShown(page: Page): Promise<string> {
  return page.evaluate(() => {
    const values = Array.from(document.querySelectorAll("input, textarea, select")).map(
      (el) => (el as HTMLInputElement).value,
    );
    return [document.body.innerText, ...values].join("\n");
  });
}


test("the facilitator shapes the questions, each person answers privately, and the answers meet after the reveal", async ({
  browser,
  server,
}) => {
  test.info().setTimeout(180_000);
  const [facilitatorContext, facilitator] = await profile(browser, server, { timezoneId: "UTC" });
  await useServer(facilitator, server);
  await createReview(facilitator, { title: TITLE, started: "2026-11-20T09:00", severity: "sev2", team: "Payments" });
  const invite = await facilitator.getByLabel("Invite link").inputValue();

  const [anaContext, ana] = await profile(browser, server, { timezoneId: "UTC" });
  await join(ana, invite, "Ana Ruiz", "on-call engineer", TITLE);
  const [benContext, ben] = await profile(browser, server, { timezoneId: "UTC" });
  await join(ben, invite, "Ben Okafor", "incident commander", TITLE);

  // ── Setup: the facts' impact and times. A count that isn't a number is explained. ──
  const facts = facilitator.getByRole("form", { name: "Incident facts" });
  await facts.getByLabel("Detected").fill("2026-11-20T09:05");
  await facts.getByLabel("Resolved").fill("2026-11-20T09:50");
  await facts.getByLabel("Customer impact").fill("Card payments queued for up to 45 minutes");
  await facts.getByLabel("Customers affected (optional)").fill("lots");
  await facts.getByRole("button", { name: "Save facts" }).click();
  await expect(facts.getByText("Customers affected must be a whole number, or empty when unknown")).toBeVisible();
  await facts.getByLabel("Customers affected (optional)").fill("1,200");
  await facts.getByRole("button", { name: "Save facts" }).click();
  await expect(facts.getByRole("status")).toHaveText("Incident facts saved.");

  // ── Setup: the guide. A new review starts from Mosaic's guide. ──
  const guide = facilitator.getByRole("region", { name: "Question guide" });
  await expect(guide.getByText("In use: Mosaic's guide.")).toBeVisible();
  await expect(guide.getByText("What helped?")).toBeVisible();
  await guide.getByLabel("Guide", { exact: true }).selectOption({ label: "Lightweight" });
  await guide.getByRole("button", { name: "Use this guide" }).click();
  await expect(guide.getByRole("status").first()).toHaveText("Now using Lightweight.");
  await expect(guide.locator(".question-text")).toHaveText([
    "What happened, in your own words?",
    "What surprised you?",
    "What helped?",
  ]);

  // A question with no text is explained and adds nothing.
  const add = guide.getByRole("form", { name: "Add a question" });
  await add.getByRole("button", { name: "Add question" }).click();
  await expect(add.getByText("Question is required")).toBeVisible();
  await expect(add.getByLabel("Question", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(guide.locator(".question-text")).toHaveCount(3);

  // A custom question, with a hint.
  await add.getByLabel("Question", { exact: true }).fill(CUSTOM);
  await add.getByLabel("Hint for participants (optional)").fill("Name the graph or log you opened.");
  await add.getByRole("button", { name: "Add question" }).click();
  await expect(add.getByRole("status")).toHaveText("Question added.");
  await expect(guide.locator(".question-text").nth(3)).toHaveText(CUSTOM);
  await expect(guide.getByText("In use: Lightweight, edited.")).toBeVisible();

  // Reordered from the keyboard: the focus stays with the moved question.
  await guide.getByRole("button", { name: "Move up question 4" }).focus();
  await facilitator.keyboard.press("Enter");
  await expect(guide.locator(".question-text").nth(2)).toHaveText(CUSTOM);
  await expect(guide.getByRole("button", { name: "Move up question 3" })).toBeFocused();
  await facilitator.keyboard.press("Enter");
  // Each press once the last one's move has landed and the focus is back on its button.
  await expect(guide.locator(".question-text").nth(1)).toHaveText(CUSTOM);
  await expect(guide.getByRole("button", { name: "Move up question 2" })).toBeFocused();
  await facilitator.keyboard.press("Enter");
  await expect(guide.locator(".question-text").first()).toHaveText(CUSTOM);
  // At the top, "Move up" is disabled: the keyboard is on "Move down" of the same question.
  await expect(guide.getByRole("button", { name: "Move down question 1" })).toBeFocused();

  // Edited in place, and one removed.
  await guide.getByRole("button", { name: "Edit question 2" }).click();
  const editing = guide.getByRole("form", { name: "Edit question 2" });
  await expect(editing.getByLabel("Question", { exact: true })).toBeFocused();
  await editing.getByLabel("Question", { exact: true }).fill("What happened, as you saw it?");
  await editing.getByRole("button", { name: "Save question" }).click();
  await expect(guide.getByRole("button", { name: "Edit question 2" })).toBeFocused();
  await guide.getByRole("button", { name: "Remove question 3" }).click();
  await expect(guide.locator(".question-text")).toHaveText([
    CUSTOM,
    "What happened, as you saw it?",
    "What helped?",
  ]);
  await expect(status(facilitator)).toHaveText("Saved");
  await snap(facilitator, "guides-setup");
  await expectNoAxeViolations(facilitator);

  // ── Accounts open: the questions are fixed. ──
  await facilitator.getByRole("button", { name: "Start independent accounts" }).click();
  await openSetup(facilitator);
  await expect(guide.getByText("The questions are fixed now that accounts are open")).toBeVisible();
  await expect(guide.getByRole("button", { name: "Edit question 1" })).toHaveCount(0);

  // Each participant answers privately, with the coach.
  const answers = [
    { page: ana, trusted: "ANA-ANSWER the queue depth graph", helped: "ANA-HELPED the rollback script" },
    { page: ben, trusted: "BEN-ANSWER the error budget board", helped: "BEN-HELPED I should have paged sooner" },
  ];
  for (const { page, trusted, helped } of answers) {
    await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible({ timeout: 3_000 });
    const questions = page.getByRole("region", { name: "Questions" });
    await expect(questions.getByLabel(CUSTOM)).toBeVisible();
    await expect(questions.getByText("Name the graph or log you opened.")).toBeVisible();
    await questions.getByLabel(CUSTOM).fill(trusted);
    await questions.getByLabel("What helped?").fill(helped);
  }
  // The coach speaks under an answer too.
  const benHelped = ben.getByRole("region", { name: "Questions" }).getByLabel("What helped?");
  const coachId = `${await benHelped.getAttribute("id")}-coach`;
  await expect(ben.locator(`[id="${coachId}"]`)).toContainText("Wording coach: 1 phrase to reconsider");
  await expectNoAxeViolations(ana);

  // Their timelines, for the key moments.
  await addEntry(ana, "2026-11-20T09:05", "Queue depth alert fired", "a slow consumer");
  await addEntry(ana, "2026-11-20T09:40", "Replayed the stuck messages", "the fix was deployed");
  await addEntry(ben, "2026-11-20T09:20", "Found Ana Ruiz's consumer stuck on one message", "a bad payload");
  await addEntry(ben, "2026-11-20T09:30", "Posted an update to support", "");

  // What helped, and where they were lucky: observation kinds of their own.
  await addObservation(ana, "What helped", "HELPED-MARKER the queue had a replay button");
  await addObservation(ben, "Where we were lucky", "LUCKY-MARKER the backlog peaked after payday");

  // Ana's answers are in her account on the server: a reload brings them back.
  await expect(status(ana)).toHaveText("Saved");
  await ana.reload();
  await expect(ana.getByRole("region", { name: "Questions" }).getByLabel(CUSTOM)).toHaveValue(answers[0].trusted);

  // Nobody else sees an answer before the reveal.
  await expect(status(ben)).toHaveText("Saved");
  await submit(ana);
  await expect(ana.getByRole("definition").filter({ hasText: "ANA-ANSWER" })).toBeVisible();
  await submit(ben);
  await expect(facilitator.getByText("2 of 2 participants have submitted.")).toBeVisible({ timeout: 3_000 });
  for (const [page, others] of [
    [facilitator, ["ANA-", "BEN-"]],
    [ana, ["BEN-"]],
    [ben, ["ANA-"]],
  ] as const) {
    const seen = await everythingShown(page);
    for (const marker of others) expect(seen).not.toContain(marker);
  }

  // ── The reveal: the answers side by side, question by question. ──
  await facilitator.getByRole("button", { name: "Reveal all accounts…" }).click();
  await facilitator.getByRole("button", { name: "Reveal now" }).click();
  for (const page of [facilitator, ana, ben]) {
    const byQuestion = page.getByRole("region", { name: "Answers by question" });
    await expect(byQuestion).toBeVisible({ timeout: 3_000 });
    const trusted = byQuestion.getByRole("region", { name: CUSTOM });
    await expect(trusted.locator(".answer")).toHaveText([
      "Ana Ruiz (on-call engineer)ANA-ANSWER the queue depth graph",
      "Ben Okafor (incident commander)BEN-ANSWER the error budget board",
    ]);
    await expect(byQuestion.getByRole("region", { name: "What happened, as you saw it?" })).toContainText(
      "Nobody answered this question.",
    );
  }
  // The facilitator marks three key moments, from the keyboard; everyone sees the marks.
  const mark = (time: string) => facilitator.getByLabel(`Mark as (the moment at 2026-11-20 ${time})`);
  await mark("09:40").focus();
  await mark("09:40").selectOption({ label: "Repair" });
  await mark("09:05").selectOption({ label: "Detection" });
  await mark("09:20").selectOption({ label: "Diagnosis" });
  await mark("09:30").selectOption({ label: "Key moment" });
  await mark("09:30").selectOption({ label: "Not a key moment" });
  await expect(status(facilitator)).toHaveText("Saved");
  const anaTimeline = ana.getByTestId("merged-timeline");
  await expect(anaTimeline.locator(".moment-kind")).toHaveText(["Detection", "Diagnosis", "Repair"], { timeout: 3_000 });
  await expect(ana.getByLabel(/^Mark as/)).toHaveCount(0);
  await expectNoAxeViolations(facilitator);

  // The group review gives them their own headings.
  const factors = facilitator.locator(".factors-panel");
  await expect(factors.getByRole("heading", { name: "What helped" })).toBeVisible();
  await expect(factors.getByRole("region", { name: "What helped" })).toContainText("HELPED-MARKER");
  await expect(factors.getByRole("region", { name: "Where we were lucky" })).toContainText("LUCKY-MARKER");
  await snap(ana, "guides-revealed");
  await expectNoAxeViolations(ana);

  // ── Published: the sections and their audiences. ──
  await facilitator.getByRole("button", { name: "Plan actions" }).click();
  await facilitator.getByLabel("Summary", { exact: true }).fill("The payment queue backed up for an hour.");
  await expect(status(facilitator)).toHaveText("Saved");
  await publish(facilitator);
  const finding = facilitator.getByTestId("finding");
  await expect(finding.getByRole("heading", { name: "What helped" })).toContainText("Team only");
  await expect(finding).toContainText("HELPED-MARKER the queue had a replay button — noted by on-call engineer");
  await expect(finding.getByRole("heading", { name: "Where we were lucky" })).toContainText("Team only");
  await expect(finding).toContainText("LUCKY-MARKER");
  await expect(finding.getByTestId("timings")).toHaveText("Time to detect: 5 min · Time to resolve: 50 min");
  await expect(finding.getByTestId("impact")).toHaveText(
    "Customer impact: Card payments queued for up to 45 minutes (1200 affected)",
  );
  const unfolded = finding.locator(".finding-moments li");
  await expect(finding.getByRole("heading", { name: "How it unfolded" })).toContainText("Team only");
  await expect(unfolded).toHaveText([
    "2026-11-20 09:05 Detection Queue depth alert fired — reported by on-call engineer",
    "2026-11-20 09:20 Diagnosis Found on-call engineer's consumer stuck on one message — reported by incident commander",
    "2026-11-20 09:40 Repair Replayed the stuck messages — reported by on-call engineer",
  ]);
  await expectNoAxeViolations(facilitator);

  // A reader from another team reads only the organisation's sections.
  const [readerContext, reader] = await profile(browser, server, { timezoneId: "UTC" });
  await reader.goto("/feed");
  await expect(reader.getByTestId("feed-entry").filter({ hasText: TITLE })).toContainText(
    "Time to detect: 5 min · Time to resolve: 50 min",
  );
  const timings = reader.getByTestId("timings");
  await expect(timings.locator("tbody tr")).toHaveCount(1);
  await expect(timings.locator("tbody tr")).toContainText("5 min");
  await expect(timings.locator("tbody tr")).toContainText("50 min");
  await expectNoAxeViolations(reader);
  await reader.getByRole("link", { name: TITLE }).click();
  const card = reader.getByTestId("finding");
  await expect(card).toContainText("The payment queue backed up for an hour.");
  await expect(card.getByTestId("impact")).toContainText("1200 affected");
  for (const hidden of ["HELPED-MARKER", "LUCKY-MARKER", "What helped", "Where we were lucky", "How it unfolded", "Queue depth alert", "ANA-", "BEN-"]) {
    await expect(card).not.toContainText(hidden);
  }
  await expectNoAxeViolations(reader);
  for (const context of [facilitatorContext, anaContext, benContext, readerContext]) await context.close();
});
