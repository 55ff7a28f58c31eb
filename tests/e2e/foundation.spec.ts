// The walking skeleton: create a review in the browser, keep it across reloads, and sync it
// through the real server to a second browser profile.
import { test, expect, expectNoAxeViolations, reloadWhenSaved } from "./fixtures";
import { useServer } from "./steps";
import type { Page } from "@playwright/test";

// The app on its own, as a person who chose "this browser only"; the server test below opens
// fresh profiles of its own.
test.use({ thisBrowserOnly: true });

async function fillNewReview(page: Page, title: string) {
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Incident started").fill("2026-11-20T14:05");
  await page.getByLabel("Severity").selectOption("sev2");
  await page.getByLabel("Team").fill("Payments");
  await page.getByLabel("Services").fill("checkout, ledger");
}

test("a review created in this browser is still there after a reload", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Reviews", level: 1 })).toBeVisible();
  await expect(page.getByTestId("sync-status")).toHaveText("Saved in this browser");
  await expectNoAxeViolations(page);

  await fillNewReview(page, "Checkout errors after deploy");
  await page.getByRole("button", { name: "Create review" }).click();

  await expect(page).toHaveURL(/\/reviews\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Checkout errors after deploy");
  await expect(page.getByText("checkout, ledger")).toBeVisible();
  await expectNoAxeViolations(page);

  await reloadWhenSaved(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Checkout errors after deploy");

  await page.getByRole("link", { name: "Reviews" }).click();
  await expect(page.getByTestId("review-list").getByRole("link", { name: "Checkout errors after deploy" })).toBeVisible();
  // The form was cleared once the review was saved.
  await expect(page.getByLabel("Title")).toHaveValue("");
});

test("bad form input is explained and creates nothing", async ({ page }) => {
  await page.goto("/");
  await page.getByLabel("Title").fill("   ");
  await page.getByRole("button", { name: "Create review" }).click();
  await expect(page.getByText("Title is required")).toBeVisible();
  await expect(page.getByText("Start time is required")).toBeVisible();
  await expect(page.getByText("Severity is required")).toBeVisible();
  await expect(page.getByText("Team is required")).toBeVisible();
  await expect(page.getByLabel("Title")).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByText("No reviews yet")).toBeVisible();
  await expectNoAxeViolations(page);
});

test("what a person typed in the form survives a reload", async ({ page }) => {
  await page.goto("/");
  await page.getByLabel("Title").fill("Half-written title");
  await page.getByLabel("Team").fill("Edge");
  await reloadWhenSaved(page);
  await expect(page.getByLabel("Title")).toHaveValue("Half-written title");
  await expect(page.getByLabel("Team")).toHaveValue("Edge");
});

test("in server mode a review reaches a second browser profile through its invite link", async ({ browser, server }) => {
  const firstContext = await browser.newContext({ baseURL: server.url });
  const secondContext = await browser.newContext({ baseURL: server.url });
  test.info().setTimeout(90_000);
  const first = await firstContext.newPage();
  await useServer(first, server);
  await expectNoAxeViolations(first);
  await first.getByRole("link", { name: "Reviews" }).click();
  await fillNewReview(first, "Ledger replication lag");
  await first.getByRole("button", { name: "Create review" }).click();
  await expect(first.getByRole("heading", { level: 1 })).toHaveText("Ledger replication lag");
  await expect(first.getByTestId("sync-status")).toHaveText("Saved");

  // The server holds it, and shows it only to holders of one of its tokens.
  const anonymous = await first.request.get(`${server.url}/api/v1/reviews`);
  expect(anonymous.status()).toBe(401);

  // The facilitator shares the invite link; the token rides in the fragment.
  const invite = await first.getByLabel("Invite link").inputValue();
  expect(invite).toMatch(new RegExp(`^${server.url}/join/[0-9a-f-]{36}#invite=.{22,}$`));
  await expectNoAxeViolations(first);

  // A second profile, with its own empty storage, joins with the link and sees the review.
  const second = await secondContext.newPage();
  await second.goto("/");
  await expect(second.getByText("No reviews yet")).toBeVisible();
  await second.goto(invite);
  await expect(second.getByRole("heading", { name: "Join “Ledger replication lag”" })).toBeVisible();
  await expectNoAxeViolations(second);
  await second.getByRole("button", { name: "Join the review" }).click();
  await expect(second.getByText("Your name is required")).toBeVisible();
  await second.getByLabel("Your name").fill("Kim Lee");
  await second.getByLabel("Your role in the incident").fill("on-call SRE");
  await second.getByRole("button", { name: "Join the review" }).click();
  await expect(second.getByRole("heading", { level: 1 })).toHaveText("Ledger replication lag");
  await expect(second.locator(".review-header")).toContainText("SEV2");
  await expect(second.getByTestId("sync-status")).toHaveText("Saved");
  // Who is acting is fixed by this browser's credential: no switching to someone else.
  await expect(second.getByLabel("Acting as")).toHaveCount(0);
  await reloadWhenSaved(second);
  await expect(second.getByRole("heading", { level: 1 })).toHaveText("Ledger replication lag");
  await second.getByRole("link", { name: "Reviews" }).click();
  await expect(second.getByRole("link", { name: "Ledger replication lag" })).toBeVisible();

  // The facilitator's browser learns who joined from the server.
  await first.getByRole("link", { name: "Reviews" }).click();
  await first.getByRole("link", { name: "Ledger replication lag" }).click();
  await expect(first.getByRole("button", { name: "Edit Kim Lee" })).toBeVisible();
  await firstContext.close();
  await secondContext.close();
});

test("every route answers, and unknown ones say so", async ({ page }) => {
  await page.goto("/feed");
  await expect(page.getByRole("heading", { name: "Findings feed" })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.goto("/settings");
  await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();
  await page.goto("/no/such/page");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await page.goto("/reviews/does-not-exist");
  await expect(page.getByRole("heading", { name: "This review is not open in this browser" })).toBeVisible();
  await expect(page.getByText("open the invite link (or your personal link)")).toBeVisible();
});

test("one person is one participant, whatever the case of their name in any language", async ({ page }) => {
  await page.goto("/");
  await fillNewReview(page, "Queue backlog");
  await page.getByRole("button", { name: "Create review" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Queue backlog");

  // The browser lower-cases names that are not plain ASCII (mosaic_domain::lowercase).
  const add = page.getByRole("form", { name: "Add a participant" });
  await add.getByLabel("Name", { exact: true }).fill("Zoë Ångström");
  await add.getByLabel("Role in the incident").fill("Équipe SRE");
  await add.getByRole("button", { name: "Add participant" }).click();
  await expect(page.locator(".participant-list > li")).toHaveCount(1);
  await add.getByLabel("Name", { exact: true }).fill("ZOË ÅNGSTRÖM");
  await add.getByLabel("Role in the incident").fill("équipe sre");
  await add.getByRole("button", { name: "Add participant" }).click();
  await expect(add.locator(".form-error")).toContainText("Zoë Ångström (Équipe SRE) is already in this review");
  await expect(page.locator(".participant-list > li")).toHaveCount(1);
});
