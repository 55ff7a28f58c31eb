// The release app is downloaded page by page, and the review page phase by phase
// (src/deferred.rs, scripts/build.sh). The offline app shell keeps every part once the app has
// loaded; should a part still fail to download, the page (or the phase's place in it) says so
// and offers to try again instead of leaving a blank page.
import { test, expect, expectNoAxeViolations } from "./fixtures";
import { createReview } from "./steps";

// No service worker, so nothing but the network can answer for the part.
test.use({ thisBrowserOnly: true, serviceWorkers: "block" });

const FEED_PART = /\/split_feed_page-[0-9a-f]+\.wasm$/;

test("a first visit downloads the page with the app as one pack", async ({ page }) => {
  const wasm: string[] = [];
  page.on("request", (request) => /\.(wasm|pack)$/.test(request.url()) && wasm.push(new URL(request.url()).pathname));
  await page.goto("/feed");
  await expect(page.getByRole("heading", { level: 1, name: "Findings feed" })).toBeVisible();
  // The pack first; then only work the page defers (this browser's own feed, here).
  expect(wasm[0]).toMatch(FEED_PACK);
  const fetchedAgain = (paths: string[]) => paths.filter((path) => /\/(mosaic-|split_feed_page-)/.test(path));
  expect(fetchedAgain(wasm)).toEqual([]);
  // Another page opened from there downloads its own parts, never the app again.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  expect(wasm.some((path) => /\/split_settings_page-/.test(path))).toBe(true);
  expect(fetchedAgain(wasm)).toEqual([]);
  expect(wasm.filter((path) => path.endsWith(".pack"))).toHaveLength(1);
});

test("the reviews list comes with the shell's stylesheet alone; a page opened from it has its own sheet before it shows", async ({ page }) => {
  const sheets: string[] = [];
  page.on("request", (request) => request.url().endsWith(".css") && sheets.push(new URL(request.url()).pathname));
  await page.goto("/");
  await expect(page.getByRole("button", { name: "Create review" })).toBeVisible();
  expect(sheets).toHaveLength(1);
  expect(sheets[0]).not.toMatch(/style-pages-/);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Findings feed" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Findings feed" })).toBeVisible();
  // Loaded, not only asked for: its rules are there as the page shows.
  const loaded = await page.evaluate(() =>
    [...document.styleSheets].some((s) => /\/style-pages-/.test(s.href ?? "") && s.cssRules.length > 0),
  );
  expect(loaded).toBe(true);
  expect(sheets.filter((path) => /style-pages-/.test(path))).toHaveLength(1);
});

