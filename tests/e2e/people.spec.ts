// People in a review, through the real server, each in their own browser profile: coming back
// is resuming (never a second participant), one row per person, removal that tells the person
// and keeps their words theirs, and the invite as a credential the facilitator controls.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Browser, BrowserContext, Page } from "@playwright/test";
import { test, expect, expectNoAxeViolations, snap, MosaicServer } from "./fixtures";
import { addEntry, addObservation, createReview, openSetup, profile, publish, status, submit, useServer } from "./steps";

const TITLE = "Checkout latency spike";
/** What no screen may show: the API's words for developers, or a phase's raw key. */
const API_TEXT = /Bearer|token is required|Authorization|in the (setup|investigating|revealed|actions|published) phase/;



/** A facilitator in a profile of their own, with a review on the server, and its invite link. */
async function facilitatorWithReview(browser: Browser, server: MosaicServer): Promise<[BrowserContext, Page, string]> {
  const [context, page] = await profile(browser, server, { acceptDownloads: true });
  await useServer(page, server);
  await createReview(page, { title: TITLE, started: "2026-11-20T14:00", severity: "sev2", team: "Payments" });
  await expect(status(page)).toHaveText("Saved");
  return [context, page, await page.getByLabel("Invite link", { exact: true }).inputValue()];
}

/** Opens a link as a person would, in a fresh page load: links to one page that differ only in
 *  their fragment would otherwise not load the app again. */
async function open(page: Page, link: string) {
  await page.goto("about:blank");
  await page.goto(link);
}

/** Ada's draft, every entry and the observation, as she wrote it. */
async function expectAdasDraft(page: Page) {
  const first = page.getByRole("group", { name: "Entry at 2026-11-20 14:02" });
  await expect(first.getByLabel("What happened")).toHaveValue("ADA-ONE p99 alert fired", { timeout: 5_000 });
  const second = page.getByRole("group", { name: "Entry at 2026-11-20 14:06" });
  await expect(second.getByLabel("What happened")).toHaveValue("ADA-TWO rolled back the deploy");
  const observation = page.getByRole("group", { name: "Technical observation" });
  await expect(observation.getByLabel("Observation")).toHaveValue("ADA-OBS the pool was too small");
}

