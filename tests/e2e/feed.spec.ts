// The cross-team findings feed, through the real server: one team publishes, a reader from
// another team (another browser profile, no token) finds the finding by searching and by
// filtering, reads it, and follows it in a feed reader; an unpublished review never shows. Then
// a review whose every text holds script payloads is published, and nothing of them runs,
// neither in the app nor in the Atom and JSON feeds.
import { Browser, BrowserContext, Page } from "@playwright/test";
import Parser from "rss-parser";
import { test, api, expect, expectNoAxeViolations, snap, Json, MosaicServer } from "./fixtures";
import { createReview, profile, status, useServer } from "./steps";

test.use({ timezoneId: "UTC" });

// ---- Seeding through the HTTP API, as another person's browser would. ----

let opCounter = 0;

/** A review on the server, driven by its facilitator's token. */
class Seeded {
  version = 0;
  constructor(readonly server: MosaicServer, readonly id: string, readonly token: string, readonly invite: string) {}

  static async create(server: MosaicServer, id: string, facts: { title: string; team: string; services: string[] }) {
    const created = await api(server, "POST", "/reviews", {
      body: { id, started_at: "2026-11-10T09:00:00Z", severity: "sev2", ...facts },
    });
    const seeded = new Seeded(server, id, created.facilitator_token, created.invite_token);
    seeded.version = created.review.version;
    return seeded;
  }

  /** A facilitator's op on the current version. */
  async op(op: Json) {
    const current = await api(this.server, "GET", `/reviews/${this.id}`, { token: this.token });
    const review = await api(this.server, "POST", `/reviews/${this.id}/ops`, {
      token: this.token,
      body: { op_id: `feed-op-${++opCounter}`, base_version: current.version, op },
    });
    this.version = review.version;
    return review;
  }

  /** A participant joins, writes an account with these observations, and submits it. */
  async participant(name: string, role: string, observations: [kind: string, text: string][]) {
    const joined = await api(this.server, "POST", `/reviews/${this.id}/participants`, {
      body: { invite_token: this.invite, name, role, show_name_when_published: false },
    });
    const pid = joined.participant_id;
    const account = {
      review_id: this.id,
      participant_id: pid,
      entries: [
        { id: "e1", at: "2026-11-10T09:05:00Z", what_happened: `${role} saw the first alert`, knew_or_believed: "", what_i_did: "" },
      ],
      observations: observations.map(([kind, text], i) => ({ id: `o${i + 1}`, kind, text })),
    };
    await api(this.server, "PUT", `/reviews/${this.id}/accounts/${pid}`, { token: joined.token, body: account, ifMatch: '"0"' });
    return { pid, token: joined.token };
  }

  async submit(who: { pid: string; token: string }) {
    await api(this.server, "POST", `/reviews/${this.id}/accounts/${who.pid}/submit`, { token: who.token });
  }

  action(id: string, title: string, extra: Json = {}) {
    return this.op({
      op: "add_action",
      id,
      action: {
        title,
        description: "",
        owner: null,
        kind: "prevent",
        priority: "p2",
        due: null,
        status: "open",
        factor_refs: [],
        ...extra,
      },
    });
  }
}

/** Everyone's part of a review up to action planning: one participant with `observations`,
 *  the facilitator's `insights`, `actions` and `summary`. */
async function planned(
  s: Seeded,
  people: { name: string; role: string; observations: [string, string][] }[],
  work: { insights: string[]; actions: string[]; summary: string },
) {
  const joined = [];
  for (const p of people) joined.push(await s.participant(p.name, p.role, p.observations));
  await s.op({ op: "transition", to: "investigating" });
  for (const who of joined) await s.submit(who);
  await s.op({ op: "transition", to: "revealed" });
  for (const text of work.insights) await s.op({ op: "add_key_insight", text });
  await s.op({ op: "transition", to: "actions" });
  for (const [i, title] of work.actions.entries()) await s.action(`act-${i + 1}`, title);
  await s.op({ op: "set_summary", summary: work.summary });
}

// ---- The browser side. ----

/** A profile in UTC on which no dialog may ever open: an alert() from a payload fails the test. */
async function watchedProfile(browser: Browser, server: MosaicServer): Promise<[BrowserContext, Page]> {
  const [context, page] = await profile(browser, server, { timezoneId: "UTC" });
  page.on("dialog", (d) => {
    throw new Error(`a dialog opened: ${d.message()}`);
  });
  return [context, page];
}

