/// <reference lib="dom" />
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { maestro, SCENARIO, tempDir } from './run-cli.js';

const CHROMIUM = '/usr/bin/chromium';

describe('maestro simulate --html', () => {
  // CI installs Debian's chromium (.ci/run); a machine without it cannot run this test.
  it.skipIf(!existsSync(CHROMIUM) && !process.env['CI'])(
    'should open in headless Chromium without console errors and render its three plots',
    async () => {
      const dir = tempDir();
      const file = join(dir, 'report.html');
      expect(maestro(['simulate', '--scenario', SCENARIO, '--html', file]).code).toBe(0);
      expect(readFileSync(file, 'utf8')).not.toMatch(/<script[^>]+src=/);
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
        const problems: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') problems.push(m.text());
        });
        page.on('pageerror', (e) => problems.push(e.message));
        await page.goto(`file://${file}`);
        await page.waitForSelector('body[data-plots-ready="true"]', { timeout: 10_000 });
        for (const id of ['plot-load', 'plot-corrections', 'plot-share']) {
          const canvas = page.locator(`#${id} canvas`);
          await expect(canvas.count()).resolves.toBe(1);
          const box = await canvas.boundingBox();
          expect(box?.width).toBeGreaterThan(300);
          expect(box?.height).toBeGreaterThan(100);
          // Something was drawn: the plot area is not one flat colour.
          const colours = await canvas.evaluate((c: HTMLCanvasElement) => {
            const ctx = c.getContext('2d');
            if (ctx === null) return 0;
            const { data } = ctx.getImageData(0, 0, c.width, c.height);
            const seen = new Set<number>();
            for (let i = 0; i < data.length; i += 4 * 97)
              seen.add(((data[i] ?? 0) << 16) | ((data[i + 1] ?? 0) << 8) | (data[i + 2] ?? 0));
            return seen.size;
          });
          expect(colours).toBeGreaterThan(2);
        }
        await expect(page.locator('table tbody tr').count()).resolves.toBeGreaterThanOrEqual(4);
        expect(problems).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
});