async function joinAsNew(page: Page, link: string, name: string, role: string) {
  await open(page, link);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Join “${TITLE}”`);
  await expect(page).toHaveTitle(`Join “${TITLE}” — Mosaic`);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Your role in the incident").fill(role);
  await page.getByRole("button", { name: "Join the review" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(TITLE);
  // The link's secret leaves the address bar and the history: Back goes to the page before.
  expect(page.url()).not.toContain("invite=");
  await page.goBack();
  await expect(page).toHaveURL("about:blank");
  await page.goForward();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(TITLE);
}

async function expectNoApiText(...pages: Page[]) {
  for (const page of pages) expect(await page.locator("body").innerText()).not.toMatch(API_TEXT);
}

function sql(server: MosaicServer, query: string): string {
  return execFileSync("sqlite3", [server.db, query]).toString().trim();
}

async function startAccounts(facilitator: Page) {
  await facilitator.getByRole("button", { name: "Start independent accounts" }).click();
  await expect(status(facilitator)).toHaveText("Saved");
}

test("coming back is resuming, on this browser or another, and each person is one row", async ({ browser, server }) => {
  test.info().setTimeout(120_000);
  const [facilitatorContext, facilitator, invite] = await facilitatorWithReview(browser, server);

  // The facilitator adds Fay and makes her personal invite link.
  const add = facilitator.getByRole("form", { name: "Add a participant" });
  await add.getByLabel("Name", { exact: true }).fill("Fay");
  await add.getByLabel("Role in the incident").fill("Support");
  await expect(add.getByLabel("Show this person's name when published")).not.toBeChecked();
  await add.getByRole("button", { name: "Add participant" }).click();
  await expect(add.getByRole("status")).toContainText("Fay added. Make their personal invite link");
  await expect(status(facilitator)).toHaveText("Saved");
  await facilitator.getByRole("button", { name: "Make a personal invite link for Fay" }).click();
  const fayLink = await facilitator.getByLabel("Personal invite link for Fay", { exact: true }).inputValue();
  expect(fayLink).toContain("#person=");

  // Ada opens the shared invite: it names the incident and team, offers Fay's row first, and
  // Ada joins as someone new.
  const [, ada] = await profile(browser, server, { acceptDownloads: true });
  await open(ada, invite);
  await expect(ada.getByText("Team Payments · Setup")).toBeVisible();
  await expect(ada.getByRole("heading", { name: "Are you one of these people?" })).toBeVisible();
  await expect(ada.getByRole("button", { name: "I am Fay (Support)" })).toBeVisible();
  await expectNoAxeViolations(ada);
  await snap(ada, "people-invitation");
  await joinAsNew(ada, invite, "Ada", "SRE");

  // Opening the invite again in the same browser is coming back, not joining again.
  await open(ada, invite);
  await expect(ada.getByRole("status").filter({ hasText: "You already joined as Ada (SRE)" })).toBeVisible();
  await expect(facilitator.getByRole("button", { name: "Edit Ada" })).toHaveCount(1, { timeout: 3_000 });
  await expect(facilitator.locator(".participant-list > li").filter({ hasText: "Ada" })).toContainText("Joined");
  await expect(facilitator.getByRole("button", { name: "Make a personal invite link for Ada" })).toHaveCount(0);

  // Fay's personal link takes her row: one Fay, in both browsers.
  const [, fay] = await profile(browser, server, { acceptDownloads: true });
  await open(fay, fayLink);
  await expect(fay.getByRole("heading", { name: "The facilitator added you as Fay (Support)" })).toBeVisible();
  await expectNoAxeViolations(fay);
  await fay.getByRole("button", { name: "Join as Fay (Support)" }).click();
  await expect(fay.getByRole("status").filter({ hasText: "You joined as Fay (Support)." })).toBeVisible();
  await expect(facilitator.locator(".participant-list > li")).toHaveCount(2);
  await startAccounts(facilitator);
  await expect(fay.getByRole("row", { name: /Fay \(Support\)/ })).toHaveCount(1, { timeout: 3_000 });
  await expect(facilitator.getByRole("row", { name: /Fay \(Support\)/ })).toHaveCount(1);

  // Ada writes, then opens the invite again: she lands on her own draft, every entry there.
  await expect(ada.getByRole("heading", { name: "Your account" })).toBeVisible({ timeout: 3_000 });
  await addEntry(ada, "2026-11-20T14:02", "ADA-ONE p99 alert fired", "a deploy was to blame");
  await addEntry(ada, "2026-11-20T14:06", "ADA-TWO rolled back the deploy", "it would help");
  await addObservation(ada, "Technical", "ADA-OBS the pool was too small");
  await expect(status(ada)).toHaveText("Saved");
  await open(ada, invite);
  await expect(ada.getByRole("status").filter({ hasText: "You already joined as Ada (SRE)" })).toBeVisible();
  await expectAdasDraft(ada);

  // On another device, her personal link reaches the same place and the same draft.
  await ada.getByText("Continue on another device").click();
  const resume = await ada.getByLabel("Your personal link").inputValue();
  await expectNoAxeViolations(ada);
  const [, laptop] = await profile(browser, server, { acceptDownloads: true });
  await open(laptop, resume);
  await expect(laptop.getByRole("heading", { name: "Continue as Ada (SRE) in this browser" })).toBeVisible();
  await expect(laptop.getByLabel("Keep it signed in: I use both")).toBeChecked();
  await expectNoAxeViolations(laptop);
  await laptop.getByRole("button", { name: "Continue here" }).click();
  await expect(laptop.getByRole("status").filter({ hasText: "Welcome back, Ada (SRE)" })).toBeVisible();
  await expectAdasDraft(laptop);
  await expect(facilitator.locator(".participant-list > li")).toHaveCount(2);

  // A spent personal link and a second "Ada (SRE)" are refused in words a person can act on.
  const [, stranger] = await profile(browser, server, { acceptDownloads: true });
  await open(stranger, fayLink);
  await expect(stranger.getByRole("heading", { name: "This link does not work" })).toBeVisible();
  await open(stranger, invite);
  await stranger.getByLabel("Your name").fill("ada");
  await stranger.getByLabel("Your role in the incident").fill("sre");
  await stranger.getByRole("button", { name: "Join the review" }).click();
  await expect(stranger.getByRole("alert").filter({ hasText: "Ada (SRE) is already in this review. If that is you" })).toBeVisible();
  await expect(facilitator.locator(".participant-list > li")).toHaveCount(2);

  // After the reveal, coming back still lands on one's own place.
  await submit(laptop);
  await facilitator.getByRole("button", { name: "Reveal all accounts…" }).click();
  await facilitator.getByRole("button", { name: "Reveal now" }).click();
  await open(ada, invite);
  await expect(ada.getByRole("status").filter({ hasText: "You already joined as Ada (SRE)" })).toBeVisible();
  await expect(ada.getByRole("heading", { name: "Merged timeline" })).toBeVisible();
  // With a server the facilitator does not vote for others, and the hint says so.
  await expect(facilitator.getByText("Each participant places their own dots from their own browser")).toBeVisible();
  await open(stranger, invite);
  await expect(stranger.getByText("This review no longer takes new participants")).toBeVisible();
  await expect(stranger.getByLabel("Your name")).toHaveCount(0);
  const reviewId = new URL(facilitator.url()).pathname.split("/").pop();
  const members = `SELECT count(*) FROM tokens WHERE review_id = '${reviewId}' AND kind = 'participant'`;
  expect(sql(server, members)).toBe("2");
  await expectNoApiText(facilitator, ada, fay, laptop, stranger);
  await facilitatorContext.close();
});

test("removing someone mid-writing asks first, tells them within seconds, and keeps their words theirs", async ({
  browser,
  server,
}) => {
  test.info().setTimeout(90_000);
  const [facilitatorContext, facilitator, invite] = await facilitatorWithReview(browser, server);
  const [, eve] = await profile(browser, server, { acceptDownloads: true });
  await joinAsNew(eve, invite, "Eve", "SRE");
  await startAccounts(facilitator);
  await expect(eve.getByRole("heading", { name: "Your account" })).toBeVisible({ timeout: 3_000 });
  await addEntry(eve, "2026-11-20T14:03", "EVE-MARKER saw the pool run dry", "the database was slow");
  await expect(status(eve)).toHaveText("Saved");
  const reviewId = new URL(facilitator.url()).pathname.split("/").pop();
  const drafts = `SELECT count(*) FROM accounts WHERE review_id = '${reviewId}'`;
  expect(sql(server, drafts)).toBe("1");

  await openSetup(facilitator);
  await facilitator.getByRole("button", { name: "Remove Eve" }).click();
  await expect(facilitator.getByText("Remove Eve? Their draft is deleted from the server")).toBeVisible();
  await expectNoAxeViolations(facilitator);
  await snap(facilitator, "people-remove-confirm");
  await facilitator.getByRole("button", { name: "Yes, remove Eve" }).click();
  await expect(eve.getByRole("heading", { name: "The facilitator removed you from this review" })).toBeVisible({
    timeout: 2_000,
  });
  await expect(eve.getByRole("form", { name: "Add a timeline entry" })).toHaveCount(0);
  await expect(facilitator.getByRole("row", { name: /Eve \(SRE\)/ })).toContainText("Removed by the facilitator");
  await expect(status(facilitator)).toHaveText("Saved");
  expect(sql(server, drafts)).toBe("0");
  await expectNoAxeViolations(eve);
  await snap(eve, "people-removed");

  const [download] = await Promise.all([
    eve.waitForEvent("download"),
    eve.getByRole("button", { name: "Download what you wrote" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("my-account.md");
  expect(readFileSync(await download.path(), "utf8")).toContain("EVE-MARKER saw the pool run dry");

  // Reloading, or opening the invite again, never brings her back as someone new.
  await eve.reload();
  await expect(eve.getByRole("heading", { name: "The facilitator removed you from this review" })).toBeVisible();
  await open(eve, invite);
  await expect(eve.getByRole("heading", { name: "The facilitator removed you from this review" })).toBeVisible();
  expect(sql(server, `SELECT count(*) FROM tokens WHERE review_id = '${reviewId}' AND kind = 'participant'`)).toBe("1");
  await expectNoApiText(facilitator, eve);

  // The facilitator lets her back in with a personal link: her words, kept in her browser,
  // reach the server again.
  await facilitator.getByRole("button", { name: "Add Eve back" }).click();
  await expect(status(facilitator)).toHaveText("Saved");
  await facilitator.getByRole("button", { name: "Make a personal invite link for Eve" }).click();
  const eveLink = await facilitator.getByLabel("Personal invite link for Eve", { exact: true }).inputValue();
  await open(eve, eveLink);
  await eve.getByRole("button", { name: "Join as Eve (SRE)" }).click();
  await expect(eve.getByRole("status").filter({ hasText: "You joined as Eve (SRE)." })).toBeVisible();
  const entry = eve.getByRole("group", { name: "Entry at 2026-11-20 14:03" });
  await expect(entry.getByLabel("What happened")).toHaveValue("EVE-MARKER saw the pool run dry");
  await expect(status(eve)).toHaveText("Saved");
  await expect.poll(() => sql(server, drafts)).toBe("1");
  await expectNoApiText(facilitator, eve);
  await facilitatorContext.close();
});

test("the facilitator caps, replaces and closes the invite, and people hear why before any form", async ({
  browser,
  server,
}) => {
  test.info().setTimeout(90_000);
  const [facilitatorContext, facilitator, invite] = await facilitatorWithReview(browser, server);
  await facilitator.getByLabel("Most participants").fill("1");
  await facilitator.getByRole("button", { name: "Save joining rules" }).click();
  await expect(facilitator.getByText("Joining rules saved.")).toBeVisible();
  const [, ada] = await profile(browser, server, { acceptDownloads: true });
  await joinAsNew(ada, invite, "Ada", "SRE");

  // One over the cap is told before filling anything in.
  const [, bob] = await profile(browser, server, { acceptDownloads: true });
  await open(bob, invite);
  await expect(bob.getByText("This review is full: the facilitator allowed 1 participant.")).toBeVisible();
  await expect(bob.getByLabel("Your name")).toHaveCount(0);
  await expectNoAxeViolations(bob);

  // Replacing the link: the old one says so, the new one works.
  await facilitator.getByRole("button", { name: "Replace the invite link…" }).click();
  await facilitator.getByRole("button", { name: "Replace the link" }).click();
  await expect(facilitator.getByText("The invite link was replaced: the old one no longer works.")).toBeVisible();
  const newInvite = await facilitator.getByLabel("Invite link", { exact: true }).inputValue();
  expect(newInvite).not.toBe(invite);
  await facilitator.getByLabel("Most participants").fill("");
  await facilitator.getByRole("button", { name: "Save joining rules" }).click();
  await expect(facilitator.getByText("Joining rules saved.")).toBeVisible();
  await open(bob, invite);
  await expect(bob.getByRole("heading", { name: "This invite link was replaced" })).toBeVisible();
  await expect(bob.getByText("Ask the facilitator for the current link.")).toBeVisible();
  await expectNoAxeViolations(bob);
  await snap(bob, "people-replaced");
  await joinAsNew(bob, newInvite, "Bob", "DBA");

  // Closing joining: the next person hears it before the form.
  await facilitator.getByLabel("People can join with the shared link").uncheck();
  await facilitator.getByRole("button", { name: "Save joining rules" }).click();
  await expect(facilitator.getByText("Joining rules saved.")).toBeVisible();
  const [, cy] = await profile(browser, server, { acceptDownloads: true });
  await open(cy, newInvite);
  await expect(cy.getByText("The facilitator has closed joining for this review.")).toBeVisible();
  await expect(cy.getByLabel("Your name")).toHaveCount(0);
  await expect(facilitator.locator(".participant-list > li")).toHaveCount(2, { timeout: 3_000 });

  await expectNoApiText(facilitator, ada, bob, cy);
  await facilitatorContext.close();
});

test("moving to another browser signs the old one out, a co-facilitator comes in once, and the invite finds one's place to the end", async ({
  browser,
  server,
}) => {
  test.info().setTimeout(120_000);
  const [facilitatorContext, facilitator, invite] = await facilitatorWithReview(browser, server);
  const [, ada] = await profile(browser, server, { acceptDownloads: true });
  await joinAsNew(ada, invite, "Ada", "SRE");
  await startAccounts(facilitator);
  await expect(ada.getByRole("heading", { name: "Your account" })).toBeVisible({ timeout: 3_000 });
  await addEntry(ada, "2026-11-20T14:02", "ADA-ONE p99 alert fired", "a deploy was to blame");
  await expect(status(ada)).toHaveText("Saved");

  // Ada moves to her laptop and signs the old browser out.
  await ada.getByText("Continue on another device").click();
  const resume = await ada.getByLabel("Your personal link").inputValue();
  const [, laptop] = await profile(browser, server, { acceptDownloads: true });
  await open(laptop, resume);
  await laptop.getByLabel("Sign it out: I no longer use it, or it is not mine").check();
  await snap(laptop, "people-resume-choice");
  await laptop.getByRole("button", { name: "Continue here" }).click();
  await expect(laptop.getByRole("status").filter({ hasText: "Welcome back, Ada (SRE)" })).toBeVisible();
  const first = laptop.getByRole("group", { name: "Entry at 2026-11-20 14:02" });
  await expect(first.getByLabel("What happened")).toHaveValue("ADA-ONE p99 alert fired", { timeout: 5_000 });
  // The old browser is told, and offers her words; the old personal link no longer works.
  await ada.reload();
  await expect(ada.getByRole("heading", { name: "This browser was signed out of the review" })).toBeVisible({
    timeout: 5_000,
  });
  await expect(ada.getByRole("button", { name: "Download what you wrote" })).toBeVisible();
  await expectNoAxeViolations(ada);
  await snap(ada, "people-signed-out");
  const [, stranger] = await profile(browser, server, { acceptDownloads: true });
  await open(stranger, resume);
  await expect(stranger.getByRole("heading", { name: "This link no longer works" })).toBeVisible();
  // The laptop's own personal link is a new one.
  await laptop.getByText("Continue on another device").click();
  expect(await laptop.getByLabel("Your personal link").inputValue()).not.toBe(resume);

  // A co-facilitator comes in with a one-time facilitator link and runs the reveal.
  await facilitator.getByText("Facilitators", { exact: true }).click();
  await facilitator.getByRole("button", { name: "Make a facilitator link" }).click();
  const coLink = await facilitator.getByLabel("Facilitator link (works once)").inputValue();
  expect(coLink).toContain("#facilitate=");
  const [, co] = await profile(browser, server, { acceptDownloads: true });
  await open(co, coLink);
  await expect(co.getByRole("heading", { level: 1 })).toHaveText(`Facilitate “${TITLE}”`);
  await expectNoAxeViolations(co);
  await snap(co, "people-facilitator-link");
  await co.getByRole("button", { name: "Facilitate this review" }).click();
  await expect(co.getByRole("status").filter({ hasText: "You are now a facilitator of this review" })).toBeVisible();
  await expect(co.getByRole("heading", { level: 1 })).toHaveText(TITLE);
  await open(stranger, coLink);
  await expect(stranger.getByRole("heading", { name: "This facilitator link was used already" })).toBeVisible();
  await submit(laptop);
  await co.getByRole("button", { name: "Reveal all accounts…" }).click();
  await co.getByRole("button", { name: "Reveal now" }).click();
  await expect(facilitator.getByRole("heading", { name: "Merged timeline" })).toBeVisible({ timeout: 3_000 });

  // The first facilitator replaces this browser's key and goes on working with the new one.
  await facilitator.getByRole("button", { name: "Replace this browser's facilitator key" }).click();
  await expect(facilitator.getByRole("status").filter({ hasText: "This browser's facilitator key was replaced" })).toBeVisible();
  await facilitator.getByRole("button", { name: "Plan actions" }).click();
  await expect(status(facilitator)).toHaveText("Saved");

  // Reopening the invite in Action planning and after publishing: one's own place, never a form.
  await open(laptop, invite);
  await expect(laptop.getByRole("status").filter({ hasText: "You already joined as Ada (SRE)" })).toBeVisible();
  await expect(laptop.getByLabel("Your name")).toHaveCount(0);
  await publish(facilitator);
  await expect(status(facilitator)).toHaveText("Saved");
  await open(laptop, invite);
  await expect(laptop.getByRole("status").filter({ hasText: "You already joined as Ada (SRE)" })).toBeVisible();
  await expect(laptop.getByLabel("Your name")).toHaveCount(0);
  await open(co, invite);
  await expect(co.getByRole("status").filter({ hasText: "You are this review's facilitator" })).toBeVisible();
  const reviewId = new URL(facilitator.url()).pathname.split("/").pop();
  expect(sql(server, `SELECT count(*) FROM tokens WHERE review_id = '${reviewId}' AND kind = 'participant'`)).toBe("2");
  expect(
    sql(server, `SELECT count(*) FROM tokens WHERE review_id = '${reviewId}' AND kind = 'participant' AND revoked_at IS NULL`),
  ).toBe("1");
  await expectNoApiText(facilitator, ada, laptop, co, stranger);
  await facilitatorContext.close();
});
