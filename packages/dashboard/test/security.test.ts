/// <reference lib="dom" />
import { MemoryDocumentProvider } from '@jobservice/core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER, type DashboardAction, serveDashboard } from '../src/index.js';
import { launchBrowser, openPage } from './support/browser.js';
import { skipBrowser } from './support/chromium-gate.js';
import { HOSTILE, type Seeded, seed } from './support/seed.js';

async function errorOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: string }).error;
}

async function pageOf(response: Response): Promise<{ items: { id: string }[]; cursor: string | null }> {
  return (await response.json()) as { items: { id: string }[]; cursor: string | null };
}

async function tokenOf(url: string): Promise<string> {
  const html = await (await fetch(url)).text();
  const config = /<script type="application\/json" id="dashboard-config">(.*?)<\/script>/.exec(html)?.[1];
  return JSON.parse(config ?? '{}').csrf;
}

describe('actions, authorisation and bad input (HTTP)', () => {
  let seeded: Seeded;
  let store: MemoryDocumentProvider;
  const seen: DashboardAction[] = [];
  beforeAll(async () => {
    store = new MemoryDocumentProvider();
    seeded = await seed(store);
  });

  it('without an authorize hook refuses every POST with 403, with or without the token, and changes nothing', async () => {
    const served = await serveDashboard({ manager: seeded.manager, store, port: 0 });
    try {
      const id = seeded.failedIds[0] as string;
      const token = await tokenOf(served.url);
      expect(token).toMatch(/^[\w-]{43}$/);
      for (const headers of [{}, { [CSRF_HEADER]: token }] as Record<string, string>[]) {
        for (const path of [`api/jobs/${id}/retry`, `api/jobs/${id}/delete`, 'api/retry-failed']) {
          const response = await fetch(`${served.url}${path}`, { method: 'POST', headers });
          expect(response.status).toBe(403);
          expect(await errorOf(response)).toMatch(/read-only/);
        }
      }
      expect((await store.get(id))?.status).toBe('failed');
      expect((await seeded.manager.list({ statuses: ['failed'] })).items).toHaveLength(4);
    } finally {
      await served.close();
    }
  });

  it('with a hook: a forged POST without (or with a wrong) token is 403; a refused action is 403; an allowed one runs', async () => {
    const authorize = (_req: unknown, action: DashboardAction) => {
      seen.push(action);
      return action.type !== 'delete';
    };
    const served = await serveDashboard({
      manager: seeded.manager,
      store,
      port: 0,
      basePath: '/admin',
      authorize,
    });
    try {
      const [first, second] = seeded.failedIds as [string, string];
      const token = await tokenOf(served.url);
      for (const headers of [{}, { [CSRF_HEADER]: 'x'.repeat(43) }, { [CSRF_HEADER]: '' }] as Record<
        string,
        string
      >[]) {
        const forged = await fetch(`${served.url}api/jobs/${first}/retry`, { method: 'POST', headers });
        expect(forged.status).toBe(403);
        expect(await errorOf(forged)).toMatch(/CSRF/);
      }
      expect(seen).toEqual([]); // the token is checked before the hook is asked
      expect((await store.get(first))?.status).toBe('failed');

      const refused = await fetch(`${served.url}api/jobs/${second}/delete`, {
        method: 'POST',
        headers: { [CSRF_HEADER]: token },
      });
      expect(refused.status).toBe(403);
      expect(await store.get(second)).not.toBeNull();
      expect(seen).toEqual([{ type: 'delete', jobId: second }]);

      const allowed = await fetch(`${served.url}api/jobs/${first}/retry`, {
        method: 'POST',
        headers: { [CSRF_HEADER]: token },
      });
      expect(allowed.status).toBe(200);
      expect((await store.get(first))?.status).toBe('scheduled');
      const again = await fetch(`${served.url}api/jobs/${first}/retry`, {
        method: 'POST',
        headers: { [CSRF_HEADER]: token },
      });
      expect(again.status).toBe(409);
    } finally {
      await served.close();
    }
  });

  it('answers an unknown job with 404 and malformed parameters with 400 naming them', async () => {
    const served = await serveDashboard({ manager: seeded.manager, store, port: 0 });
    try {
      const missing = await fetch(`${served.url}api/jobs/no-such-job`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ error: 'job not found: no-such-job' });
      for (const [query, parameter] of [
        ['status=bogus', 'status'],
        ['limit=abc', 'limit'],
        ['limit=0', 'limit'],
        ['label=novalue', 'label'],
      ]) {
        const response = await fetch(`${served.url}api/jobs?${query}`);
        expect(response.status).toBe(400);
        expect(await errorOf(response)).toContain(`"${parameter}"`);
      }
      const exact = await pageOf(await fetch(`${served.url}api/jobs?q=${seeded.hostileId}`));
      expect(exact.items.map((j) => j.id)).toEqual([seeded.hostileId]);
      const paged = await pageOf(await fetch(`${served.url}api/jobs?limit=2`));
      expect(paged.items).toHaveLength(2);
      const next = await pageOf(
        await fetch(`${served.url}api/jobs?limit=2&cursor=${encodeURIComponent(paged.cursor ?? '')}`),
      );
      expect((next.items[0]?.id ?? '') > (paged.items[1]?.id ?? '')).toBe(true);
    } finally {
      await served.close();
    }
  });
});

