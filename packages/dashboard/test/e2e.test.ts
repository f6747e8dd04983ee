/// <reference lib="dom" />
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IDocumentDataProvider } from '@jobservice/core';
import { FileSystemDocumentProvider } from '@jobservice/provider-fs';
import { PostgresProvider } from '@jobservice/provider-postgres';
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { serveDashboard } from '../src/index.js';
import { launchBrowser, openPage } from './support/browser.js';
import { skipBrowser } from './support/chromium-gate.js';
import { seed } from './support/seed.js';

const docs = fileURLToPath(new URL('../docs/', import.meta.url));

interface Backend {
  name: string;
  screenshots: boolean;
  open(): Promise<{ store: IDocumentDataProvider; cleanup: () => Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'filesystem',
    screenshots: true,
    async open() {
      const root = await mkdtemp(join(tmpdir(), 'dash-fs-'));
      const store = new FileSystemDocumentProvider({ root });
      return {
        store,
        cleanup: async () => {
          await store.close();
          await rm(root, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    screenshots: false,
    async open() {
      const connectionString = inject('databaseUrl');
      const schema = `dash_${Date.now()}_${randomBytes(3).toString('hex')}`;
      const store = new PostgresProvider({ connectionString, schema });
      await store.ready();
      return {
        store,
        cleanup: async () => {
          await store.close();
          const client = new pg.Client({ connectionString });
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await client.end();
        },
      };
    },
  },
];

describe.skipIf(skipBrowser)('dashboard end to end in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe.each(backends)('on the $name store', (backend) => {
    it('filters failed jobs, opens one, retries it, updates live, and bulk-retries the rest', async () => {
      const { store, cleanup } = await backend.open();
      const { manager, dispatcher, failedIds } = await seed(store);
      const served = await serveDashboard({
        manager,
        store,
        basePath: '/ops/jobs',
        port: 0,
        title: 'Acme jobs',
        authorize: () => true,
      });
      const page = await openPage(browser, 1280, 800);
      try {
        await page.goto(served.url);
        await expect.poll(() => page.locator('.card-failed .count').textContent()).toBe('4');
        expect(await page.locator('.brand').textContent()).toBe('Acme jobs');
        await expect.poll(() => page.locator('.live').textContent()).toMatch(/^live/);
        if (backend.screenshots) await page.screenshot({ path: join(docs, 'overview.png') });

        await page.getByRole('link', { name: 'Jobs', exact: true }).click();
        await page.getByLabel('Status').selectOption('failed');
        await page.getByRole('button', { name: 'Filter' }).click();
        await expect.poll(() => page.evaluate(() => location.hash)).toContain('status=failed');
        await expect.poll(() => page.locator('main tbody tr').count()).toBe(4);
        expect(await page.locator('main tbody .badge').allTextContents()).toEqual([
          'failed',
          'failed',
          'failed',
          'failed',
        ]);

        const target = failedIds[0] as string;
        await page.locator(`a[href="#/jobs/${target}"]`).click();
        await expect.poll(() => page.locator('h1').textContent()).toContain(target);
        await expect
          .poll(() => page.locator('main').innerText())
          .toContain('disk full while writing <chunk>');
        expect(await page.locator('main table:not(.logs) tbody tr').count()).toBe(2); // two failed attempts
        expect(await page.locator('main table.logs tbody tr').count()).toBe(4); // two lines per attempt
        const text = await page.locator('main').innerText();
        expect(text).toContain('photo-0.png');
        expect(text).toContain('team:media');
        expect(text).toContain('uploading photo-0.png');
        expect(text).toContain('disk nearly full');
        if (backend.screenshots)
          await page.screenshot({ path: join(docs, 'job-detail.png'), fullPage: true });

        await page.getByRole('button', { name: 'Retry' }).click();
        await expect
          .poll(() => page.getByRole('status').filter({ hasText: 'retry' }).textContent())
          .toBe('retry: done');
        const retried = await store.get(target);
        expect(retried?.status).toBe('scheduled');
        expect(retried?.attempt).toBe(0);

        // A worker runs it again (and it fails again): the open page follows without a reload.
        await expect.poll(() => page.locator('dd .badge').textContent()).toBe('scheduled');
        await dispatcher.drain();
        expect((await store.get(target))?.status).toBe('failed');
        await expect.poll(() => page.locator('dd .badge').textContent(), { timeout: 15_000 }).toBe('failed');

        // Bulk retry from the overview, with its progress bar.
        await page.getByRole('link', { name: 'Overview' }).click();
        await page.getByRole('button', { name: 'Retry failed jobs' }).click();
        await expect.poll(() => page.locator('#bulk-status').textContent()).toMatch(/^4 of 4/);
        expect(
          await page.locator('#bulk-progress').evaluate((bar) => (bar as HTMLProgressElement).value),
        ).toBe(4);
        const left = await manager.list({ statuses: ['failed'] });
        expect(left.items).toHaveLength(0);
        expect(page.errors).toEqual([]);
      } finally {
        await page.close();
        await served.close();
        await dispatcher.stop();
        await cleanup();
      }
    });
  });
});
