// The walking skeleton: create a review in the browser, keep it across reloads, and sync it
// through the real server to a second browser profile.
import { test, expect, expectNoAxeViolations, reloadWhenSaved } from "./fixtures";
import type { Page } from "@playwright/test";

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

test("in server mode a review syncs to a second browser profile", async ({ browser, server }) => {
  const useServer = async (page: Page) => {
    await page.goto("/settings");
    await expectNoAxeViolations(page);
    await page.getByLabel("Sync with a Mosaic server").check();
    await expect(page.getByLabel("Server URL")).toHaveValue(server.url);
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByText("Settings saved.")).toBeVisible();
  };

  const first = await (await browser.newContext({ baseURL: server.url })).newPage();
  await useServer(first);
  await first.getByRole("link", { name: "Reviews" }).click();
  await fillNewReview(first, "Ledger replication lag");
  await first.getByRole("button", { name: "Create review" }).click();
  await expect(first.getByRole("heading", { level: 1 })).toHaveText("Ledger replication lag");
  await expect(first.getByTestId("sync-status")).toHaveText("Saved");

  // The server holds it.
  const listed = await (await first.request.get(`${server.url}/api/v1/reviews`)).json();
  expect(listed.reviews.map((r: any) => r.facts.title)).toContain("Ledger replication lag");

  // A second profile, with its own empty storage, sees it once it syncs with the server.
  const second = await (await browser.newContext({ baseURL: server.url })).newPage();
  await second.goto("/");
  await expect(second.getByText("No reviews yet")).toBeVisible();
  await useServer(second);
  await second.getByRole("link", { name: "Reviews" }).click();
  await second.getByRole("link", { name: "Ledger replication lag" }).click();
  await expect(second.getByRole("heading", { level: 1 })).toHaveText("Ledger replication lag");
  await expect(second.locator(".review-header").getByText("SEV2")).toBeVisible();
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
  await expect(page.getByRole("heading", { name: "Review not found" })).toBeVisible();
});
