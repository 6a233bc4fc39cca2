/// <reference lib="dom" />

/** Finding, creating and updating the page's elements, and reading its theme's colours. */
export interface Dom {
  /** The element with this id; throws when the page has none (the page and the client disagree). */
  byId(id: string): HTMLElement;
  make<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    className?: string,
    text?: string,
  ): HTMLElementTagNameMap[K];
  /** Writes only a changed text, so that an unchanged element is not touched (selection survives). */
  setText(el: HTMLElement | undefined, text: string): void;
  /** A CSS custom property of the page's theme (`--muted`), light or dark as shown now. */
  colour(name: string): string;
}

/** A piece of the page script: self-contained, see `main.ts`. */
export function makeDom(): Dom {
  function byId(id: string): HTMLElement {
    const el = document.getElementById(id);
    if (el === null) throw new Error(`the page has no #${id}`);
    return el;
  }
  function make<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    className?: string,
    text?: string,
  ): HTMLElementTagNameMap[K] {
    const el = document.createElement(tag);
    if (className !== undefined) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }
  function setText(el: HTMLElement | undefined, text: string): void {
    if (el !== undefined && el.textContent !== text) el.textContent = text;
  }
  function colour(name: string): string {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
  }
  return { byId, make, setText, colour };
}
