import type { NatRule as CorrectionNat } from '@maestro/correction';
import type { Cidr, NatRule as PolicyNat } from '@maestro/policy';
import { CliError } from '../cli/errors.js';

/** What NAT the simulation applies, and what it had to leave out. */
export interface NatPlan {
  readonly rules: CorrectionNat[];
  /** Policy NAT rules the correction layer cannot apply (IPv6 NAT), by name or position. */
  readonly skipped: string[];
}

const MAX_STATIC_HOSTS = 4096;

/**
 * Turns the policy's NAT rules (hide NAT over several blocks, static NAT of blocks) into the
 * correction layer's rules (IPv4, one match each), in the policy's order.
 */
export function correctionNat(rules: readonly PolicyNat[]): NatPlan {
  const out: CorrectionNat[] = [];
  const skipped: string[] = [];
  rules.forEach((rule, i) => {
    const name = rule.name ?? `nat[${i}]`;
    if (rule.kind === 'hide') {
      if (rule.address.family !== 4) {
        skipped.push(name);
        return;
      }
      const dsts: (Cidr | undefined)[] = rule.destination.length === 0 ? [undefined] : [...rule.destination];
      for (const src of rule.source) {
        for (const dst of dsts) {
          if (src.family !== 4 || (dst !== undefined && dst.family !== 4)) continue;
          out.push({
            kind: 'hide',
            match: {
              src: { address: src.v4, prefix: src.prefix },
              ...(dst ? { dst: { address: dst.v4, prefix: dst.prefix } } : {}),
            },
            address: rule.address.v4,
            portMin: rule.ports.from,
            portMax: rule.ports.to,
          });
        }
      }
      return;
    }
    if (rule.original.family !== 4) {
      skipped.push(name);
      return;
    }
    const hosts = 2 ** (32 - rule.original.prefix);
    if (hosts > MAX_STATIC_HOSTS) {
      throw new CliError(
        `${name}: static NAT of a /${rule.original.prefix} (${hosts} addresses) is too large to simulate; at most /20`,
        1,
      );
    }
    for (let h = 0; h < hosts; h++) {
      out.push({
        kind: 'static',
        internal: (rule.original.v4 + h) >>> 0,
        external: (rule.translated.v4 + h) >>> 0,
      });
    }
  });
  return { rules: out, skipped };
}
