import {
  type AvailabilityOptions,
  availabilityOptions,
  ServerHealth,
  type ServerState,
} from './availability.js';
import { domainLabels, sharedSuffix } from './domain.js';
import { ConnectControlError, describeValue } from './errors.js';

/** How a logical server picks a real server for a new connection. */
export type Method = 'server-load' | 'round-trip' | 'round-robin' | 'random' | 'domain';

/** Every method, in a stable order. */
export const METHODS: readonly Method[] = ['server-load', 'round-trip', 'round-robin', 'random', 'domain'];

/** `service`: same client and service -> same server; `server`: same client, any service -> same server. */
export type Persistency = 'none' | 'service' | 'server';

/** A real server behind a logical server. */
export interface RealServer {
  /** Unique id; load agents report under it. */
  readonly id: string;
  /** The server's domain name, for the Domain method. */
  readonly domain?: string;
}

/** Everything a logical server is made of. */
export interface LogicalServerOptions {
  /** Name, for messages. */
  readonly name: string;
  /** The virtual address clients connect to (kept as given; this package does not route). */
  readonly address: string;
  /** The service (port) it fronts. */
  readonly port: number;
  /** The real servers, in order (Round Robin follows it). */
  readonly servers: readonly RealServer[];
  /** The balancing method. */
  readonly method: Method;
  /** Persistency mode. @default 'none' */
  readonly persistency?: Persistency;
  /** Persistency timeout in ms, counted from a client's last connection. @default 1800000 */
  readonly persistencyTimeout?: number;
  /** Most clients remembered for persistency; the least recently used go first. @default 65536 */
  readonly maxPersistentClients?: number;
  /** How long a load report or RTT measurement stays fresh, in ms. @default 60000 */
  readonly reportTimeout?: number;
  /** Availability checks. */
  readonly availability?: AvailabilityOptions;
  /** The clock, in ms. */
  readonly now: () => number;
  /** A random source returning numbers in [0, 1). */
  readonly random: () => number;
}

/** A new connection's identity as persistency and the Domain method see it. */
export interface ClientRequest {
  /** The client's address (any stable text). */
  readonly client: string;
  /** The service (destination port) asked for. @default the logical server's port */
  readonly service?: number;
  /** The client's domain name, resolved by the caller, for the Domain method. */
  readonly domain?: string;
}

interface Measure {
  value: number;
  at: number;
  sequence: number | undefined;
}

interface Stuck {
  server: number;
  at: number;
  /** The server's {@link ServerHealth.timesFailed} when the client was bound to it. */
  failed: number;
}

