/**
 * How close two domain names are: the number of trailing labels they share, compared without case
 * and ignoring a final dot (`a.eu.example.com` and `b.eu.example.com` share 3).
 */
export function domainAffinity(a: string, b: string): number {
  return sharedSuffix(domainLabels(a), domainLabels(b));
}

/** The number of trailing labels two label lists share. */
export function sharedSuffix(la: readonly string[], lb: readonly string[]): number {
  let n = 0;
  while (n < la.length && n < lb.length && la[la.length - 1 - n] === lb[lb.length - 1 - n]) n++;
  return n;
}

/** A domain name's labels, lower-cased, without empty ones. */
export function domainLabels(name: string): string[] {
  return name
    .toLowerCase()
    .replace(/\.$/, '')
    .split('.')
    .filter((x) => x !== '');
}
