// Actions in the backlog, through the real server: a facilitator links an action to its
// tracker item (a javascript: address is refused beside the field) and the published finding
// links to it safely; the /actions page lists the open actions of every published finding and
// of this browser's reviews, overdue ones first, filters kept in the address, and a status
// changed there reaches the finding.
import { Page } from "@playwright/test";
import { test as base, api, expect, expectNoAxeViolations, snap, startServer, Json, MosaicServer } from "./fixtures";
import { publish, useServer } from "./steps";

// A server of this file's own, fresh for each test: the findings published here must not
// reach the other files' feeds (they share one server per worker).
const test = base.extend<{ own: MosaicServer }>({
  own: async ({}, use) => {
    const server = await startServer();
    await use(server);
    await server.stop();
  },
  baseURL: async ({ own }, use) => use(own.url),
});

test.use({ timezoneId: "UTC" });

let opCounter = 0;

/** A review driven through the API to action planning by its facilitator and one participant,
 *  with these actions (`[id, title, due, priority]`); published when asked. */
async function seed(
  server: MosaicServer,
  id: string,
  team: string,
  actions: [string, string, string | null, string][],
  published: boolean,
  services: string[] = ["api"],
  factor = "No alert on the queue depth",
) {
  const created = await api(server, "POST", "/reviews", {
    body: { id, title: `Incident ${id}`, started_at: "2026-11-10T09:00:00Z", severity: "sev2", team, services },
  });
  const token = created.facilitator_token;
  const op = async (body: Json) => {
    const current = await api(server, "GET", `/reviews/${id}`, { token });
    return api(server, "POST", `/reviews/${id}/ops`, {
      token,
      body: { op_id: `actions-op-${++opCounter}`, base_version: current.version, op: body },
    });
  };
  const joined = await api(server, "POST", `/reviews/${id}/participants`, {
    body: { invite_token: created.invite_token, name: "Alice Smith", role: "on-call SRE", show_name_when_published: false },
  });
  await op({ op: "transition", to: "investigating" });
  const account = {
    review_id: id,
    participant_id: joined.participant_id,
    entries: [],
    observations: [{ id: "o1", kind: "technical", text: factor }],
  };
  await api(server, "PUT", `/reviews/${id}/accounts/${joined.participant_id}`, { token: joined.token, body: account, ifMatch: '"0"' });
  await api(server, "POST", `/reviews/${id}/accounts/${joined.participant_id}/submit`, { token: joined.token });
  await op({ op: "transition", to: "revealed" });
  await op({ op: "transition", to: "actions" });
  for (const [aid, title, due, priority] of actions) {
    await op({
      op: "add_action",
      id: aid,
      action: { title, description: "", owner: null, kind: "detect", priority, due, status: "open", factor_refs: [] },
    });
  }
  if (published) {
    // Everything for the organisation, the factors (which start with the team) included.
    await op({ op: "set_publication", tags: [], audience: {} });
    await op({ op: "transition", to: "published" });
  }
  return token as string;
}

/** This browser continues as the review's facilitator (the personal resume link). */
async function holdAsFacilitator(page: Page, server: MosaicServer, id: string, token: string) {
  await useServer(page, server);
  await page.goto(`/join/${id}#resume=${token}`);
  await page.getByRole("button", { name: "Continue here" }).click();
  await expect(page).toHaveURL(new RegExp(`/reviews/${id}`));
}

