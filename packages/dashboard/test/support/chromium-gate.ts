import { CHROMIUM, hasChromium } from './browser.js';

/**
 * Browser tests run when Chromium is there. Without it they are skipped with
 * a printed reason, except under `CI=true`, where they run and fail at launch.
 */
export const skipBrowser = !hasChromium && process.env.CI !== 'true';

if (skipBrowser)
  console.warn(`[dashboard] ${CHROMIUM} not found: browser tests skipped (they fail when CI=true)`);