function positive(value: number, what: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConnectControlError(
      'INVALID_CONFIG',
      `${what} must be a positive number, got ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * A logical server: a virtual address and service in front of real servers, balancing new
 * connections by one method, with persistency and availability checks. Pure: time and randomness
 * come from the injected `now` and `random`; probes and load reports are fed in by the caller.
 *
 * @example
 * const ls = new LogicalServer({ name: 'web', address: '192.0.2.10', port: 80, method: 'round-robin',
 *   servers: [{ id: 'a' }, { id: 'b' }], now: () => Date.now(), random: Math.random });
 * ls.pick({ client: '198.51.100.7' }); // 'a'
 */
export class LogicalServer {
  /** The options it was built with. */
  readonly options: LogicalServerOptions;
  private readonly ids: ReadonlyMap<string, number>;
  private readonly health: readonly ServerHealth[];
  private readonly loads: (Measure | undefined)[];
  private readonly rtts: (Measure | undefined)[];
  private readonly sticky = new Map<string, Stuck>();
  private readonly persistency: Persistency;
  private readonly timeout: number;
  private readonly maxClients: number;
  private readonly reportTimeout: number;
  private readonly labels: readonly (readonly string[] | undefined)[];
  private cursor = -1;

  constructor(options: LogicalServerOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ConnectControlError(
        'INVALID_CONFIG',
        `options must be an object, got ${describeValue(options)}`,
      );
    }
    const { servers, method, port } = options;
    if (typeof options.name !== 'string') {
      throw new ConnectControlError(
        'INVALID_CONFIG',
        `name must be text, got ${describeValue(options.name)}`,
      );
    }
    if (!Array.isArray(servers)) {
      throw new ConnectControlError(
        'INVALID_CONFIG',
        `servers must be an array, got ${describeValue(servers)}`,
      );
    }
    for (const name of ['now', 'random'] as const) {
      if (typeof options[name] !== 'function') {
        throw new ConnectControlError(
          'INVALID_CONFIG',
          `${name} must be a function, got ${describeValue(options[name])}`,
        );
      }
    }
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new ConnectControlError('INVALID_CONFIG', `port must be 0..65535, got ${describeValue(port)}`);
    }
    if (!METHODS.includes(method)) {
      throw new ConnectControlError(
        'INVALID_CONFIG',
        `method must be one of ${METHODS.join(', ')}, got ${describeValue(method)}`,
      );
    }
    if (servers.length === 0)
      throw new ConnectControlError('INVALID_CONFIG', `${options.name}: at least one real server is needed`);
    const ids = new Map<string, number>();
    servers.forEach((s: unknown, i) => {
      const id = typeof s === 'object' && s !== null ? (s as { id?: unknown }).id : undefined;
      if (typeof id !== 'string') {
        throw new ConnectControlError(
          'INVALID_CONFIG',
          `${options.name}: real server ${i} needs a text id, got ${describeValue(id)}`,
        );
      }
      const domain = (s as { domain?: unknown }).domain;
      if (domain !== undefined && typeof domain !== 'string') {
        throw new ConnectControlError(
          'INVALID_CONFIG',
          `${options.name}: real server ${i}'s domain must be text, got ${describeValue(domain)}`,
        );
      }
      if (ids.has(id))
        throw new ConnectControlError(
          'INVALID_CONFIG',
          `${options.name}: real server id ${describeValue(id)} appears twice`,
        );
      ids.set(id, i);
    });
    this.persistency = options.persistency ?? 'none';
    if (!['none', 'service', 'server'].includes(this.persistency)) {
      throw new ConnectControlError(
        'INVALID_CONFIG',
        `persistency must be none, service or server, got ${describeValue(this.persistency)}`,
      );
    }
    this.timeout = positive(options.persistencyTimeout ?? 1_800_000, 'persistencyTimeout');
    this.maxClients = options.maxPersistentClients ?? 65_536;
    if (!Number.isInteger(this.maxClients) || this.maxClients < 1) {
      throw new ConnectControlError(
        'INVALID_CONFIG',
        `maxPersistentClients must be a whole number of at least 1, got ${describeValue(this.maxClients)}`,
      );
    }
    this.reportTimeout = positive(options.reportTimeout ?? 60_000, 'reportTimeout');
    const availability = availabilityOptions(options.availability);
    const now = options.now();
    // A copy of the list: a server the caller adds to its own array later has no health or load.
    this.options = { ...options, servers: [...servers] };
    this.ids = ids;
    this.health = servers.map(() => new ServerHealth(availability, now));
    this.loads = servers.map(() => undefined);
    this.rtts = servers.map(() => undefined);
    this.labels = servers.map((s) => (s.domain === undefined ? undefined : domainLabels(s.domain)));
  }

  private index(id: string): number {
    const i = this.ids.get(id);
    if (i === undefined) {
      throw new ConnectControlError(
        'UNKNOWN_SERVER',
        `${this.options.name} has no real server ${describeValue(id)}`,
      );
    }
    return i;
  }

  /** Feeds an availability probe result for a server; returns its new state. */
  reportProbe(id: string, ok: boolean): ServerState {
    return (this.health[this.index(id)] as ServerHealth).record(ok, this.options.now());
  }

  /** The servers whose next probe is due now. */
  probesDue(): string[] {
    const now = this.options.now();
    return this.options.servers
      .filter((_, i) => (this.health[i] as ServerHealth).probeDue(now))
      .map((s) => s.id);
  }

  /** A server's availability state. */
  state(id: string): ServerState {
    return (this.health[this.index(id)] as ServerHealth).state;
  }

  /**
   * Records a load report (e.g. a decoded load-agent datagram). A report whose sequence is not newer
   * than the last one accepted (serial-number order, so the counter may wrap) is ignored: UDP may
   * reorder. Returns whether it was accepted.
   */
  reportLoad(id: string, load: number, sequence?: number): boolean {
    if (!Number.isFinite(load) || load < 0) {
      throw new ConnectControlError(
        'INVALID_REPORT',
        `load must be a non-negative number, got ${describeValue(load)}`,
      );
    }
    // A sequence that is not a u32 would compare as equal to every later one and freeze the load.
    if (sequence !== undefined && (!Number.isInteger(sequence) || sequence < 0 || sequence > 0xffff_ffff)) {
      throw new ConnectControlError(
        'INVALID_REPORT',
        `sequence must be an unsigned 32-bit integer or absent, got ${describeValue(sequence)}`,
      );
    }
    return this.record(this.loads, this.index(id), load, sequence);
  }

  /** Records a measured round-trip time, in ms, to a server. */
  reportRtt(id: string, rtt: number): void {
    if (!Number.isFinite(rtt) || rtt < 0) {
      throw new ConnectControlError(
        'INVALID_REPORT',
        `rtt must be a non-negative number of ms, got ${describeValue(rtt)}`,
      );
    }
    this.record(this.rtts, this.index(id), rtt, undefined);
  }

  private record(
    into: (Measure | undefined)[],
    i: number,
    value: number,
    sequence: number | undefined,
  ): boolean {
    const last = into[i];
    if (sequence !== undefined && last?.sequence !== undefined && ((sequence - last.sequence) | 0) <= 0)
      return false;
    into[i] = { value, at: this.options.now(), sequence };
    return true;
  }

  /**
   * Picks the real server for a new connection, or undefined when every server has failed. A
   * persistent client keeps its server while that server is up and its timeout has not run out.
   * `INVALID_REQUEST`, changing nothing, for a request that is not `{ client: text, service?: port,
   * domain?: text }`.
   */
  pick(request: ClientRequest): string | undefined {
    checkRequest(request);
    const now = this.options.now();
    const key = this.persistency === 'none' ? undefined : this.persistKey(request);
    if (key !== undefined) {
      const stuck = this.sticky.get(key);
      if (stuck !== undefined) {
        this.sticky.delete(key);
        // The binding lasts while its server stays up: one that failed meanwhile ends it, even
        // when the server is back.
        const health = this.health[stuck.server] as ServerHealth;
        if (now - stuck.at <= this.timeout && health.state === 'up' && health.timesFailed === stuck.failed) {
          this.sticky.set(key, { server: stuck.server, at: now, failed: stuck.failed });
          return this.options.servers[stuck.server]?.id;
        }
      }
    }
    const chosen = this.choose(request, now);
    if (chosen < 0) return undefined;
    if (key !== undefined) {
      this.sticky.set(key, {
        server: chosen,
        at: now,
        failed: (this.health[chosen] as ServerHealth).timesFailed,
      });
      this.evict(now);
    }
    return this.options.servers[chosen]?.id;
  }

  private persistKey(request: ClientRequest): string {
    const service = this.persistency === 'service' ? (request.service ?? this.options.port) : '*';
    return `${request.client}\u0000${service}`;
  }

  private evict(now: number): void {
    // Map order is least recently used first: expired entries and the overflow leave from the front.
    for (const [key, stuck] of this.sticky) {
      if (this.sticky.size <= this.maxClients && now - stuck.at <= this.timeout) break;
      this.sticky.delete(key);
    }
  }

  private up(i: number): boolean {
    return (this.health[i] as ServerHealth).state === 'up';
  }

  private choose(request: ClientRequest, now: number): number {
    const n = this.options.servers.length;
    switch (this.options.method) {
      case 'random': {
        const healthy: number[] = [];
        for (let i = 0; i < n; i++) if (this.up(i)) healthy.push(i);
        if (healthy.length === 0) return -1;
        const r = this.options.random();
        // Anything else (NaN, a negative number) would index past the list: an undefined pick with
        // servers up, and a persistent binding to no server that the next pick trips over.
        if (typeof r !== 'number' || !(r >= 0 && r <= 1)) {
          throw new ConnectControlError(
            'INVALID_CONFIG',
            `random must return a number in [0, 1], got ${describeValue(r)}`,
          );
        }
        return healthy[Math.min(healthy.length - 1, Math.floor(r * healthy.length))] as number;
      }
      case 'server-load':
        return this.least(this.loads, now);
      case 'round-trip':
        return this.least(this.rtts, now);
      case 'domain':
        return this.closest(request.domain);
      default:
        return this.next(() => true);
    }
  }

  /** Round Robin: the next server after the last pick that is up and passes `eligible`. */
  private next(eligible: (i: number) => boolean): number {
    const n = this.options.servers.length;
    for (let step = 1; step <= n; step++) {
      const i = (((this.cursor + step) % n) + n) % n;
      if (this.up(i) && eligible(i)) {
        this.cursor = i;
        return i;
      }
    }
    return -1;
  }

  /** The up server with the least fresh measurement (ties: Round Robin); Round Robin when none is fresh. */
  private least(measures: readonly (Measure | undefined)[], now: number): number {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < measures.length; i++) {
      const m = measures[i];
      if (m !== undefined && now - m.at <= this.reportTimeout && this.up(i) && m.value < best) best = m.value;
    }
    if (best === Number.POSITIVE_INFINITY) return this.next(() => true);
    return this.next((i) => {
      const m = measures[i];
      return m !== undefined && now - m.at <= this.reportTimeout && m.value === best;
    });
  }

  /** The up servers sharing the most trailing domain labels with the client (ties: Round Robin). */
  private closest(domain: string | undefined): number {
    const servers = this.options.servers;
    if (domain === undefined) return this.next(() => true);
    const client = domainLabels(domain);
    const score = this.labels.map((l) => (l === undefined ? 0 : sharedSuffix(client, l)));
    let best = -1;
    for (let i = 0; i < servers.length; i++)
      if (this.up(i) && (score[i] as number) > best) best = score[i] as number;
    return this.next((i) => score[i] === best);
  }
}

/**
 * Throws `INVALID_REQUEST` unless `request` is an object whose `client` is text, `service` (when
 * given) a port 0..65535 and `domain` (when given) text.
 */
function checkRequest(request: ClientRequest): void {
  let ok = false;
  try {
    ok =
      typeof request === 'object' &&
      request !== null &&
      typeof request.client === 'string' &&
      (request.service === undefined ||
        (Number.isInteger(request.service) && request.service >= 0 && request.service <= 65535)) &&
      (request.domain === undefined || typeof request.domain === 'string');
  } catch {
    // a field whose getter throws
  }
  if (!ok) {
    throw new ConnectControlError(
      'INVALID_REQUEST',
      `a request is { client: text, service?: port 0..65535, domain?: text }, got ${describeValue(request)}`,
    );
  }
}
