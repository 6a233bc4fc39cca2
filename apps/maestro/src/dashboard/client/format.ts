/** How the page writes numbers. */
export interface Format {
  /** `12,345` */
  count(n: number): string;
  /** `12.3/s`, or `–` where no rate can be told yet. */
  perSecond(rate: number | null): string;
  /** `512 B`, `31.2 KiB`, … up to GiB. */
  bytes(n: number): string;
}

/** A piece of the page script: self-contained, see `main.ts`. */
export function makeFormat(): Format {
  const counts = new Intl.NumberFormat('en');
  const rates = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
  function bytes(n: number): string {
    const units = ['B', 'KiB', 'MiB', 'GiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) {
      n /= 1024;
      i++;
    }
    return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
  }
  return {
    count: (n) => counts.format(n),
    perSecond: (rate) => (rate === null ? '–' : `${rates.format(rate)}/s`),
    bytes,
  };
}
