/// <reference lib="dom" />
import type { Dom } from './dom.js';

/** The page's error list (`#errors`): every failure stays on screen until dismissed. */
export interface ErrorBanner {
  show(message: string): void;
}

/** A piece of the page script: self-contained, see `main.ts`. */
export function makeErrorBanner(dom: Dom): ErrorBanner {
  // The oldest beyond these go: a server that keeps failing must not fill the page.
  const MAX_ERRORS = 5;
  const errors = dom.byId('errors');
  function show(message: string): void {
    const item = dom.make('div', 'error');
    item.append(dom.make('span', undefined, message));
    const close = dom.make('button', 'dismiss', '×');
    close.type = 'button';
    close.setAttribute('aria-label', 'dismiss this error');
    close.addEventListener('click', () => item.remove());
    item.append(close);
    errors.prepend(item);
    while (errors.children.length > MAX_ERRORS) errors.lastElementChild?.remove();
  }
  return { show };
}
