import { defineConfig } from "@playwright/test";

// Debian's Chromium, started as ../shared/TOOLCHAIN.md says: no downloads, no background traffic.
export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.ts",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // Two at a time: each worker starts a server of its own (fixtures.ts) and every test makes
  // its own reviews, so workers share nothing. The whole suite takes about 5 minutes on two
  // cores instead of 9. MOSAIC_E2E_WORKERS=1 runs them one by one.
  workers: Number(process.env.MOSAIC_E2E_WORKERS ?? 2),
  // On CI a test that fails once is run again and reported as flaky, not silently passed.
  retries: process.env.CI ? 1 : 0,
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
    // The app's offline shell (a service worker) is left out where tests route requests, which
    // a service worker would hide from Playwright; offline.spec.ts allows it.
    serviceWorkers: "block",
    trace: "off",
    screenshot: "only-on-failure",
  },
});
