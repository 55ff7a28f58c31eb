// What a person new to Mosaic meets first, on the server that serves the app: it syncs with
// that server without a visit to Settings, every tab names its page, where the work is stays
// in view and true, and both themes are readable on a phone.
import { test, expect, expectNoAxeViolations, snap } from "./fixtures";
import type { Page } from "@playwright/test";

test.use({ timezoneId: "UTC" });

async function createReview(page: Page, title: string) {
  await page.goto("/");
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Incident started").fill("2026-11-20T14:05");
  await page.getByLabel("Severity").selectOption("sev2");
  await page.getByLabel("Team").fill("Payments");
  await page.getByRole("button", { name: "Create review" }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
}

test("the app served by a Mosaic server syncs with it from the first visit, and each tab names its page", async ({ page, server }) => {
  await page.goto("/feed");
  await expect(page).toHaveTitle("Findings feed — Mosaic");
  // A reader from another team sees the organisation's feed, not the local-only explanation.
  // (Other tests share this server, so the feed may hold findings already.)
  await expect(page.getByRole("searchbox", { name: "Search findings" })).toBeVisible();
  await expect(page.getByText(/keeps its reviews to itself/)).toHaveCount(0);

  await page.goto("/settings");
  await expect(page).toHaveTitle("Settings — Mosaic");
  await expect(page.getByLabel("Sync with a Mosaic server")).toBeChecked();
  await expect(page.getByLabel("Server URL")).toHaveValue(server.url);

  await page.goto("/");
  await expect(page).toHaveTitle("Reviews — Mosaic");
  await createReview(page, "Checkout errors after the deploy");
  await expect(page).toHaveTitle("Checkout errors after the deploy — Setup — Mosaic");
  // Created on the server: the facilitator has an invite link to send.
  await expect(page.getByLabel("Invite link")).toHaveValue(/\/join\//);
  await expect(page.getByTestId("sync-status")).toHaveText("Saved");

  // The reviews list says where each review stands and this browser's part in it.
  await page.getByRole("link", { name: "Reviews" }).click();
  const item = page.getByTestId("review-list").getByRole("listitem").first();
  await expect(item).toContainText("Setup");
  await expect(item).toContainText("You facilitate it");
  await expect(item).toContainText("2026-11-20 14:05 UTC");

  await page.goto("/nowhere");
  await expect(page).toHaveTitle("Page not found — Mosaic");
});

test("where the work is stays in view while scrolling, and tells the truth after a switch", async ({ page }) => {
  await page.setViewportSize({ width: 1000, height: 500 });
  await createReview(page, "Badge on a long page");
  const badge = page.getByTestId("sync-status");
  await expect(badge).toHaveText("Saved");
  await page.mouse.wheel(0, 4000);
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(200);
  await expect(badge).toBeInViewport();

  await page.goto("/settings");
  await page.getByLabel("This browser only").check();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(badge).toHaveText("Saved in this browser");
  await page.getByLabel("Sync with a Mosaic server").check();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(badge).toHaveText("Saved");

  // A server that stops answering is not "offline": the browser still has its network.
  await page.goto("/");
  await page.route("**/api/**", (route) => route.abort("connectionrefused"));
  await page.getByLabel("Title").fill("Made while the server is down");
  await page.getByLabel("Incident started").fill("2026-11-21T09:00");
  await page.getByLabel("Severity").selectOption("sev3");
  await page.getByLabel("Team").fill("Payments");
  await page.getByRole("button", { name: "Create review" }).click();
  await expect(badge).toHaveText(/^Server not reachable: 1 change waiting/);
  await page.unroute("**/api/**");
});

for (const theme of ["light", "dark"] as const) {
  test(`the ${theme} theme passes the accessibility checks on a phone, with nothing scrolling sideways`, async ({ browser, server }) => {
    const context = await browser.newContext({
      baseURL: server.url,
      viewport: { width: 375, height: 812 },
      colorScheme: theme,
      timezoneId: "UTC",
    });
    const page = await context.newPage();
    await createReview(page, `Phone check in the ${theme} theme`);
    const noSidewaysScroll = () =>
      page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
    for (const path of [null, "/", "/feed", "/settings"]) {
      if (path) await page.goto(path);
      await expect(page.locator("main h1")).toBeVisible();
      expect(await noSidewaysScroll(), `${path ?? "the review"} scrolls sideways at 375 px`).toBe(true);
      await expectNoAxeViolations(page);
    }
    await snap(page, `newcomer-phone-${theme}`);
    // The switch in the top bar wins over the system's choice.
    await page.getByLabel("Theme").selectOption(theme === "dark" ? "light" : "dark");
    await expect(page.locator("html")).toHaveAttribute("data-theme", theme === "dark" ? "light" : "dark");
    await expectNoAxeViolations(page);
    await page.reload();
    await expect(page.getByLabel("Theme")).toHaveValue(theme === "dark" ? "light" : "dark");
    await context.close();
  });
}