test("a tracker link is refused unless it is a web address, and the finding links to it safely", async ({ page, own: server }) => {
  const token = await seed(server, "tracked", "Payments", [["a1", "Alert on queue depth", null, "p1"]], false);
  await holdAsFacilitator(page, server, "tracked", token);

  await page.getByRole("button", { name: "Edit Alert on queue depth" }).click();
  const form = page.getByRole("form", { name: "Edit action" });
  await form.getByLabel("Tracker link").fill("javascript:alert(1)");
  await form.getByLabel("Owning team or person").fill("Platform team");
  await form.getByRole("button", { name: "Save action" }).click();
  await expect(form.getByText("Tracker link must be a web address starting with https:// or http://")).toBeVisible();
  await expect(form.getByLabel("Tracker link")).toHaveAttribute("aria-invalid", "true");
  await expectNoAxeViolations(page);

  await form.getByLabel("Tracker link").fill("https://jira.example.com/browse/OPS-12");
  await form.getByRole("button", { name: "Save action" }).click();
  const item = page.getByTestId("action-list").getByRole("listitem").filter({ hasText: "Alert on queue depth" });
  await expect(item.getByRole("link", { name: "https://jira.example.com/browse/OPS-12" })).toBeVisible();
  await expect(item).toContainText("owned by Platform team");
  await snap(page, "actions-tracker-link");

  await publish(page);
  await expect(page.getByTestId("sync-status")).not.toHaveText(/Saving|waiting/);
  await page.goto("/feed/tracked");
  const link = page.getByRole("link", { name: "https://jira.example.com/browse/OPS-12" });
  await expect(link).toHaveAttribute("href", "https://jira.example.com/browse/OPS-12");
  await expect(link).toHaveAttribute("rel", "noopener noreferrer");
  await expect(page.getByText("owned by Platform team")).toBeVisible();
  await expectNoAxeViolations(page);

  // No address the domain refuses ever becomes a link, whatever a stored document says.
  const hrefs = await page.locator("a[href]").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
  expect(hrefs.filter((h) => /^\s*javascript:/i.test(h))).toEqual([]);
});

test("/actions lists overdue actions from two reviews first, filters in the address, and a status change there reaches the finding", async ({ page, own: server }) => {
  const mine = await seed(server, "mine", "Payments", [["m1", "Rotate the queue credentials", "2026-01-05", "p1"]], true);
  await seed(server, "theirs", "Search", [["t1", "Add a queue depth alert", "2026-01-10", "p2"]], true);
  await seed(server, "later", "Search", [
    ["l1", "Write the runbook", "2999-01-01", "p3"],
    ["l2", "Share the lessons", null, "p4"],
  ], true);
  await holdAsFacilitator(page, server, "mine", mine);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Open actions" }).click();
  await expect(page).toHaveURL(/\/actions$/);
  await expect(page.getByRole("heading", { name: "Open actions", level: 1 })).toBeVisible();
  const rows = page.getByTestId("open-action");
  const row = (title: string) => rows.filter({ hasText: title });
  await expect(rows.nth(0)).toContainText("Rotate the queue credentials");
  await expect(rows.nth(1)).toContainText("Add a queue depth alert");
  await expect(rows.nth(0)).toContainText("Overdue");
  await expect(rows.nth(1)).toContainText("Overdue");
  await expect(rows.nth(2)).toContainText("Write the runbook");
  await expect(rows.nth(2)).not.toContainText("Overdue");
  await expect(rows.last()).not.toContainText("Overdue");
  await expect(rows.filter({ hasText: "Overdue" })).toHaveCount(2);
  const all = await rows.count();
  const titles = await rows.locator("strong").allTextContents();
  expect(titles.indexOf("Share the lessons")).toBeGreaterThan(titles.indexOf("Write the runbook"));
  // Only the review this browser runs can be changed here.
  await expect(rows.nth(0).getByLabel("Status of “Rotate the queue credentials”")).toBeVisible();
  await expect(rows.nth(1).getByRole("combobox")).toHaveCount(0);
  await expectNoAxeViolations(page);
  await snap(page, "actions-open-list");

  // Filters go into the address, and the address brings them back.
  await page.getByLabel("Team").fill("search");
  await page.getByLabel("Priority").selectOption({ label: "P2" });
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/\/actions\?team=search&priority=p2$/);
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0)).toContainText("Add a queue depth alert");
  await page.reload();
  await expect(page.getByLabel("Team")).toHaveValue("search");
  await expect(rows).toHaveCount(1);
  await page.getByRole("link", { name: "Clear filters" }).click();
  await expect(rows).toHaveCount(all);

  // The facilitator closes their action here: it leaves the list and reaches the finding.
  await rows.nth(0).getByLabel("Status of “Rotate the queue credentials”").selectOption({ label: "Done" });
  await expect(page.getByTestId("actions-status")).toHaveText("“Rotate the queue credentials” is now done.");
  await expect(rows).toHaveCount(all - 1);
  await expect(row("Rotate the queue credentials")).toHaveCount(0);
  await expect(page.getByTestId("sync-status")).not.toHaveText(/Saving|waiting/);
  await expect(async () => {
    const finding = await api(server, "GET", "/feed/mine");
    expect(finding.finding.actions[0].status).toBe("done");
  }).toPass();
  await page.goto("/feed/mine");
  await expect(page.getByRole("listitem").filter({ hasText: "Rotate the queue credentials" })).toContainText("Done");
  await page.getByText("Status history").click();
  await expect(page.getByText("Open → Done")).toBeVisible();
  await expect(page.getByTestId("time-to-improve")).toHaveText(
    "Time to improve: 1 of 1 actions done, in a median of 0 days from being added.",
  );
  // The feed's charts count it too.
  await page.goto("/feed?team=Payments");
  await expect(page.getByTestId("improve-fast")).toHaveText("100% of the 1 done actions were done within 30 days of being added.");
  await expect(page.getByTestId("improve-table")).toContainText("2026-");
  await expectNoAxeViolations(page);

  // After a reload too: the server's list no longer has it.
  await page.goto("/actions");
  await expect(rows).toHaveCount(all - 1);
  await expect(row("Rotate the queue credentials")).toHaveCount(0);
});

