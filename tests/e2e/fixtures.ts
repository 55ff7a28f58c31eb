// Test fixtures: a real mosaic-server on a free loopback port with a fresh SQLite database,
// serving the real built app.
import { test as base, expect, BrowserContext, Page } from "@playwright/test";
import { spawn, ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** `db` is the server's SQLite file, for tests that check what the server keeps. */
export type MosaicServer = { url: string; db: string; stop: () => Promise<void> };

/** Starts the server (with `extraArgs`, if any) and resolves once it prints the address it
 *  listens on. */
export async function startServer(extraArgs: string[] = []): Promise<MosaicServer> {
  const bin = process.env.MOSAIC_SERVER_BIN;
  const dist = process.env.MOSAIC_DIST;
  if (!bin || !dist) throw new Error("MOSAIC_SERVER_BIN and MOSAIC_DIST must be set (scripts/test.sh sets them)");
  const dir = mkdtempSync(join(tmpdir(), "mosaic-e2e-"));
  const db = join(dir, "mosaic.db");
  const child: ChildProcess = spawn(
    bin,
    ["--listen", "127.0.0.1:0", "--database", `sqlite://${db}`, "--dist", dist, ...extraArgs],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = output.match(/Mosaic is running at (http:\/\/[\d.:]+)\//);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return {
    url,
    db,
    stop: async () => {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A JSON document the API sends or takes. */
export type Json = Record<string, any>;

/** One call to `server`'s API (`/api/v1` + `path`), as another person's browser makes it: the
 *  parsed answer, or an error naming the call and the server's answer. */
export async function api(server: MosaicServer, method: string, path: string, opts: { token?: string; body?: unknown; ifMatch?: string } = {}) {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.ifMatch) headers["if-match"] = opts.ifMatch;
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** The sync setting a person who chose "this browser only" has: for tests of the app on its
 *  own. Without it, the app served by a Mosaic server syncs with that server. */
export async function chooseThisBrowserOnly(context: BrowserContext) {
  await context.addInitScript(() => {
    if (!localStorage.getItem("mosaic.settings")) {
      localStorage.setItem("mosaic.settings", JSON.stringify({ mode: "local" }));
    }
  });
}

/** Content-Security-Policy violations seen by any page of the running test. */
const cspViolations: string[] = [];

/** Reports every CSP violation in `context`'s pages: the page's own `securitypolicyviolation`
 *  event (listened for before any page script runs) and Chromium's console error. */
async function watchCsp(context: BrowserContext) {
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(
        `CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "an inline script or style"} ` +
          `(${e.sourceFile}:${e.lineNumber})`,
      );
    });
  });
  const watch = (page: Page) =>
    page.on("console", (message) => {
      const text = message.text();
      if (message.type() === "error" && /CSP violation|Content Security Policy/.test(text)) {
        cspViolations.push(`${page.url()}: ${text}`);
      }
    });
  context.pages().forEach(watch);
  context.on("page", watch);
}

export const test = base.extend<{ thisBrowserOnly: boolean; cspCheck: void }, { server: MosaicServer }>({
  thisBrowserOnly: [false, { option: true }],
  server: [
    async ({}, use) => {
      const server = await startServer();
      await use(server);
      await server.stop();
    },
    { scope: "worker" },
  ],
  baseURL: async ({ server }, use) => use(server.url),
  // Every context a test makes, the default one and those from `browser.newContext()`, is
  // watched; a test fails if any page it opened reported a CSP violation.
  browser: [
    async ({ browser }, use) => {
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (options) => {
        const context = await newContext(options);
        await watchCsp(context);
        return context;
      };
      await use(browser);
    },
    { scope: "worker" },
  ],
  context: async ({ context, thisBrowserOnly }, use) => {
    await watchCsp(context);
    if (thisBrowserOnly) await chooseThisBrowserOnly(context);
    await use(context);
  },
  cspCheck: [
    async ({}, use) => {
      cspViolations.length = 0;
      await use();
      expect(cspViolations, "Content-Security-Policy violations").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe-core in the page and fails on any WCAG 2.x A/AA violation. axe is evaluated
 *  through the browser's debugging protocol, not added as an inline `<script>`: the app's CSP
 *  rightly refuses inline scripts it does not know. */
export async function expectNoAxeViolations(page: Page) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    // @ts-ignore injected above
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    });
    return result.violations.map((v: any) => `${v.id}: ${v.help} (${v.nodes.map((n: any) => n.target).join(", ")})`);
  });
  expect(violations).toEqual([]);
}

/** Reloads the page once the app says every change is saved, as a careful person would. */
export async function reloadWhenSaved(page: Page) {
  await expect(page.getByTestId("sync-status")).not.toHaveText("Saving…");
  await page.reload();
}

/** Saves a full-page screenshot to $MOSAIC_SCREENSHOTS/<name>.png when that variable is set, so
 *  a developer can look at every screen a test walks through. */
export async function snap(page: Page, name: string) {
  const dir = process.env.MOSAIC_SCREENSHOTS;
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}
