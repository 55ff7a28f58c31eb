// The steps a person takes in the app, shared by the browser tests: each waits until the app
// says the step took effect.
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "@playwright/test";
import { expect, MosaicServer } from "./fixtures";

/**
 * One more person: a browser profile of their own (its own storage) opening `server`, which may
 * also be a cluster's balancer, with any further context `options` (a time zone, downloads).
 */
export async function profile(
  browser: Browser,
  server: { url: string },
  options: BrowserContextOptions = {},
): Promise<[BrowserContext, Page]> {
  const context = await browser.newContext({ baseURL: server.url, ...options });
  return [context, await context.newPage()];
}

/** The facts a review starts with, as the "Start a review" form takes them. */
export type Facts = { title: string; started: string; severity: string; team: string; services?: string };

/** Reviews → "Create review" with these facts; waits until the review's page opens. */
export async function createReview(page: Page, facts: Facts) {
  await page.getByRole("link", { name: "Reviews" }).click();
  await page.getByLabel("Title").fill(facts.title);
  await page.getByLabel("Incident started").fill(facts.started);
  await page.getByLabel("Severity").selectOption(facts.severity);
  await page.getByLabel("Team").fill(facts.team);
  if (facts.services !== undefined) await page.getByLabel("Services").fill(facts.services);
  await page.getByRole("button", { name: "Create review" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(facts.title);
}

/** Settings → "Sync with a Mosaic server", on the server that serves the page. */
export async function useServer(page: Page, server: MosaicServer) {
  await page.goto("/settings");
  await page.getByLabel("Sync with a Mosaic server").check();
  await expect(page.getByLabel("Server URL")).toHaveValue(server.url);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved.")).toBeVisible();
}

/** "Publish findings…", then confirms once the dialog has said what each audience will see. */
export async function publish(page: Page) {
  await page.getByRole("button", { name: "Publish findings…" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Publish this finding?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Publish now" }).click();
  await expect(page.getByRole("heading", { name: "Published finding" })).toBeVisible();
}

export async function addEntry(page: Page, when: string, what: string, believed: string) {
  const form = page.getByRole("form", { name: "Add a timeline entry" });
  await form.getByLabel("When").fill(when);
  await form.getByLabel("What happened").fill(what);
  await form.getByLabel("What I knew or believed then").fill(believed);
  await form.getByRole("button", { name: "Add entry" }).click();
  await expect(form.getByRole("status")).toHaveText("Entry added to your timeline.");
}

export async function addObservation(page: Page, kind: string, text: string) {
  const form = page.getByRole("form", { name: "Add an observation" });
  await form.getByLabel("Kind").selectOption({ label: kind });
  await form.getByLabel("Observation").fill(text);
  await form.getByRole("button", { name: "Add observation" }).click();
  await expect(page.getByRole("group", { name: `${kind} observation` }).last()).toBeVisible();
}

/** Submits the acting person's account, through the confirmation. */
export async function submit(page: Page) {
  await page.getByRole("button", { name: "Submit my account…" }).click();
  await page.getByRole("button", { name: "Submit and seal" }).click();
  await expect(page.getByRole("heading", { name: "Your account (submitted)" })).toBeVisible();
}

/** During Independent accounts the facilitator's Setup (invite link, facts, participants,
 *  reference material) is folded away below the room and the submissions: this unfolds it,
 *  as a facilitator who needs it would. */
export async function openSetup(page: Page) {
  const fold = page.locator("details.setup-folded");
  await expect(fold).toHaveCount(1);
  if (!(await fold.evaluate((d) => (d as HTMLDetailsElement).open))) {
    await fold.locator("summary").click();
  }
  await expect(fold).toHaveAttribute("open", "");
}

/** The sync badge in the top bar: "Saved", "Offline", … */
export const status = (page: Page) => page.getByTestId("sync-status");

/** Joins with the shared `invite` link as a newcomer, and waits for the review `title` to open. */
export async function join(page: Page, invite: string, name: string, role: string, title: string) {
  await page.goto(invite);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Your role in the incident").fill(role);
  await page.getByRole("button", { name: "Join the review" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
}
