// The live room of a group session, through the real server, with four browser profiles: a
// facilitator and three participants. Presence comes and goes with the page, "still writing"
// shows for the one typing and clears when they submit, a timebox counts down the same in every
// profile and says "Time's up" at zero, and a raised hand reaches the facilitator at once.
import { Locator, Page } from "@playwright/test";
import { test, expect, expectNoAxeViolations, snap, startServer } from "./fixtures";
import { addEntry, createReview, join, profile, submit, useServer } from "./steps";

const TITLE = "Checkout latency spike";
/** The server's presence timeout in this test, in seconds (`--presence-timeout`). */
const PRESENCE_TIMEOUT = 6;


const room = (page: Page) => page.getByRole("region", { name: "The room" });
/** What the room says of one member: "here", "away", "still writing", "submitted". */
const stateOf = (page: Page, name: string) =>
  room(page).getByRole("listitem").filter({ hasText: name }).locator(".member-state");
const timer = (page: Page) => room(page).getByRole("timer");

/** The countdown's `m:ss` in seconds. */
async function secondsLeft(page: Page): Promise<number> {
  const [m, s] = (await timer(page).innerText()).trim().split(":").map(Number);
  return m * 60 + s;
}

test("the room shows who is here and writing, one timebox for everyone, and raised hands", async ({ browser }) => {
  test.info().setTimeout(150_000);
  const server = await startServer(["--presence-timeout", String(PRESENCE_TIMEOUT)]);
  try {
    const [, facilitator] = await profile(browser, server);
    await useServer(facilitator, server);
    await createReview(facilitator, { title: TITLE, started: "2026-11-20T14:00", severity: "sev2", team: "Payments" });
    // How working through the server goes is said once: folded, it stays folded after a reload.
    const note = facilitator.getByRole("button", { name: "Working together through the server" });
    await expect(note).toHaveAttribute("aria-expanded", "true");
    await expect(facilitator.getByText("People join with the invite link")).toBeVisible();
    await note.click();
    await expect(note).toHaveAttribute("aria-expanded", "false");
    await facilitator.reload();
    await expect(note).toHaveAttribute("aria-expanded", "false");
    await expect(facilitator.getByText("People join with the invite link")).toBeHidden();
    const invite = await facilitator.getByLabel("Invite link").inputValue();

    const people = [
      { name: "Ada Lovelace", role: "on-call engineer" },
      { name: "Ben Okafor", role: "incident commander" },
      { name: "Chen Wu", role: "database engineer" },
    ];
    const pages: Page[] = [];
    for (const p of people) {
      const [, page] = await profile(browser, server);
      await join(page, invite, p.name, p.role, TITLE);
      pages.push(page);
    }
    const [ada, ben, chen] = pages;
    await facilitator.getByRole("button", { name: "Start independent accounts" }).click();
    for (const page of pages) {
      await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible({ timeout: 5_000 });
    }

    // The facilitator's page puts the room and the submissions first, then the guide to the
    // phase; Setup is folded away.
    await expect(room(facilitator)).toBeVisible();
    const top = async (l: Locator) => (await l.boundingBox())!.y;
    const guide = facilitator.getByRole("button", { name: "Facilitator's guide: Independent accounts" });
    const submissions = facilitator.getByRole("heading", { name: "Submissions" });
    expect(await top(room(facilitator))).toBeLessThan(await top(submissions));
    expect(await top(submissions)).toBeLessThan(await top(guide));
    const setup = facilitator.getByText("Setup: invite link, facts, participants and reference material");
    await expect(setup).toBeVisible();
    await expect(facilitator.getByLabel("Invite link")).toBeHidden();
    // Everyone is here, seen from every profile.
    for (const page of [facilitator, ...pages]) {
      await expect(room(page).getByText("3 of 3 participants here")).toBeVisible({ timeout: 5_000 });
      for (const p of people) await expect(stateOf(page, p.name)).toHaveText("here");
    }
    await expectNoAxeViolations(facilitator);
    await expectNoAxeViolations(ada);

    // Ada writes: "still writing" shows for her, in every profile, and for nobody else.
    await addEntry(ada, "2026-11-20T14:02", "ADA-MARKER p99 latency alert fired", "a deploy was to blame");
    for (const page of [facilitator, ben, chen]) {
      await expect(stateOf(page, "Ada Lovelace")).toHaveText("here · still writing", { timeout: 5_000 });
      await expect(stateOf(page, "Ben Okafor")).toHaveText("here");
    }
    await expect(facilitator.locator("body")).not.toContainText("ADA-MARKER");

    // The facilitator starts a one-minute timebox: every profile counts down the same time.
    await facilitator.getByLabel("Timebox length").selectOption({ label: "1 minute" });
    await facilitator.getByRole("button", { name: "Start a timebox" }).click();
    for (const page of [facilitator, ...pages]) await expect(timer(page)).toBeVisible({ timeout: 5_000 });
    const left = await Promise.all([facilitator, ...pages].map(secondsLeft));
    expect(Math.max(...left) - Math.min(...left)).toBeLessThanOrEqual(1);
    expect(Math.min(...left)).toBeGreaterThan(50);
    // Said once, politely; the timer itself is not a live region that speaks every second.
    const said = room(ben).getByRole("status");
    await expect(said).toHaveText("Timebox started: 1 minute for Independent accounts.");
    await expect(timer(ben)).toHaveAttribute("aria-live", "off");
    const before = await timer(ben).innerText();
    await expect(timer(ben)).not.toHaveText(before, { timeout: 5_000 });
    await expect(said).toHaveText("Timebox started: 1 minute for Independent accounts.");
    await snap(facilitator, "room-timebox");

    // Ben raises his hand: the facilitator sees it live and lowers it for everyone.
    await ben.getByRole("button", { name: "Raise hand: I need more time" }).click();
    await expect(room(facilitator).getByText("Hand raised: I need more time")).toBeVisible({ timeout: 5_000 });
    await expect(room(chen).getByText("Hand raised: I need more time")).toBeVisible({ timeout: 5_000 });
    await expect(ben.getByText("Your hand is raised: I need more time.")).toBeVisible();
    await expectNoAxeViolations(facilitator);
    await facilitator.getByRole("button", { name: "Lower Ben Okafor's hand" }).click();
    for (const page of [facilitator, ...pages]) {
      await expect(room(page).getByText("Hand raised: I need more time")).toHaveCount(0, { timeout: 5_000 });
    }
    await expect(ben.getByRole("button", { name: "Raise hand: I need more time" })).toBeVisible();

    // Ada submits: she is no longer writing, and shows as submitted.
    await submit(ada);
    await expect(stateOf(facilitator, "Ada Lovelace")).toHaveText("here · submitted", { timeout: 5_000 });
    await expect(room(facilitator).getByText("3 of 3 participants here · 0 still writing · 1 submitted")).toBeVisible();

    // Chen closes the page: everyone sees Chen away within the presence timeout.
    await chen.close();
    await expect(stateOf(facilitator, "Chen Wu")).toHaveText("away", { timeout: PRESENCE_TIMEOUT * 1_000 });
    await expect(stateOf(ben, "Chen Wu")).toHaveText("away");

    // Zero: a "Time's up" note that blocks nothing, and one polite announcement of it.
    await expect(room(facilitator).getByText(/^Time's up\. Finish the thought/)).toBeVisible({ timeout: 70_000 });
    await expect(room(ben).getByText(/^Time's up\. Finish the thought/)).toBeVisible({ timeout: 2_000 });
    await expect(said).toHaveText("Time's up.");
    await expect(timer(ben)).toHaveText("0:00");
    await expect(ben.getByRole("button", { name: "Raise hand: I have a question" })).toBeEnabled();
    await expect(facilitator.getByRole("button", { name: "Add 5 minutes" })).toBeVisible();
    await expectNoAxeViolations(ben);
    await snap(ben, "room-times-up");

    // Five more minutes, then stopped: the same for everyone.
    await facilitator.getByRole("button", { name: "Add 5 minutes" }).click();
    await expect(said).toHaveText(/^Timebox extended: (5 minutes|4 minutes 5\d seconds) left\.$/, { timeout: 5_000 });
    await facilitator.getByRole("button", { name: "Stop the timebox" }).click();
    await expect(said).toHaveText("The facilitator stopped the timebox.", { timeout: 5_000 });
    await expect(room(ben).getByText("Timebox stopped by the facilitator.")).toBeVisible();
  } finally {
    await server.stop();
  }
});