describe.skipIf(skipBrowser)('escaping and read-only pages in Chromium', () => {
  let browser: Browser;
  let store: MemoryDocumentProvider;
  let seeded: Seeded;
  beforeAll(async () => {
    browser = await launchBrowser();
    store = new MemoryDocumentProvider();
    seeded = await seed(store);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows hostile metadata as text and runs none of it', async () => {
    const served = await serveDashboard({
      manager: seeded.manager,
      store,
      port: 0,
      title: '<img src=x onerror=window.__pwned=3>',
    });
    const page = await openPage(browser);
    try {
      await page.goto(`${served.url}#/jobs/${seeded.hostileId}`);
      const metadata = page.getByRole('region', { name: 'Metadata' }).locator('pre');
      await expect.poll(() => metadata.textContent()).toContain('window.__pwned=1');
      expect(await metadata.textContent()).toContain(HOSTILE);
      expect(await page.locator('main').innerText()).toContain('<script>window.__pwned=1</script>');
      expect(await page.locator('.brand').textContent()).toBe('<img src=x onerror=window.__pwned=3>');
      expect(await page.locator('main script, main img, header img').count()).toBe(0);
      expect(await page.evaluate(() => typeof (window as { __pwned?: unknown }).__pwned)).toBe('undefined');
    } finally {
      await page.close();
      await served.close();
    }
  });

  it('has no action buttons without an authorize hook (phone width)', async () => {
    const served = await serveDashboard({ manager: seeded.manager, store, port: 0 });
    const page = await openPage(browser, 390, 844);
    try {
      await page.goto(`${served.url}#/jobs/${seeded.failedIds[0]}`);
      await expect.poll(() => page.locator('main').innerText()).toContain('disk full');
      expect(await page.locator('main button').count()).toBe(0);
      expect(await page.locator('header').innerText()).toContain('read-only');
      await page.getByRole('link', { name: 'Schedules' }).click();
      await expect.poll(() => page.locator('main').innerText()).toContain('nightly-report');
      expect(await page.locator('main button').count()).toBe(0);
      await page.getByRole('link', { name: 'Overview' }).click();
      await expect.poll(() => page.locator('.card-failed').count()).toBe(1);
      expect(await page.locator('main button, #bulk-progress').count()).toBe(0);
      // Nothing is wider than the phone's screen but the tables' own scroll boxes.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    } finally {
      await page.close();
      await served.close();
    }
  });

  it("shows a waiting continuation's parent and cancels it from its page", async () => {
    const { id: parent } = await seeded.manager.enqueue(
      'send-email',
      { to: 'later@example.com' },
      { delayMs: 3_600_000 },
    );
    const { id: child } = await seeded.manager.enqueue(
      'send-email',
      { to: 'after@example.com' },
      { after: [parent] },
    );
    const served = await serveDashboard({ manager: seeded.manager, store, port: 0, authorize: () => true });
    const page = await openPage(browser);
    try {
      await page.goto(`${served.url}#/jobs/${child}`);
      await expect.poll(() => page.locator('dd .badge').textContent()).toBe('waiting');
      expect(await page.locator(`a.parent[href="#/jobs/${parent}"]`).count()).toBe(1);
      await page.getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => page.locator('dd .badge').textContent()).toBe('cancelled');
      expect((await store.get(child))?.status).toBe('cancelled');
      expect((await store.get(parent))?.status).toBe('scheduled');
      expect(page.errors).toEqual([]);
    } finally {
      await page.close();
      await served.close();
    }
  });

  it('runs, pauses and resumes a schedule from its page, by keyboard', async () => {
    const served = await serveDashboard({ manager: seeded.manager, store, port: 0, authorize: () => true });
    const page = await openPage(browser);
    try {
      await page.goto(`${served.url}#/schedules`);
      await expect.poll(() => page.locator('main tbody li').count()).toBe(5); // five next fire times
      await page.getByRole('button', { name: 'Pause' }).focus();
      await page.keyboard.press('Enter');
      await expect
        .poll(() => page.locator('main [role=status]').textContent())
        .toBe('pause nightly-report: done');
      await expect.poll(() => page.locator('main tbody td:nth-child(4)').textContent()).toBe('paused');
      expect((await seeded.manager.getSchedule('nightly-report'))?.paused).toBe(true);
      await page.getByRole('button', { name: 'Resume' }).click();
      await expect
        .poll(() => page.locator('main [role=status]').textContent())
        .toBe('resume nightly-report: done');
      expect((await seeded.manager.getSchedule('nightly-report'))?.paused).toBe(false);
      await page.getByRole('button', { name: 'Run now' }).click();
      await expect
        .poll(() => page.locator('main [role=status]').textContent())
        .toBe('run nightly-report: done');
      expect((await seeded.manager.list({ scheduleId: 'nightly-report' })).items).toHaveLength(1);
      expect(page.errors).toEqual([]);
    } finally {
      await page.close();
      await served.close();
    }
  });
});
