// The steps a person takes in the app, shared by the browser tests: each waits until the app
// says the step took effect.
import type { Page } from "@playwright/test";
import { expect, MosaicServer } from "./fixtures";

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
