import { createFlowKey, IpProtocol, PortKind, setFlowV4 } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CorrectionMessage, Decision, MemberEngine, Reason } from '../src/index.js';
import { exampleConfig } from './example-group.js';
import { CLIENT, SERVER } from './one-flow.js';

// One UDP flow corrected at member 0 (the target) by a series of incarnations of its connection,
// each created by some other member after the one before it expired. Their messages reach the
// target delayed and in any order.

const MEMBERS = 4;
/** A new UDP connection lives this long unreplied (the default `udp` timeout), ms. */
const UDP_LIFE = exampleLife();

function exampleLife(): number {
  const e = new MemberEngine(0, exampleConfig(2));
  // The first state's timeout of a UDP connection, read as the engine applies it.
  const k = setFlowV4(createFlowKey(), IpProtocol.UDP, CLIENT, SERVER, 1, 2, PortKind.PORTS);
  e.owned.insert(k, 0, 0);
  let lo = 0;
  let hi = 3_600_000;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (e.owned.isExpired(0, mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

interface Incarnation {
  readonly owner: number;
  readonly created: number;
}

/** Incarnations in creation order: each created after the one before it lived and expired. */
const incarnations = fc
  .array(
    fc.record({
      owner: fc.integer({ min: 1, max: MEMBERS - 1 }),
      gap: fc.integer({ min: 1, max: 5 * UDP_LIFE }),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((specs) => {
    let t = 1_000;
    const out: Incarnation[] = [];
    for (const { owner, gap } of specs) {
      // One that lived at least a new connection's life, then expired: the next is created later.
      t += UDP_LIFE + gap;
      out.push({ owner, created: t });
    }
    return out;
  });

function key(): ReturnType<typeof createFlowKey> {
  return setFlowV4(createFlowKey(), IpProtocol.UDP, SERVER, CLIENT, 53, 40000, PortKind.PORTS);
}

/** The messages the incarnations send the target: a correct each, an uncorrect for all but the live last one. */
function messagesOf(list: readonly Incarnation[]): CorrectionMessage[] {
  const out: CorrectionMessage[] = [];
  list.forEach(({ owner, created }, i) => {
    out.push({ kind: 'correct', from: owner, to: 0, key: key(), owner, reason: Reason.ASYMMETRIC, created });
    if (i < list.length - 1) out.push({ kind: 'uncorrect', from: owner, to: 0, key: key(), created });
  });
  return out;
}

describe('late correction messages', () => {
  it('should leave the target forwarding to the live incarnation owner, whatever the order its messages arrive in', () => {
    fc.assert(
      fc.property(
        incarnations.chain((list) =>
          fc.tuple(
            fc.constant(list),
            fc.shuffledSubarray(messagesOf(list), { minLength: 2 * list.length - 1 }),
          ),
        ),
        ([list, order]) => {
          const e = new MemberEngine(0, exampleConfig(MEMBERS));
          const last = list[list.length - 1] as Incarnation;
          // Delivered late, all after the last incarnation was created.
          order.forEach((m, i) => {
            e.deliver(m, last.created + i);
          });
          const h = e.corrections.find(key());
          expect(h).toBeGreaterThanOrEqual(0);
          expect(e.corrections.owner(h)).toBe(last.owner);
          const reply = {
            key: key(),
            ingress: 0,
            ipId: 0,
            moreFragments: false,
            tcpFlags: 0,
            bytes: 64,
            embedded: null,
            hops: 0,
          };
          expect(e.decide(reply, last.created + order.length)).toBe(Decision.FORWARD);
          expect(e.lastTarget).toBe(last.owner);
        },
      ),
    );
  });

  it('should remove the entry once the uncorrect of the incarnation that made it arrives, late or not', () => {
    fc.assert(
      fc.property(incarnations, fc.boolean(), (list, lateFirst) => {
        const e = new MemberEngine(0, exampleConfig(MEMBERS));
        const last = list[list.length - 1] as Incarnation;
        const all = messagesOf(list);
        const now = last.created + UDP_LIFE;
        // Every message in order, then the live one's uncorrect: the entry goes.
        const ordered = lateFirst ? [...all.slice(1), all[0] as CorrectionMessage] : all;
        ordered.forEach((m, i) => {
          e.deliver(m, last.created + i);
        });
        e.deliver({ kind: 'uncorrect', from: last.owner, to: 0, key: key(), created: last.created }, now);
        expect(e.corrections.find(key())).toBe(-1);
      }),
    );
  });
});
