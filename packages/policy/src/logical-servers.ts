import { parseProtocol, protocolName } from '@maestro/hash';
import * as v from 'valibot';
import { type Cidr, formatCidr, parseCidr } from './cidr.js';
import { BALANCE_METHODS, type BalanceMethod } from './policy.js';
import { checkRealServers } from './policy-checks.js';
import { strict } from './schema.js';
import type { PathKey } from './source.js';

// ConnectControl logical servers as configuration: a virtual address and service in front of
// real servers. This package only describes them; `@maestro/connectcontrol` balances.

/** `service`: same client and service, same server; `server`: same client, any service, same server. */
export type Persistency = 'none' | 'service' | 'server';

/** A real server: one host, and the port it listens on (the logical server's when absent). */
export interface RealServerConfig {
  /** The host (a full-length block, same family as the logical server's address). */
  readonly address: Cidr;
  /** Its port, when it differs from the logical server's. */
  readonly port?: number;
}

/** A logical server: connections to `address:port` are balanced over `servers`. */
export interface LogicalServerConfig {
  /** Unique name. */
  readonly name: string;
  /** The virtual address clients connect to (a full-length block). */
  readonly address: Cidr;
  /** IP protocol of the service, TCP (6) or UDP (17). */
  readonly protocol: number;
  /** The service port, 1..65535. */
  readonly port: number;
  readonly method: BalanceMethod;
  /** The real servers, in order (Round Robin follows it). */
  readonly servers: readonly RealServerConfig[];
  readonly persistency: Persistency;
  /** Seconds a persistent binding outlives the client's last connection. */
  readonly persistencyTimeout: number;
}

/** The persistency timeout when the config names none: 30 minutes, as the vendor's default. */
export const DEFAULT_PERSISTENCY_TIMEOUT = 1800;

const METHOD_TEXT = `one of ${BALANCE_METHODS.map((m) => `'${m}'`).join(', ')}`;

/** Parses a single host address (a full-length block); throws with what is wrong. */
function parseHost(text: string): Cidr {
  const block = parseCidr(text);
  if (block.prefix !== (block.family === 4 ? 32 : 128)) {
    throw new Error('a single address (a host, /32 or /128)');
  }
  return block;
}

const host = v.pipe(
  v.string('a host address like 192.0.2.10 or 2001:db8::10'),
  v.check(
    (text) => {
      try {
        parseHost(text);
        return true;
      } catch {
        return false;
      }
    },
    (issue) => {
      try {
        parseHost(issue.input);
        return 'a host address';
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    },
  ),
);
const servicePort = v.pipe(
  v.number('a port 1..65535'),
  v.integer('a port 1..65535 (an integer)'),
  v.minValue(1, 'a port 1..65535'),
  v.maxValue(65535, 'a port 1..65535'),
);

const realServerSchema = strict({ address: host, port: v.optional(servicePort) });

/** One logical server as written. */
export const logicalServerSchema: v.GenericSchema<unknown, RawLogicalServer> = strict({
  name: v.pipe(v.string('a name (text)'), v.nonEmpty('a non-empty name')),
  address: host,
  protocol: v.optional(v.picklist(['tcp', 'udp'], "'tcp' or 'udp'")),
  port: servicePort,
  method: v.picklist(BALANCE_METHODS, METHOD_TEXT),
  servers: v.pipe(
    v.array(realServerSchema, 'a list of real servers'),
    v.minLength(1, 'at least one real server'),
  ),
  persistency: v.optional(v.picklist(['none', 'service', 'server'], "one of 'none', 'service', 'server'")),
  persistencyTimeout: v.optional(
    v.pipe(
      v.number('a number of seconds > 0'),
      v.check((n) => Number.isFinite(n) && n > 0, 'a number of seconds > 0'),
    ),
  ),
});

/** A logical server as written. */
export interface RawLogicalServer {
  name: string;
  address: string;
  protocol?: 'tcp' | 'udp' | undefined;
  port: number;
  method: BalanceMethod;
  servers: { address: string; port?: number | undefined }[];
  persistency?: Persistency | undefined;
  persistencyTimeout?: number | undefined;
}

/** Where {@link buildLogicalServer} reports a problem: the path, what was found, what is allowed. */
export type IssueReporter = (path: readonly PathKey[], found: string, expected: string) => void;

/** Builds one logical server that passed {@link logicalServerSchema}, reporting what only the whole entry shows; undefined when there was any. */
export function buildLogicalServer(
  raw: RawLogicalServer,
  at: readonly PathKey[],
  report: IssueReporter,
): LogicalServerConfig | undefined {
  let ok = true;
  const fail: IssueReporter = (path, found, expected) => {
    ok = false;
    report(path, found, expected);
  };
  const address = parseHost(raw.address);
  const servers = raw.servers.map(
    (s): RealServerConfig => ({
      address: parseHost(s.address),
      ...(s.port === undefined ? {} : { port: s.port }),
    }),
  );
  checkRealServers(address, raw.port, servers, at, fail);
  if (!ok) return undefined;
  return {
    name: raw.name,
    address,
    protocol: parseProtocol(raw.protocol ?? 'tcp'),
    port: raw.port,
    method: raw.method,
    servers,
    persistency: raw.persistency ?? 'none',
    persistencyTimeout: raw.persistencyTimeout ?? DEFAULT_PERSISTENCY_TIMEOUT,
  };
}

/** A host block as a bare address, the way the config writes it. */
function hostText(host: Cidr): string {
  return formatCidr(host).replace(/\/(32|128)$/, '');
}

/** The configuration value of a logical server, in canonical form. */
export function logicalServerToConfig(s: LogicalServerConfig): {
  readonly [key: string]: string | number | readonly { readonly [key: string]: string | number }[];
} {
  return {
    name: s.name,
    address: hostText(s.address),
    protocol: protocolName(s.protocol),
    port: s.port,
    method: s.method,
    servers: s.servers.map((r) => ({
      address: hostText(r.address),
      ...(r.port === undefined ? {} : { port: r.port }),
    })),
    persistency: s.persistency,
    persistencyTimeout: s.persistencyTimeout,
  };
}
