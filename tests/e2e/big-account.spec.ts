// A big account stays usable: a person whose account holds 10,000 timeline entries (kept from
// before the editor's limit of 200) types in it, finds an entry with "Find in my account", and
// tabs on from it. The editor renders only the entries near the screen, so the browser's own find
// cannot see the others: the in-account search is the way to them. The account is put straight
// into the app's IndexedDB, as the import form rightly refuses an account past the limit.
import { test, expect, expectNoAxeViolations, reloadWhenSaved } from "./fixtures";
import type { Page } from "@playwright/test";

test.use({ timezoneId: "UTC", thisBrowserOnly: true });

const REVIEW_ID = "r-big-account";
const ENTRIES = 10_000;

const people = [
  { id: "alice", name: "Alice Smith", role: "on-call SRE", show_name_when_published: false },
  { id: "bob", name: "Bob Jones", role: "incident commander", show_name_when_published: false },
];

/** n entries, 30 s apart, numbered in every field. */
function entries(prefix: string, n: number) {
  const start = Date.parse("2026-11-01T10:00:00Z");
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i + 1}`,
    at: new Date(start + i * 30_000).toISOString().replace(".000Z", "Z"),
    what_happened: `Checkout latency reading ${i + 1} came in above the alert threshold`,
    knew_or_believed: `The cache was warming up after the deploy (${i + 1})`,
    what_i_did: `Watched the dashboard and noted the value (${i + 1})`,
  }));
}

const draft = (participant_id: string, list: ReturnType<typeof entries>) => ({
  review_id: REVIEW_ID,
  participant_id,
  version: 1,
  entries: list,
  observations: [],
  submitted_at: null,
  commitment: null,
});

const review = {
  id: REVIEW_ID,
  version: 5,
  created_at: "2026-11-01T12:00:00Z",
  updated_at: "2026-11-02T10:00:00Z",
  facts: {
    title: "Checkout latency during the cache rebuild",
    started_at: "2026-11-01T10:00:00Z",
    severity: "sev2",
    team: "Payments",
    services: ["checkout"],
  },
  phase: "investigating",
  summary: "",
  participants: people,
  reference: [],
  submissions: [],
  revealed_at: null,
  links: [],
  votes: [],
  key_insights: [],
  actions: [],
  finding: null,
};

/** Writes the review and its accounts into the app's database as the app stores them (JSON
 *  text; accounts under "{review}/{participant}"). The app must have opened it once. */
async function seed(page: Page) {
  const accounts = [draft("alice", entries("a", ENTRIES)), draft("bob", entries("b", 2))];
  await page.evaluate(
    async ([review, accounts]) => {
      const db: IDBDatabase = await new Promise((resolve, reject) => {
        const open = indexedDB.open("mosaic");
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      await new Promise((resolve, reject) => {
        const tx = db.transaction(["reviews", "accounts"], "readwrite");
        tx.objectStore("reviews").put(JSON.stringify(review), (review as any).id);
        for (const a of accounts as any[]) tx.objectStore("accounts").put(JSON.stringify(a), `${a.review_id}/${a.participant_id}`);
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    },
    [review, accounts] as const,
  );
}

const rows = (page: Page) => page.locator(".timeline-editor .entry-list > li");

test("a 10,000-entry account: typing is kept, and Find in my account brings any entry to the keyboard", async ({ page }) => {
  test.info().setTimeout(120_000);
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await seed(page);
  await page.goto(`/reviews/${REVIEW_ID}`);
  await page.getByLabel("Acting as").selectOption({ label: "Alice Smith (on-call SRE)" });

  // The first entries are on screen; the page holds only the blocks near it, not 10,000 rows.
  const first = page.locator("#entry-a1-did");
  await expect(first).toHaveValue("Watched the dashboard and noted the value (1)");
  const rendered = await rows(page).count();
  expect(rendered).toBeGreaterThan(0);
  expect(rendered).toBeLessThan(200);
  await expect(rows(page).first()).toHaveAttribute("aria-setsize", String(ENTRIES));
  await expect(rows(page).first()).toHaveAttribute("aria-posinset", "1");

  // Typing in the big account: kept across a reload.
  await first.click();
  await page.keyboard.press("End");
  await page.keyboard.type(" and paged the database on-call engineer");
  await expect(first).toHaveValue("Watched the dashboard and noted the value (1) and paged the database on-call engineer");
  await reloadWhenSaved(page);
  await expect(page.locator("#entry-a1-did")).toHaveValue(
    "Watched the dashboard and noted the value (1) and paged the database on-call engineer",
  );

  // An entry far down the account is not in the page until it is found.
  await expect(page.locator("#entry-a7345-what")).toHaveCount(0);
  const find = page.getByLabel("Find in my account");
  await find.fill("reading 7345");
  await expect(page.getByRole("status").filter({ hasText: "1 entry matches." })).toBeVisible();
  // 734, 1734, … 9734 and 7340 to 7349.
  await find.fill("dashboard 734");
  await expect(page.getByRole("status").filter({ hasText: "20 entries match." })).toBeVisible();
  await find.fill("latency 7345");
  await expectNoAxeViolations(page);
  await page.getByRole("button", { name: /^Entry at .*: Checkout latency reading 7345 came in/ }).click();

  // The keyboard is in the entry, on screen, and it says where it is in the whole list.
  const found = page.locator("#entry-a7345-what");
  await expect(found).toBeFocused();
  await expect(found).toBeInViewport();
  const row = page.locator('li[data-entry="a7345"]');
  await expect(row).toHaveAttribute("aria-posinset", "7345");
  await expect(row).toHaveAttribute("aria-setsize", String(ENTRIES));
  // Scrolled away with the mouse, the row the keyboard is in stays in the page.
  await page.mouse.wheel(0, -200_000);
  await expect(found).toBeFocused();
  await expect(found).toHaveCount(1);

  // Tabbing on from the last entry in the page reaches the next one, rendered in time.
  const last = await rows(page).last().getAttribute("data-entry");
  const next = Number(last!.slice(1)) + 1;
  expect(next).toBeLessThanOrEqual(ENTRIES);
  await expect(page.locator(`#entry-a${next}-at`)).toHaveCount(0);
  await page.locator(`#entry-${last}-did`).focus();
  await page.keyboard.press("Tab");
  await expect(page.locator(`li[data-entry="${last}"]`).getByRole("button", { name: "Remove this entry" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(page.locator(`#entry-a${next}-at`)).toBeFocused();
  // …and the block after it is ready for the Tab after that.
  await expect(page.locator(`#entry-a${next + 20}-at`)).toHaveCount(1);
  await expectNoAxeViolations(page);
});