/** The token this browser keeps for a review it created, from its IndexedDB. */
async function storedToken(page: Page, reviewId: string): Promise<string> {
  return page.evaluate(
    (id) =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open("mosaic");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction("credentials").objectStore("credentials").get(id);
          get.onerror = () => reject(get.error);
          get.onsuccess = () => resolve(JSON.parse(get.result).token);
        };
      }),
    reviewId,
  );
}

const count = (page: Page) => page.getByTestId("feed-count");
const entries = (page: Page) => page.getByTestId("feed-entry");

async function search(page: Page, words: string) {
  await page.getByLabel("Search findings").fill(words);
}

// ---- Feeds as a feed reader gets them. ----

async function atom(server: MosaicServer, query = "") {
  const response = await fetch(`${server.url}/feed.atom${query}`);
  expect(response.ok).toBe(true);
  expect(response.headers.get("content-type")).toContain("atom");
  const xml = await response.text();
  return { xml, feed: await new Parser().parseString(xml) };
}

async function jsonFeed(server: MosaicServer, query = "") {
  const response = await fetch(`${server.url}/feed.json${query}`);
  expect(response.ok).toBe(true);
  const raw = await response.text();
  return { raw, feed: JSON.parse(raw) };
}

const TEAM_A = { title: "Ledger writes failed when the disk filled", team: "Payments", services: ["ledger-db"] };
const INSIGHT = "Inode exhaustion looks exactly like a full disk to every alert we have";

