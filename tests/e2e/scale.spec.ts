// Beyond one machine: three mosaic-server processes on one PostgreSQL database behind HAProxy
// (round-robin, no sticky sessions). A facilitator and three participants, each in their own
// browser, run a review through the balancer: their requests and event streams land on every
// process, and what one process commits reaches the browsers listening on the others live. Then one process is killed with SIGKILL mid-session: every browser reconnects through
// the balancer, and every change the server had acknowledged is still there.
import { BrowserContext, Page } from "@playwright/test";
import { test, expect, expectNoAxeViolations } from "./fixtures";
import { addEntry, addObservation, createReview, join, profile, status, submit } from "./steps";
import { Cluster, startCluster } from "./cluster";

/** Live, with no reload: without the shared bus a change committed on another process would
 *  never reach these pages. The delay itself is a benchmark figure (`scripts/bench.sh`: commit on
 *  one process to event on another, p50 15 ms), not a timed assertion: on a loaded 2-core CI
 *  machine four browsers and three servers share the cores. */
const LIVE = { timeout: 5_000 };
/** A browser whose stream was on the killed process reconnects (its retry is about 3 s). */
const RECONNECTED = { timeout: 15_000 };



/** Waits until the balancer holds at least `streams` open sessions on the servers still up. */
async function streamsOpen(cluster: Cluster, streams: number, except: string) {
  await expect
    .poll(
      async () => {
        const sessions = await cluster.sessions();
        return Object.entries(sessions)
          .filter(([name]) => name !== except)
          .reduce((sum, [, s]) => sum + s.open, 0);
      },
      { timeout: RECONNECTED.timeout, message: "every browser's event stream is open again" },
    )
    .toBeGreaterThanOrEqual(streams);
}

test("three server processes behind a balancer: live everywhere, and a killed process loses nothing", async ({
  browser,
}) => {
  test.info().setTimeout(180_000);
  const cluster = await startCluster(3);
  try {
    const [facilitatorContext, facilitator] = await profile(browser, cluster);
    await facilitator.goto("/settings");
    await facilitator.getByLabel("Sync with a Mosaic server").check();
    await expect(facilitator.getByLabel("Server URL")).toHaveValue(cluster.url);
    await facilitator.getByRole("button", { name: "Save settings" }).click();
    await expect(facilitator.getByText("Settings saved.")).toBeVisible();
    await createReview(facilitator, {
      title: "Replica lag during failover",
      started: "2026-11-24T03:10",
      severity: "sev2",
      team: "Storage",
      services: "orders-db",
    });
    await expect(status(facilitator)).toHaveText("Saved");
    const invite = await facilitator.getByLabel("Invite link").inputValue();
    expect(invite.startsWith(cluster.url), "invite links name the balancer").toBe(true);

    // Three people join; each arrival reaches the facilitator live, whichever
    // process took the join and whichever holds the facilitator's stream.
    const people = [
      { name: "Ana Ruiz", role: "on-call engineer" },
      { name: "Ben Okafor", role: "incident commander" },
      { name: "Chen Wu", role: "database engineer" },
    ];
    const pages: Page[] = [];
    const contexts: BrowserContext[] = [];
    for (const p of people) {
      const [context, page] = await profile(browser, cluster);
      await join(page, invite, p.name, p.role, "Replica lag during failover");
      contexts.push(context);
      pages.push(page);
      await expect(facilitator.getByRole("button", { name: `Edit ${p.name}` })).toBeVisible(LIVE);
    }
    const [ana, ben, chen] = pages;

    await facilitator.getByRole("button", { name: "Start independent accounts" }).click();
    await expect(status(facilitator)).toHaveText("Saved");
    for (const page of pages) {
      await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible(LIVE);
    }

    // Submissions reach the facilitator live.
    await addEntry(ana, "2026-11-24T03:12", "ANA-MARKER replica lag alert fired", "the primary was overloaded");
    await addObservation(ana, "Technical", "Failover promoted a lagging replica");
    await submit(ana);
    await expect(facilitator.getByText("1 of 3 participants have submitted.")).toBeVisible(LIVE);
    await addEntry(ben, "2026-11-24T03:15", "BEN-MARKER declared the incident", "writes were being lost");
    await submit(ben);
    await expect(facilitator.getByText("2 of 3 participants have submitted.")).toBeVisible(LIVE);
    await addEntry(chen, "2026-11-24T03:14", "CHEN-MARKER paused the failover", "the replica would catch up");
    await expect(status(chen)).toHaveText("Saved");

    // The requests and the streams went to every process.
    const before = await cluster.sessions();
    for (const name of ["s1", "s2", "s3"]) {
      expect(before[name]?.total ?? 0, `requests reached ${name}`).toBeGreaterThan(0);
    }

    // One process dies at once, without a graceful shutdown, holding some of the streams.
    await cluster.kill(1);
    // Chen keeps working: her acknowledged draft is there, and her submission goes through.
    await addEntry(chen, "2026-11-24T03:20", "CHEN-LATE resumed replication", "nothing was lost");
    await expect(status(chen)).toHaveText("Saved", RECONNECTED);
    await submit(chen);
    await expect(facilitator.getByText("3 of 3 participants have submitted.")).toBeVisible(RECONNECTED);
    // Every browser's stream is open again, on the two processes left.
    await streamsOpen(cluster, 4, "s2");

    // The reveal reaches every participant live, with every account.
    await facilitator.getByRole("button", { name: "Reveal all accounts…" }).click();
    await facilitator.getByRole("button", { name: "Reveal now" }).click();
    for (const page of pages) {
      await expect(page.getByRole("heading", { name: "Merged timeline" })).toBeVisible(LIVE);
    }
    for (const page of [facilitator, ...pages]) {
      for (const marker of ["ANA-MARKER", "BEN-MARKER", "CHEN-MARKER", "CHEN-LATE"]) {
        await expect(page.locator("body")).toContainText(marker);
      }
    }
    await expectNoAxeViolations(ben);

    // A vote reaches the facilitator and the other participants live.
    await ben.getByRole("button", { name: "Vote for: Failover promoted a lagging replica" }).click();
    await expect(status(ben)).toHaveText("Saved");
    for (const page of [facilitator, ana, chen]) {
      await expect(page.locator(".factors-panel")).toContainText("1 vote", LIVE);
    }

    // Nothing acknowledged was lost: read back from the servers after a reload.
    for (const page of [facilitator, ...pages]) {
      await page.reload();
      for (const marker of ["ANA-MARKER", "BEN-MARKER", "CHEN-MARKER", "CHEN-LATE"]) {
        await expect(page.locator("body")).toContainText(marker);
      }
      await expect(page.locator(".factors-panel")).toContainText("1 vote");
    }
    for (const context of [facilitatorContext, ...contexts]) await context.close();
  } finally {
    await cluster.stop();
  }
});
