// Launches Debian's Chromium through playwright-core for page tests, screenshots and benches.
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Where Debian installs Chromium; tests skip only when it is missing. */
export const CHROMIUM = '/usr/bin/chromium';

/** True when the browser tests can run. */
export const hasChromium = existsSync(CHROMIUM);

/** A headless Chromium; Playwright gives it a fresh temporary profile and removes it on close. */
export async function launchBrowser(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/** Collects console errors and uncaught page errors into `errors`, so a test can assert there are none. */
export function watchConsole(page: Page, errors: string[] = []): string[] {
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}