test("a reader from another team finds a published finding by search and by filter, and follows it", async ({ browser, server }) => {
  test.setTimeout(180_000);

  // Team A's facilitator creates the review in their browser, on the server.
  const [aContext, facilitator] = await watchedProfile(browser, server);
  await useServer(facilitator, server);
  await createReview(facilitator, {
    title: TEAM_A.title,
    started: "2026-11-10T09:00",
    severity: "sev2",
    team: TEAM_A.team,
    services: TEAM_A.services.join(", "),
  });
  await expect(status(facilitator)).toHaveText("Saved");
  const reviewId = new URL(facilitator.url()).pathname.split("/").pop()!;
  const fragment = new URLSearchParams(new URL(await facilitator.getByLabel("Invite link").inputValue()).hash.slice(1));
  const a = new Seeded(server, reviewId, await storedToken(facilitator, reviewId), fragment.get("invite")!);

  // The rest of the group's work arrives through the API, as from the others' browsers.
  await planned(
    a,
    [
      {
        name: "Priya Nair",
        role: "on-call SRE",
        observations: [
          ["knowledge_gap", "Nobody knew the ledger volume had a small inode table"],
          ["technical", "Disk alerts watch bytes, not inodes"],
        ],
      },
    ],
    {
      insights: [INSIGHT],
      actions: ["Alert on inode usage for every volume"],
      summary: "The ledger stopped accepting writes for **forty minutes** while the disk still had space.",
    },
  );
  // A second review of team A, never published: it must never be seen outside the team.
  const hidden = await Seeded.create(server, "feed-unpublished", {
    title: "Unpublished zeppelin review",
    team: "Payments",
    services: ["ledger-db"],
  });
  await planned(hidden, [{ name: "Quinn Lee", role: "DBA", observations: [["knowledge_gap", "Inode limits are unknown"]] }], {
    insights: ["Zeppelin inode insight that stays in the team"],
    actions: [],
    summary: "Zeppelin summary",
  });
  // Another team's published finding, so that filters have something to leave out.
  const other = await Seeded.create(server, "feed-team-b", {
    title: "Search index rebuild slowed queries",
    team: "Search",
    services: ["search-api"],
  });
  await planned(other, [{ name: "Rui Costa", role: "search engineer", observations: [["technical", "Rebuild shares the query cache"]] }], {
    insights: ["Batch work and user traffic share one cache"],
    actions: ["Give the rebuild its own cache"],
    summary: "Queries slowed while the index rebuilt.",
  });
  await other.op({ op: "set_publication", tags: ["search", "caching"], audience: {} });
  await other.op({ op: "transition", to: "published" });

  // The facilitator sets the tags and keeps the actions to the team, then publishes.
  await facilitator.reload();
  await expect(facilitator.locator(".phase-stepper [aria-current=step]")).toHaveText("Action planning");
  await facilitator.getByLabel("Tags").fill("payments, storage, Payments");
  // Participants' own words start with the team; this team shares them with everyone.
  for (const section of [
    "Contributing factors",
    "Operational surprises",
    "Knowledge gaps",
    "What helped",
    "Where we were lucky",
    "How it unfolded",
  ]) {
    await facilitator.getByRole("group", { name: section, exact: true }).getByLabel("Whole organisation").check();
  }
  await facilitator.getByRole("group", { name: "Actions", exact: true }).getByLabel("Team only").check();
  await expect(facilitator.getByTestId("audience-summary")).toHaveText(
    "Team only (not shown to readers outside this review): Actions.",
  );
  const preview = facilitator.getByTestId("finding");
  await expect(preview.getByRole("heading", { name: "Actions Team only" })).toBeVisible();
  await expect(preview.locator(".tag")).toHaveText(["payments", "storage"]);
  await expect(status(facilitator)).toHaveText("Saved");
  await snap(facilitator, "feed-1-publish-choices");
  await expectNoAxeViolations(facilitator);
  await facilitator.getByRole("button", { name: "Publish findings…" }).click();
  await expect(facilitator.getByTestId("publish-team")).toHaveText("Actions");
  await expect(facilitator.getByTestId("publish-organisation")).toHaveText(
    "Summary, How it unfolded, Key insights, Contributing factors, Operational surprises, Knowledge gaps, What helped, Where we were lucky",
  );
  await expectNoAxeViolations(facilitator);
  await facilitator.getByRole("button", { name: "Publish now" }).click();
  await expect(facilitator.getByRole("heading", { name: "Published finding" })).toBeVisible();
  await expect(status(facilitator)).toHaveText("Saved");

  // A reader from another team, in their own browser, with no token.
  const [bContext, reader] = await watchedProfile(browser, server);
  await useServer(reader, server);
  await reader.getByRole("link", { name: "Findings feed" }).click();
  await expect(count(reader)).toHaveText("2 findings.");
  await expect(entries(reader).first()).toContainText(TEAM_A.title); // newest first
  await expect(entries(reader).nth(1)).toContainText("Search index rebuild slowed queries");
  await expect(reader.locator("main")).not.toContainText("zeppelin", { ignoreCase: true });
  const entryA = entries(reader).filter({ hasText: TEAM_A.title });
  await expect(entryA).toContainText("Payments");
  await expect(entryA).toContainText("ledger-db");
  await expect(entryA).toContainText("SEV2");
  await expect(entryA).toContainText("The ledger stopped accepting writes for forty minutes");
  await expect(entryA).toContainText("Factors: Technical, Knowledge gap");
  await expect(entryA.locator(".tag")).toHaveText(["payments", "storage"]);
  // Its actions are the team's: no counts for others.
  await expect(entryA).not.toContainText("Actions:");
  await expect(reader.getByRole("heading", { name: "Learning across reviews" })).toBeVisible();
  await expect(reader.getByTestId("action-completion")).toContainText("1 open");
  await snap(reader, "feed-2-feed");
  await expectNoAxeViolations(reader);

  // Searching as you type, by a word of the key insight; the search is in the address.
  await search(reader, "inode");
  await expect(count(reader)).toHaveText("1 finding.");
  await expect(entries(reader)).toHaveCount(1);
  await expect(entries(reader)).toContainText(TEAM_A.title);
  await expect(reader).toHaveURL(/\/feed\?q=inode$/);
  await expect(reader.getByRole("link", { name: "Atom" })).toHaveAttribute("href", `${server.url}/feed.atom?q=inode`);
  await expect(reader.getByRole("link", { name: "JSON Feed" })).toHaveAttribute("href", `${server.url}/feed.json?q=inode`);
  await reader.reload();
  await expect(reader.getByLabel("Search findings")).toHaveValue("inode");
  await expect(entries(reader)).toHaveCount(1);
  await expect(reader.locator("main")).not.toContainText("zeppelin", { ignoreCase: true });
  await search(reader, "zeppelin");
  await expect(count(reader)).toHaveText("No published findings match this search.");
  await expect(entries(reader)).toHaveCount(0);

  // Filtering: by kind of factor, by tag, by team.
  await reader.getByRole("button", { name: "Clear search and filters" }).click();
  await expect(count(reader)).toHaveText("2 findings.");
  await reader.getByLabel("Factor kind").selectOption({ label: "Knowledge gap" });
  await expect(entries(reader)).toHaveCount(1);
  await expect(entries(reader)).toContainText(TEAM_A.title);
  await expect(reader).toHaveURL(/kind=knowledge_gap/);
  await reader.getByLabel("Factor kind").selectOption({ label: "Any kind" });
  await reader.getByLabel("Team").fill("Search");
  // The whole list, so a list still showing the previous filter's one entry does not pass.
  await expect(entries(reader)).toHaveText([/Search index rebuild slowed queries/]);
  await reader.getByLabel("Team").fill("");
  await expect(count(reader)).toHaveText("2 findings.");
  // A tag on an entry narrows the feed to it.
  await entryA.getByRole("link", { name: "payments" }).click();
  await expect(reader).toHaveURL(/\/feed\?tag=payments$/);
  await expect(reader.getByLabel("Tag", { exact: true })).toHaveValue("payments");
  await expect(entries(reader)).toHaveCount(1);

  // The finding's own page: every section the organisation may read, and a word that some
  // are the team's.
  await entries(reader).getByRole("link", { name: TEAM_A.title }).click();
  await expect(reader).toHaveURL(new RegExp(`/feed/${reviewId}$`));
  const page = reader.getByTestId("finding");
  await expect(reader.getByRole("heading", { level: 1 })).toHaveText(TEAM_A.title);
  await expect(page.getByRole("heading", { name: "Summary" })).toBeVisible();
  await expect(page.locator(".finding-summary strong")).toHaveText("forty minutes");
  await expect(page.getByRole("heading", { name: "Key insights" })).toBeVisible();
  await expect(page).toContainText(INSIGHT);
  await expect(page.getByRole("heading", { name: "Contributing factors" })).toBeVisible();
  await expect(page).toContainText("Disk alerts watch bytes, not inodes — noted by on-call SRE");
  await expect(page.getByRole("heading", { name: "Knowledge gaps" })).toBeVisible();
  await expect(page).toContainText("Nobody knew the ledger volume had a small inode table");
  await expect(page.getByRole("heading", { name: /Actions/ })).toHaveCount(0);
  await expect(page).not.toContainText("Alert on inode usage");
  await expect(page).not.toContainText("Priya");
  await expect(reader.getByText("Some sections are shared with the team only.")).toBeVisible();
  await snap(reader, "feed-3-finding-reader");
  await expectNoAxeViolations(reader);

  // The team's own facilitator sees the team-only actions, as they stand now.
  await facilitator.goto(`/feed/${reviewId}`);
  const own = facilitator.getByTestId("finding");
  await expect(own.getByRole("heading", { name: "Actions Team only" })).toBeVisible();
  await expect(own).toContainText("Alert on inode usage for every volume");
  await expect(own.locator(".finding-actions .status")).toHaveText("Open");
  await expect(facilitator.getByText("Some sections are shared with the team only.")).toHaveCount(0);
  // Progress after publishing reaches the feed.
  await a.op({ op: "set_action_status", id: "act-1", status: "done" });
  await facilitator.reload();
  await expect(own.locator(".finding-actions .status")).toHaveText("Done");
  await snap(facilitator, "feed-4-finding-member");

  // A feed reader following the search gets the finding, and never the unpublished review.
  for (const query of ["", "?q=inode", "?tag=payments", "?kind=knowledge_gap"]) {
    const { xml, feed } = await atom(server, query);
    const titles = feed.items.map((i) => i.title);
    expect(titles, query).toContain(TEAM_A.title);
    expect(xml.toLowerCase(), query).not.toContain("zeppelin");
  }
  const all = (await atom(server)).feed;
  expect(all.items.map((i) => i.title)).toEqual([TEAM_A.title, "Search index rebuild slowed queries"]);
  const inAtom = all.items[0];
  expect(inAtom.link).toContain(`/feed/${reviewId}`);
  expect(inAtom.content).toContain(INSIGHT);
  expect(inAtom.content).not.toContain("Alert on inode usage");
  const json = await jsonFeed(server, "?q=inode");
  expect(json.feed.version).toMatch(/^https:\/\/jsonfeed\.org\/version\/1/);
  expect(json.feed.items.map((i: Json) => i.title)).toEqual([TEAM_A.title]);
  expect((await jsonFeed(server)).raw.toLowerCase()).not.toContain("zeppelin");

  await aContext.close();
  await bContext.close();
});

