import { cloneFlowKey, copyFlowKey, type FlowKey, isFlowKeyObject } from '@maestro/hash';
import { CorrectionError } from './errors.js';
import type { CorrectionMessage } from './types.js';

/** Most recycled keys, and most recycled `correct` messages, a pool keeps. */
const SPARE = 4096;

/**
 * A `correct` message as engines make it: a plain object with the fields of the `correct` member of
 * {@link CorrectionMessage}, in that order, writable so that a recycled one can be reused whole.
 */
class CorrectMessage {
  readonly kind = 'correct' as const;
  from: number;
  to: number;
  key: FlowKey;
  owner: number;
  reason: number;
  created: number;

  constructor(from: number, to: number, key: FlowKey, owner: number, reason: number, created: number) {
    this.from = from;
    this.to = to;
    this.key = key;
    this.owner = owner;
    this.reason = reason;
    this.created = created;
  }
}

/**
 * The outgoing messages' storage of one engine: keys, and `correct` messages (the ones a creation
 * sends), handed back with {@link take} once delivered are reused before anything is allocated.
 * Internal to the package.
 */
export class MessagePool {
  private readonly keys: FlowKey[] = [];
  private readonly messages: CorrectMessage[] = [];
  /**
   * A recycled message could not be rewritten (it was frozen once delivered): from then on each
   * engine-made message is asked `Object.isFrozen` as it is taken, so that no more of them cost a
   * failed rewrite (a thrown TypeError, some microseconds).
   */
  private frozenSeen = false;

  /**
   * Keeps the keys of delivered `messages` (outside data) and the engine-made `correct` messages
   * among them for reuse. Throws `INVALID_MESSAGE`, keeping nothing, unless every element is an
   * object whose `key` is a flow key object.
   */
  take(messages: readonly CorrectionMessage[]): void {
    if (!Array.isArray(messages)) {
      throw new CorrectionError('INVALID_MESSAGE', 'recycle takes an array of messages');
    }
    // One pass, each key read once; what it kept is let go again before it throws. Until a
    // delivered message turns out frozen, whether one is is found out when it is rewritten (see
    // correct): asking each here (Object.isFrozen, a runtime call) cost as much as the rest of the pass.
    const checkFrozen = this.frozenSeen;
    const keys = this.keys;
    const spare = this.messages;
    const keptKeys = keys.length;
    const keptMessages = spare.length;
    for (let i = 0; i < messages.length; i++) {
      const m: unknown = messages[i];
      const key = deliveredKey(m);
      if (!isFlowKeyObject(key)) {
        keys.length = keptKeys;
        spare.length = keptMessages;
        throw new CorrectionError('INVALID_MESSAGE', 'a recycled message must carry a flow key object');
      }
      if (m instanceof CorrectMessage && !(checkFrozen && Object.isFrozen(m))) {
        if (spare.length < SPARE) spare.push(m);
      } else if (keys.length < SPARE) {
        keys.push(key);
      }
    }
  }

  /** A `correct` message: a recycled one rewritten, else a new one. */
  correct(
    from: number,
    to: number,
    key: FlowKey,
    owner: number,
    reason: number,
    created: number,
  ): CorrectionMessage {
    const spare = this.messages;
    for (let m = spare.pop(); m !== undefined; m = spare.pop()) {
      if (rewrite(m, from, to, key, owner, reason, created)) return m;
      if (!this.frozenSeen) this.sortFrozen();
      this.keepKeyOfFrozen(m);
    }
    return new CorrectMessage(from, to, this.keyCopy(key), owner, reason, created);
  }

  /**
   * After the first recycled message that could not be rewritten: from then on {@link take} checks
   * each message, and the messages already kept that are frozen give only their keys.
   */
  private sortFrozen(): void {
    this.frozenSeen = true;
    const spare = this.messages;
    let kept = 0;
    for (let i = 0; i < spare.length; i++) {
      const m = spare[i] as CorrectMessage;
      if (Object.isFrozen(m)) this.keepKeyOfFrozen(m);
      else spare[kept++] = m;
    }
    spare.length = kept;
  }

  /** Keeps the key of a message that cannot be rewritten, if it was frozen (its key then can be). */
  private keepKeyOfFrozen(m: CorrectMessage): void {
    if (Object.isFrozen(m) && this.keys.length < SPARE) this.keys.push(m.key);
  }

  /** A copy of `key` for an outgoing message: a recycled key when there is one, else a new one. */
  keyCopy(key: FlowKey): FlowKey {
    const spare = this.keys.pop();
    return spare === undefined ? cloneFlowKey(key) : reuseKey(key, spare);
  }
}

/**
 * Writes the fields of a `correct` message into the recycled `m`; false, for a message frozen (or
 * made read-only) since it was sent, when a field cannot be written.
 */
function rewrite(
  m: CorrectMessage,
  from: number,
  to: number,
  key: FlowKey,
  owner: number,
  reason: number,
  created: number,
): boolean {
  try {
    m.from = from;
    m.to = to;
    reuseKey(key, m.key);
    m.owner = owner;
    m.reason = reason;
    m.created = created;
  } catch {
    return false;
  }
  return true;
}

/** Copies `key` into the recycled key object `spare`, clearing the IPv6 bytes a v4 key leaves. */
function reuseKey(key: FlowKey, spare: FlowKey): FlowKey {
  if (spare.family === 6 && key.family === 4) {
    spare.src6.fill(0);
    spare.dst6.fill(0);
  }
  return copyFlowKey(key, spare);
}

/** A delivered message's `key`, or undefined when it is not an object or reading `key` throws. */
function deliveredKey(m: unknown): unknown {
  if (typeof m !== 'object' || m === null) return undefined;
  try {
    return (m as { key?: unknown }).key;
  } catch {
    return undefined;
  }
}
