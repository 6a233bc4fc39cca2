/// <reference lib="dom" />
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { childrenOf, isRunning, waitFor } from './cluster-processes.js';
import { CLI } from './run-cli.js';

const CHROMIUM = '/usr/bin/chromium';

/** Starts `maestro cluster up` and resolves with its dashboard URL once it prints it. */
function clusterUp(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no dashboard URL within 40 s: ${out} ${err}`)), 40_000);
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/?)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cluster up exited ${code}: ${err}`));
    });
  });
}

// The real thing: `maestro cluster up` forks 4 member processes and serves the dashboard; the
// browser kills one through the page and sees the group notice.
describe.skipIf(!existsSync(CHROMIUM) && !process.env['CI'])(
  'the dashboard of a live group (maestro cluster up, headless Chromium)',
  () => {
    let child: ChildProcessWithoutNullStreams | undefined;
    let browser: Browser | undefined;

    afterAll(async () => {
      await browser?.close();
      if (child !== undefined && child.exitCode === null) {
        const members = childrenOf(child.pid ?? 0);
        child.kill('SIGTERM');
        await waitFor(() => members.every((pid) => !isRunning(pid)), 15_000);
      }
    });

    it('should show the members, kill one from the page, and show its state change', async () => {
      child = spawn(
        process.execPath,
        [
          CLI,
          'cluster',
          'up',
          '--members',
          '4',
          '--rate',
          '200',
          '--heartbeat-ms',
          '200',
          '--dead-ms',
          '2500',
        ],
        { env: { ...process.env, NO_COLOR: '1' } },
      );
      const url = await clusterUp(child);
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(url);
      const cards = page.locator('#members li[data-member]');
      await expect.poll(() => cards.count(), { timeout: 15_000 }).toBe(4);
      const state = page.locator('[data-member="sgm2"] [data-field="state"]');
      await expect.poll(() => state.textContent(), { timeout: 30_000 }).toBe('ACTIVE');
      const pid = Number(await page.locator('[data-member="sgm2"] [data-field="pid"]').textContent());
      expect(pid).toBeGreaterThan(0);
      expect(isRunning(pid)).toBe(true);

      await page.getByRole('button', { name: 'kill sgm2' }).click();
      await expect.poll(() => state.textContent(), { timeout: 15_000 }).toBe('KILLED');
      await waitFor(() => !isRunning(pid), 5_000);
      // The survivors notice (dead interval) and the group installs a table without sgm2.
      const kinds = page.locator('#events li[data-kind]');
      await expect
        .poll(() => kinds.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset['kind'])), {
          timeout: 20_000,
        })
        .toEqual(expect.arrayContaining(['kill', 'detected', 'table']));
      const others = page.locator('[data-member]:not([data-member="sgm2"]) [data-field="state"]');
      await expect(others.allTextContents()).resolves.toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE']);
      expect(problems).toEqual([]);
    }, 90_000);
  },
);