// ---- Script payloads in every text a person can type. ----

const PAYLOADS = [
  "<script>window.__xss=1</script>",
  '<img src=x onerror="window.__xss=1">',
  "[x](javascript:window.__xss=1)",
  "javascript:alert(1)",
  '<a href="javascript:window.__xss=1">click</a>',
  "<svg onload=window.__xss=1>",
  "[y](JaVaScRiPt&#58;window.__xss=1)",
];
const ALL = PAYLOADS.join(" ");
// Tags are at most 40 characters.
const TAGS = PAYLOADS.filter((p) => p.length <= 40).slice(0, 5);

/** No payload ran, and none left an element that could run one. */
async function expectInertPage(page: Page) {
  expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
  const found = await page.evaluate(() => {
    const bad: string[] = [];
    for (const el of Array.from(document.querySelectorAll("*"))) {
      if (el.tagName === "SCRIPT" && (el.textContent ?? "").includes("__xss")) bad.push("script element");
      if (el.tagName === "IMG") bad.push("img element");
      for (const attr of Array.from(el.attributes)) {
        if (attr.name.toLowerCase().startsWith("on")) bad.push(`${el.tagName} ${attr.name}`);
        if (/^\s*(javascript|data|vbscript):/i.test(attr.value.replace(/[\u0000-\u0020]/g, "")))
          bad.push(`${el.tagName} ${attr.name}=${attr.value}`);
      }
    }
    return bad;
  });
  expect(found).toEqual([]);
}

