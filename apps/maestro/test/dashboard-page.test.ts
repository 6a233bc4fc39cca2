import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clientScript } from '../src/dashboard/client/script.js';
import { renderPage } from '../src/dashboard/page.js';

describe('the dashboard page', () => {
  it('should let exactly its own inline scripts run, by hash', () => {
    const { html, contentSecurityPolicy } = renderPage();
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
    expect(scripts.length).toBe(2);
    const allowed = /script-src ([^;]*)/.exec(contentSecurityPolicy)?.[1]?.split(' ') ?? [];
    expect(allowed.sort()).toEqual(
      scripts.map((s) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`).sort(),
    );
  });

  it('should embed a client script that compiles and needs no helper the page does not define', () => {
    const script = clientScript();
    expect(() => new Function(script)).not.toThrow();
    const helpers = new Set(script.match(/\b__[A-Za-z]\w*/g) ?? []);
    for (const helper of helpers) expect(helper).toBe('__name');
    expect(script).not.toMatch(/\b(import|require)\s*\(/);
  });
});