test("a finding lists related findings, and starting a review for a service says what was learned before", async ({ page, own: server }) => {
  const lag = "The ledger replication lag alert was muted";
  await seed(server, "ledger-1", "Payments", [["a1", "Watch the ledger lag", null, "p3"]], true, ["ledger"], lag);
  await seed(server, "ledger-2", "Billing", [["a1", "Shard the ledger", null, "p3"]], true, ["Ledger", "billing"], "Billing shards were uneven");
  await seed(server, "unrelated", "Search", [["a1", "Tune the index", null, "p3"]], true, ["index"], "The index rebuild stalled");
  // Another service, another team, but what went on was the same.
  await seed(server, "similar", "Mail", [["a1", "Page on replication lag", null, "p2"]], true, ["mailer"], "Replication lag on the ledger went unnoticed");
  await useServer(page, server);

  await page.goto("/feed/ledger-1");
  const related = page.getByRole("region", { name: "Related findings" });
  await expect(related.getByRole("link")).toHaveText(["Incident similar", "Incident ledger-2"]);
  await expectNoAxeViolations(page);
  await related.getByRole("link", { name: "Incident ledger-2" }).click();
  await expect(page).toHaveURL(/\/feed\/ledger-2$/);
  await expect(page.getByRole("region", { name: "Related findings" }).getByRole("link")).toHaveText(["Incident ledger-1"]);
  const answered = page.waitForResponse((r) => r.url().endsWith("/feed/unrelated/related"));
  await page.goto("/feed/unrelated");
  expect((await (await answered).json()).entries).toEqual([]);
  await expect(page.getByRole("heading", { name: "Incident unrelated" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Related findings" })).toHaveCount(0);

  await page.goto("/");
  await page.getByLabel("Services").fill("ledger, nothing-here");
  await page.getByLabel("Services").blur();
  const precedent = page.getByTestId("service-precedents").getByRole("link");
  await expect(precedent).toHaveText("2 published findings involve ledger");
  await expect(precedent).toHaveCount(1);
  await expectNoAxeViolations(page);
  await precedent.click();
  await expect(page).toHaveURL(/\/feed\?service=ledger$/);
  await expect(page.getByTestId("feed-entry")).toHaveCount(2);
});
