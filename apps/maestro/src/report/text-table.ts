const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** Column alignment. */
export type Align = 'left' | 'right';

/** Renders rows under a header as an aligned plain-text table with a rule under the header. */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[],
): string {
  const visible = (s: string): number => s.replace(ANSI, '').length;
  const widths = headers.map((h, c) => Math.max(visible(h), ...rows.map((r) => visible(r[c] ?? ''))));
  const cell = (text: string, c: number): string => {
    const pad = ' '.repeat(Math.max(0, (widths[c] ?? 0) - visible(text)));
    return align[c] === 'right' ? pad + text : text + pad;
  };
  const line = (r: readonly string[]): string => `  ${r.map((t, c) => cell(t, c)).join('  ')}`.trimEnd();
  return [line(headers), `  ${widths.map((w) => '─'.repeat(w)).join('  ')}`, ...rows.map(line)].join('\n');
}

/** 1234567 -> "1,234,567". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Bytes with a binary unit: 1536 -> "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** 0.1234 -> "12.3 %". */
export function formatPercent(fraction: number, digits = 1): string {
  return `${(100 * fraction).toFixed(digits)} %`;
}