test("a page whose part cannot be downloaded says so, and trying again opens it", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Reviews" })).toBeVisible();
  await page.route(FEED_PART, (route) => route.abort("internetdisconnected"));
  await page.getByRole("link", { name: "Findings feed" }).click();
  await expect(page.getByRole("heading", { name: "This page could not be downloaded" })).toBeVisible();
  await expect(page).toHaveTitle("Page not downloaded — Mosaic");
  await expectNoAxeViolations(page);
  // The rest of the app still works...
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  // ...and once the network answers, the page opens.
  await page.unroute(FEED_PART);
  await page.getByRole("link", { name: "Findings feed" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Findings feed" })).toBeVisible();
});

// A first visit downloads the page with the main part as one pack (scripts/place-parts.mjs);
// when that fails, the files one by one.
const FEED_PACK = /\/feed_page-[0-9a-f]+\.pack$/;

test("while the next page downloads the one before stays and the status says so; the menu marks the page shown", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Reviews" })).toBeVisible();
  const menu = page.getByRole("navigation", { name: "Main" });
  await expect(menu.getByRole("link", { name: "Reviews" })).toHaveAttribute("aria-current", "page");
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(FEED_PART, async (route) => {
    await held;
    await route.continue();
  });
  await menu.getByRole("link", { name: "Findings feed" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Opening the page…" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: "Reviews" })).toBeVisible();
  release();
  await expect(page.getByRole("heading", { level: 1, name: "Findings feed" })).toBeVisible();
  await expect(page.getByText("Opening the page…")).toHaveCount(0);
  await expect(menu.getByRole("link", { name: "Findings feed" })).toHaveAttribute("aria-current", "page");
  await expect(menu.getByRole("link", { name: "Reviews" })).not.toHaveAttribute("aria-current", "page");
  // A finding is in the feed's section; the reviews are only the page at /.
  await page.goto("/feed/no-such-finding");
  await expect(menu.getByRole("link", { name: "Findings feed" })).toHaveAttribute("aria-current", "page");
  await expect(menu.getByRole("link", { name: "Reviews" })).not.toHaveAttribute("aria-current", "page");
});

test("trying again reloads the page", async ({ page }) => {
  const packs: string[] = [];
  page.on("requestfailed", (request) => FEED_PACK.test(request.url()) && packs.push(request.url()));
  await page.route(FEED_PACK, (route) => route.abort("internetdisconnected"));
  await page.route(FEED_PART, (route) => route.abort("internetdisconnected"));
  await page.goto("/feed");
  await expect(page.getByRole("heading", { name: "This page could not be downloaded" })).toBeVisible();
  expect(packs).toHaveLength(1);
  await page.unroute(FEED_PACK);
  await page.unroute(FEED_PART);
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Findings feed" })).toBeVisible();
});

// Starting a review downloads its code (with the other tools of the reviews page: importing,
// looking up services in the feed) only when "Create review" is pressed (src/deferred.rs).
const START_PART = /\/split_reviews_tools-[0-9a-f]+\.wasm$/;

test("a review whose code cannot be downloaded is not started, says why, and keeps the form", async ({ page }) => {
  await page.goto("/");
  await page.route(START_PART, (route) => route.abort("internetdisconnected"));
  await page.getByLabel("Title").fill("Checkout latency");
  await page.getByLabel("Incident started").fill("2026-11-20T09:30");
  await page.getByLabel("Severity").selectOption("sev2");
  await page.getByLabel("Team").fill("Payments");
  await page.getByRole("button", { name: "Create review" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The review was not started" })).toContainText(
    "Check the connection and try again",
  );
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByLabel("Title")).toHaveValue("Checkout latency");
  await expect(page.getByText("No reviews yet")).toBeVisible();
  await expectNoAxeViolations(page);
  await page.unroute(START_PART);
  await page.getByRole("button", { name: "Create review" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Checkout latency");
});

// The review page downloads its phases' panels as parts of their own (src/pages/review.rs),
// when the phase is first shown to the person.
const SETUP_PART = /\/split_setup_part-[0-9a-f]+\.wasm$/;
const ACCOUNT_PART = /\/split_account_part-[0-9a-f]+\.wasm$/;
const OTHER_PHASE_PARTS = /\/split_(account|group)_part-[0-9a-f]+\.wasm$/;
const FACTS = { title: "Checkout errors after the deploy", started: "2026-11-21T09:30", severity: "sev2", team: "Payments" };

test("a review phase whose part cannot be downloaded says so in its place, and trying again shows it", async ({ page }) => {
  const fetched: string[] = [];
  page.on("request", (request) => fetched.push(request.url()));
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Reviews" })).toBeVisible();
  await page.route(SETUP_PART, (route) => route.abort("internetdisconnected"));
  await createReview(page, FACTS);
  // The rest of the review page is there: only the setup's place says what went wrong.
  await expect(page.getByRole("alert").filter({ hasText: "This part of the page could not be downloaded" })).toBeVisible();
  await expect(page.getByRole("list", { name: "Review progress" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Incident facts" })).toHaveCount(0);
  await expectNoAxeViolations(page);
  // While the part downloads, its place says what is coming.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.unroute(SETUP_PART);
  await page.route(SETUP_PART, async (route) => {
    await held;
    await route.continue();
  });
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Opening the setup…" })).toBeVisible();
  release();
  await expect(page.getByRole("heading", { name: "Incident facts" })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "could not be downloaded" })).toHaveCount(0);
  // A facilitator setting a review up downloads no other phase's panels.
  expect(fetched.filter((url) => OTHER_PHASE_PARTS.test(url))).toEqual([]);
});

test("a review opened afresh downloads its page as one pack and its phase as another", async ({ page }) => {
  await page.goto("/");
  await createReview(page, FACTS);
  await expect(page.getByRole("heading", { name: "Incident facts" })).toBeVisible();
  const fetched: string[] = [];
  page.on("request", (request) => /\.(wasm|pack)$/.test(request.url()) && fetched.push(new URL(request.url()).pathname));
  await page.reload();
  await expect(page.getByRole("heading", { name: "Incident facts" })).toBeVisible();
  expect(fetched[0]).toMatch(/^\/review_page-[0-9a-f]+\.pack$/);
  expect(fetched).toContainEqual(expect.stringMatching(/^\/setup_part-[0-9a-f]+\.pack$/));
  expect(fetched.filter((path) => SETUP_PART.test(path) || OTHER_PHASE_PARTS.test(path))).toEqual([]);
});

test("a facilitator who watches the accounts being written can open a participant's account with the network gone", async ({ page, context }) => {
  await page.goto("/");
  await createReview(page, FACTS);
  const addForm = page.getByRole("form", { name: "Add a participant" });
  await addForm.getByLabel("Name", { exact: true }).fill("Dana Reyes");
  await addForm.getByLabel("Role in the incident").fill("on-call engineer");
  await addForm.getByRole("button", { name: "Add participant" }).click();
  await expect(addForm.getByRole("status")).toHaveText("Dana Reyes added.");
  const accountPart = page.waitForRequest(ACCOUNT_PART);
  await page.getByRole("button", { name: "Start independent accounts" }).click();
  await expect(page.getByRole("button", { name: "Reveal all accounts…" })).toBeVisible();
  // The facilitator is likely to act as a participant next: their account's code is fetched
  // while the page is idle, before anyone asks for it.
  await (await accountPart).response();
  await context.setOffline(true);
  await page.getByLabel("Acting as").selectOption({ label: "Dana Reyes (on-call engineer)" });
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Timeline", exact: true })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "could not be downloaded" })).toHaveCount(0);
});