/** HTML as a feed reader would show it, in a blank page: nothing in it may run. */
async function expectInertHtml(page: Page, html: string) {
  await page.setContent(`<!doctype html><html><body>${html}</body></html>`);
  await page.waitForTimeout(50);
  await expectInertPage(page);
  expect(await page.locator("script").count()).toBe(0);
}

test("script payloads in every field of a published review stay text, in the app and in both feeds", async ({ browser, server }) => {
  test.setTimeout(120_000);
  const s = await Seeded.create(server, "feed-xss", {
    title: `XSS ${PAYLOADS[0]} ${PAYLOADS[1]} ${PAYLOADS[2]}`,
    team: `<script>window.__xss=1</script>`,
    services: [PAYLOADS[1], PAYLOADS[3]],
  });
  await planned(
    s,
    [
      {
        name: "Mallory",
        role: '<img src=x onerror="window.__xss=1">',
        observations: PAYLOADS.map((p, i) => [["technical", "human", "organisational", "knowledge_gap", "operational_surprise"][i % 5], p]),
      },
    ],
    {
      insights: PAYLOADS,
      actions: PAYLOADS,
      summary: `${ALL}\n\n<script>window.__xss=1</script>\n\n<div onmouseover="window.__xss=1">hover</div>\n\n[ok](https://example.org/ok)`,
    },
  );
  await s.op({ op: "set_publication", tags: TAGS, audience: {} });
  await s.op({ op: "transition", to: "published" });

  const [context, reader] = await watchedProfile(browser, server);
  await useServer(reader, server);
  await reader.goto("/feed");
  const entry = entries(reader).first();
  await expect(entry).toContainText("XSS <script>window.__xss=1</script>");
  await expect(entry.locator(".tag")).toHaveText(TAGS);
  await expectInertPage(reader);
  // Payloads typed into the search go into the address and the request, and stay text.
  await search(reader, PAYLOADS[1]);
  await expect(reader).toHaveURL(/\?q=/);
  await expect(count(reader)).toBeVisible();
  await expectInertPage(reader);
  await search(reader, "");
  await expect(entries(reader)).toHaveCount(1);

  // Every tag link, then the finding's page and every link on it that stays in the app.
  const tagCount = await entry.locator("a.tag").count();
  for (let i = 0; i < tagCount; i++) {
    await reader.goto("/feed");
    await entries(reader).first().locator("a.tag").nth(i).click();
    await expect(entries(reader)).toHaveCount(1);
    await expectInertPage(reader);
  }
  await entries(reader).first().getByRole("link", { name: /^XSS/ }).click();
  const finding = reader.getByTestId("finding");
  await expect(reader.getByRole("heading", { level: 1 })).toContainText("XSS <script>window.__xss=1</script>");
  await expect(finding.locator(".finding-summary")).toContainText("<script>window.__xss=1</script>");
  await expect(finding.locator(".finding-summary")).toContainText('<div onmouseover="window.__xss=1">hover</div>');
  await expect(finding).toContainText('noted by <img src=x onerror="window.__xss=1">');
  await expect(finding.locator(".finding-actions li")).toHaveCount(PAYLOADS.length);
  await expectInertPage(reader);
  await snap(reader, "feed-5-xss-finding");
  // The markdown links that survive go to http(s) only; the app's own links are followed.
  const hrefs = await finding.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
  for (const href of hrefs) expect(href).toMatch(/^(https?:\/\/|\/)/);
  expect(hrefs).toContain("https://example.org/ok");
  for (const href of hrefs.filter((h) => h.startsWith("/"))) {
    await reader.goto(href);
    await expectInertPage(reader);
  }
  await reader.goto(`/feed/${s.id}`);
  for (const el of await finding.locator(".finding-summary, .finding-section li").all()) await el.hover();
  await expectInertPage(reader);

  // Both feeds carry the payloads only as text.
  const blank = await context.newPage();
  blank.on("dialog", (d) => {
    throw new Error(`a dialog opened: ${d.message()}`);
  });
  const { xml, feed } = await atom(server);
  expect(xml).not.toMatch(/<script|<img|<svg|<div on/i);
  const item = feed.items.find((i) => i.title?.startsWith("XSS"))!;
  expect(item.title).toBe(`XSS ${PAYLOADS[0]} ${PAYLOADS[1]} ${PAYLOADS[2]}`);
  expect(item.content).toContain("&lt;script&gt;");
  await expectInertHtml(blank, item.content!);
  // Titles and summaries are text (a reader shows them as such), never HTML.
  expect(xml).not.toMatch(/<(title|summary)[^>]*type="x?html"/);
  expect((item as Json).summary).toContain("<script>window.__xss=1</script>");
  const json = (await jsonFeed(server)).feed;
  const jsonItem = json.items.find((i: Json) => i.title.startsWith("XSS"));
  expect(jsonItem.title).toBe(item.title);
  await expectInertHtml(blank, jsonItem.content_html ?? "");
  await context.close();
});

