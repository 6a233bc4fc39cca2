import { describe, expect, it } from 'vitest';
import { maestroJson } from './run-cli.js';

describe('maestro calc, an IPv6 address written with an IPv4 tail', () => {
  it.each([
    ['::1.2.3.4', '::102:304'],
    ['::0.0.0.1', '::1'],
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
    ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
  ])('should take %s as RFC 4291 does (%s), not as another address', (address, canonical) => {
    const r = maestroJson<{ flow: string }>(['calc', `udp [${address}]:1 -> [2001:db8::2]:53`]);
    expect(r.flow).toBe(`udp [${canonical}]:1 -> [2001:db8::2]:53`);
  });
});
