/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, startDashboard } from '../src/dashboard/index.js';
import { FakeCluster } from './fake-cluster.js';

const CHROMIUM = '/usr/bin/chromium';

/** Distinct colours in a sample of the canvas' pixels: more than the background means a plot. */
const colours = (canvas: HTMLCanvasElement): number => {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return 0;
  const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const seen = new Set<number>();
  for (let i = 0; i < data.length; i += 4 * 31)
    seen.add(((data[i] ?? 0) << 16) | ((data[i + 1] ?? 0) << 8) | (data[i + 2] ?? 0));
  return seen.size;
};

// CI installs Debian's chromium (.ci/run); a machine without it cannot run this test.
describe.skipIf(!existsSync(CHROMIUM) && !process.env['CI'])('the dashboard in headless Chromium', () => {
  let cluster: FakeCluster;
  let dashboard: Dashboard;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    cluster = new FakeCluster({ members: 4, tickMs: 50, detectMs: 300 });
    dashboard = await startDashboard(cluster);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(dashboard.url);
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await cluster?.close();
  });

  it('should show every member of the group as a card with its state', async () => {
    const cards = page.locator('#members li[data-member]');
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(4);
    await expect(
      cards.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset['member'])),
    ).resolves.toEqual(cluster.snapshot().members.map((m) => m.id));
    await expect(page.locator('[data-member="sgm2"] [data-field="state"]').textContent()).resolves.toBe(
      'ACTIVE',
    );
    await expect(page.locator('#connection').textContent()).resolves.toBe('live');
  });

  it('should change the member state on the page after a click on kill, and log the events', async () => {
    await page.getByRole('button', { name: 'kill sgm2' }).click();
    const state = page.locator('[data-member="sgm2"] [data-field="state"]');
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('KILLED');
    expect(cluster.calls).toEqual(['kill sgm2']);
    const kinds = page.locator('#events li[data-kind]');
    await expect
      .poll(() => kinds.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset['kind'])), {
        timeout: 10_000,
      })
      .toEqual(expect.arrayContaining(['kill', 'detected', 'table']));
    await expect(page.getByRole('button', { name: 'kill sgm2' }).isDisabled()).resolves.toBe(true);
  });

  it('should show a refused action as an error on the page', async () => {
    await page.getByRole('button', { name: 'cont sgm1' }).click();
    const error = page.locator('#errors .error');
    await expect.poll(() => error.count(), { timeout: 10_000 }).toBe(1);
    await expect(error.textContent()).resolves.toContain('sgm1 is not stopped');
    // Chromium logs every 4xx answer to a fetch as a console error; this one was asked for.
    const refused = problems.findIndex((p) => p.includes('status of 409'));
    expect(refused).toBeGreaterThanOrEqual(0);
    problems.splice(refused, 1);
  });

  it('should set a weight from the card', async () => {
    await page.getByRole('spinbutton', { name: 'new weight for sgm3' }).fill('42');
    await page.getByRole('button', { name: 'set the weight of sgm3' }).click();
    const weight = page.locator('[data-member="sgm3"] [data-field="weight"]');
    await expect.poll(() => weight.textContent(), { timeout: 10_000 }).toBe('42');
  });

  it('should draw both charts on canvases of non-zero size', async () => {
    await page.waitForSelector('body[data-charts-ready="true"]', { timeout: 10_000 });
    // Two frames at least, so that the lines have points to join.
    await expect
      .poll(() => page.locator('[data-total="uptime"]').textContent(), { timeout: 10_000 })
      .toMatch(/^([1-9]|\d{2,})\.\d s$/);
    for (const id of ['chart-load', 'chart-sync']) {
      const canvas = page.locator(`#${id} canvas`);
      await expect(canvas.count()).resolves.toBe(1);
      const box = await canvas.boundingBox();
      expect(box?.width).toBeGreaterThan(200);
      expect(box?.height).toBeGreaterThan(100);
      await expect.poll(() => canvas.evaluate(colours), { timeout: 10_000 }).toBeGreaterThan(2);
    }
  });

  it('should fit a narrow screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 380, height: 800 });
    await expect
      .poll(() => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), {
        timeout: 5_000,
      })
      .toBe(true);
  });

  it('should reconnect on its own when the server comes back', async () => {
    await page.setViewportSize({ width: 1280, height: 1000 });
    const port = Number(new URL(dashboard.url).port);
    const status = page.locator('#connection');
    await dashboard.close();
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).not.toBe('live');
    await cluster.kill('sgm4');
    dashboard = await startDashboard(cluster, { port });
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe('live');
    const state = page.locator('[data-member="sgm4"] [data-field="state"]');
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('KILLED');
    // While the server was away, Chromium logged each refused attempt; those were expected.
    for (let i = problems.length - 1; i >= 0; i--)
      if (problems[i]?.includes('ERR_CONNECTION_REFUSED')) problems.splice(i, 1);
  });

  it('should log no console error or warning', () => {
    expect(problems).toEqual([]);
  });
});