test("a long feed comes a page at a time", async ({ browser, server }) => {
  test.setTimeout(120_000);
  // Published one after another: 21 findings of one team, one more than a page.
  for (let n = 1; n <= 21; n++) {
    const s = await Seeded.create(server, `feed-bulk-${n}`, { title: `Bulk finding ${n}`, team: "Bulk", services: [] });
    await planned(s, [{ name: "Sam", role: "SRE", observations: [["human", `Observation ${n}`]] }], {
      insights: [],
      actions: [],
      summary: "",
    });
    // Every section for the organisation (an API client's explicit choice: a new review keeps
    // participants' observations to the team).
    await s.op({ op: "set_publication", tags: [], audience: {} });
    await s.op({ op: "transition", to: "published" });
  }
  const [context, reader] = await watchedProfile(browser, server);
  await useServer(reader, server);
  await reader.goto("/feed?team=Bulk");
  await expect(count(reader)).toHaveText("21 findings; showing the newest 20.");
  await expect(entries(reader)).toHaveCount(20);
  await expect(entries(reader).first()).toContainText("Bulk finding 21");
  // The entries shown stay as they are when more are added: the same elements, not new ones.
  await entries(reader).first().evaluate((el) => el.setAttribute("data-shown-before", ""));
  await reader.getByRole("button", { name: "Load more" }).click();
  await expect(entries(reader)).toHaveCount(21);
  await expect(entries(reader).first()).toHaveAttribute("data-shown-before", "");
  await expect(entries(reader).last()).toContainText("Bulk finding 1");
  await expect(count(reader)).toHaveText("21 findings.");
  await expect(reader.getByRole("button", { name: "Load more" })).toHaveCount(0);
  // The charts count the same findings.
  await expect(reader.getByText("From the 21 findings that match the search and filters.")).toBeVisible();
  await expect(reader.getByRole("table", { name: "Findings by kind of factor per month" })).toBeAttached();
  await expectNoAxeViolations(reader);
  // A search nothing matches says so beside the charts too, rather than "From the 0 findings".
  await reader.goto("/feed?team=Nobody%20at%20all");
  await expect(reader.getByText("No finding matches the search and filters: nothing to chart.")).toBeVisible();
  await context.close();
});
