// The offline app shell: once the app has been loaded, a reload with no network still opens it
// and the reviews kept in this browser; work done offline reaches the server when it is back.
import { test, expect, expectNoAxeViolations } from "./fixtures";
import { useServer } from "./steps";

test.use({ serviceWorkers: "allow" });

const TITLE = "Queue backlog after failover";

test("a reload without a network opens the app, and offline work reaches the server later", async ({ page, server }) => {
  await useServer(page, server);
  await page.getByRole("link", { name: "Reviews" }).click();
  await page.getByLabel("Title").fill(TITLE);
  await page.getByLabel("Incident started").fill("2026-11-21T09:30");
  await page.getByLabel("Severity").selectOption("sev3");
  await page.getByLabel("Team").fill("Messaging");
  await page.getByRole("button", { name: "Create review" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(TITLE);
  const status = page.getByTestId("sync-status");
  await expect(status).toHaveText("Saved");
  const reviewPath = new URL(page.url()).pathname;
  // The shell is kept once the service worker controls the page.
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  await page.context().setOffline(true);
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(TITLE);
  // Another page of the app, opened offline: the reviews kept in this browser.
  await page.goto("/");
  await expect(page.getByRole("link", { name: TITLE })).toBeVisible();
  await page.getByRole("link", { name: TITLE }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(TITLE);

  // Work done offline waits in this browser...
  const add = page.getByRole("form", { name: "Add a participant" });
  await add.getByLabel("Name", { exact: true }).fill("Oona");
  await add.getByLabel("Role in the incident").fill("Messaging on-call");
  await add.getByRole("button", { name: "Add participant" }).click();
  await expect(status).toHaveText("Offline: 1 change waiting");
  await expectNoAxeViolations(page);
  // ...across a reload too: the change is read back from this browser (with the code that reads
  // it, which only a review with changes waiting downloads: the shell has it).
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(TITLE);
  await expect(page.getByRole("form", { name: "Add a participant" })).toBeVisible();
  await expect(page.getByText("Oona", { exact: false }).first()).toBeVisible();
  await expect(status).toHaveText("Offline: 1 change waiting");

  // ...and reaches the server once the network is back.
  await page.context().setOffline(false);
  await expect(status).toHaveText("Saved", { timeout: 15_000 });
  const reviewId = reviewPath.split("/").pop();
  const fresh = await page.context().browser()!.newContext({ baseURL: server.url, serviceWorkers: "block" });
  const api = fresh.request;
  // Read back through the API as the facilitator: the token this browser holds.
  const token = await page.evaluate(async (id) => {
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      const open = indexedDB.open("mosaic");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    return await new Promise<string>((resolve, reject) => {
      const get = db.transaction("credentials").objectStore("credentials").get(id);
      get.onsuccess = () => resolve(get.result ? JSON.parse(get.result).token : "");
      get.onerror = () => reject(get.error);
    });
  }, reviewId);
  const review = await api.get(`/api/v1/reviews/${reviewId}`, { headers: { Authorization: `Bearer ${token}` } });
  expect(review.status()).toBe(200);
  expect(JSON.stringify(await review.json())).toContain("Oona");
  await fresh.close();
});

test("the shell keeps what a first visit downloaded without downloading it again", async ({ page, context }) => {
  const byWorker: string[] = [];
  context.on("request", (request) => {
    if (request.serviceWorker()) byWorker.push(new URL(request.url()).pathname);
  });
  await page.goto("/");
  await expect(page.getByRole("button", { name: "Create review" })).toBeVisible();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  // The first visit came as one pack (scripts/place-parts.mjs): the main part and the page's
  // parts in it were handed to the shell; it downloaded the rest of the app only.
  expect(byWorker.length).toBeGreaterThan(0);
  expect(byWorker.filter((path) => /^\/(mosaic-[0-9a-f]+_bg|split_reviews_page-[0-9a-f]+)\.wasm$/.test(path))).toEqual([]);
  expect(await page.evaluate(() => caches.has("mosaic-first-load"))).toBe(false);
  // And it serves them: offline, the reload opens the app.
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole("button", { name: "Create review" })).toBeVisible();
});
