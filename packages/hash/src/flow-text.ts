import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './address.js';
import { HashError } from './errors.js';
import { createFlowKey, type FlowKey, IpProtocol, isFlowKeyObject, PortKind } from './flow-key.js';
import { shown } from './shown.js';

const PROTOCOL_NAMES: ReadonlyMap<string, number> = new Map([
  ['icmp', IpProtocol.ICMP],
  ['tcp', IpProtocol.TCP],
  ['udp', IpProtocol.UDP],
  ['gre', IpProtocol.GRE],
  ['esp', IpProtocol.ESP],
  ['ah', IpProtocol.AH],
  ['icmpv6', IpProtocol.ICMPV6],
  ['ipv6-icmp', IpProtocol.ICMPV6],
  ['sctp', IpProtocol.SCTP],
]);
const NAME_OF: ReadonlyMap<number, string> = new Map([
  [IpProtocol.ICMP, 'icmp'],
  [IpProtocol.TCP, 'tcp'],
  [IpProtocol.UDP, 'udp'],
  [IpProtocol.GRE, 'gre'],
  [IpProtocol.ESP, 'esp'],
  [IpProtocol.AH, 'ah'],
  [IpProtocol.ICMPV6, 'icmpv6'],
  [IpProtocol.SCTP, 'sctp'],
]);

/** True for the protocols whose flow keys carry ports (TCP, UDP, SCTP). */
export function hasPorts(protocol: number): boolean {
  return protocol === IpProtocol.TCP || protocol === IpProtocol.UDP || protocol === IpProtocol.SCTP;
}

/** The protocol's usual name (`tcp`, `icmpv6`, ...) or its number as text. */
export function protocolName(protocol: number): string {
  return NAME_OF.get(protocol) ?? String(protocol);
}

/** Parses a protocol name (case-insensitive) or number 0..255. */
export function parseProtocol(text: string): number {
  if (typeof text !== 'string') {
    throw new HashError(
      'INVALID_PROTOCOL',
      `a protocol is text (a name or a number 0..255), got ${shown(text)}`,
    );
  }
  const named = PROTOCOL_NAMES.get(text.toLowerCase());
  if (named !== undefined) return named;
  if (/^\d{1,3}$/.test(text) && Number(text) <= 255) return Number(text);
  throw new HashError(
    'INVALID_PROTOCOL',
    `unknown protocol ${JSON.stringify(text)}: use tcp, udp, sctp, icmp, icmpv6, gre, esp, ah or a number 0..255`,
  );
}

const FLOW_SYNTAX =
  "'<proto> <src>[:<port>] -> <dst>[:<port>] [id <n> | frag]', e.g. 'tcp 10.0.0.1:1234 -> 192.0.2.7:443' or 'udp [2001:db8::1]:53 -> [2001:db8::2]:5353'";

/**
 * Parses a flow written as people write them:
 * - `tcp 10.0.0.1:1234 -> 192.0.2.7:443` (also `udp`, `sctp`)
 * - `udp [2001:db8::1]:53 -> [2001:db8::2]:5353` (IPv6 in brackets when a port follows)
 * - `icmp 10.0.0.1 -> 10.0.0.2 id 7` (echo identifier; `icmpv6` likewise)
 * - `tcp 10.0.0.1 -> 10.0.0.2 frag` (a non-first fragment: no ports)
 * - `gre 10.0.0.1 -> 10.0.0.2` (a protocol without ports)
 * Throws a {@link HashError} that says what is wrong and shows the syntax.
 *
 * @example
 * const key = parseFlow('tcp 10.0.0.1:1234 -> 192.0.2.7:443');
 * key.dstPort; // 443
 */
export function parseFlow(text: string, out: FlowKey = createFlowKey()): FlowKey {
  if (typeof text !== 'string') {
    throw new HashError('INVALID_FLOW_TEXT', `a flow is text, got ${shown(text)}; expected ${FLOW_SYNTAX}`);
  }
  if (!isFlowKeyObject(out)) {
    throw new HashError(
      'INVALID_KEY',
      `parseFlow writes into a flow key object (createFlowKey()), got ${shown(out)}`,
    );
  }
  const fail = (why: string): never => {
    throw new HashError('INVALID_FLOW_TEXT', `${why} in ${JSON.stringify(text)}; expected ${FLOW_SYNTAX}`);
  };
  const words = text.trim().split(/\s+/);
  if (words.length < 4 || words[2] !== '->') fail('missing "<proto> <src> -> <dst>"');
  const protocol = parseProtocol(words[0] as string);
  const src = splitEndpoint(words[1] as string, fail);
  const dst = splitEndpoint(words[3] as string, fail);
  const rest = words.slice(4);
  const v6 = src.host.includes(':');
  if (v6 !== dst.host.includes(':')) fail('source and destination are of different address families');

  // Everything is parsed before `out` is touched: a refused text leaves the caller's key as it was.
  const src6 = v6 ? parseIPv6(src.host) : undefined;
  const dst6 = v6 ? parseIPv6(dst.host) : undefined;
  const srcV4 = v6 ? 0 : parseIPv4(src.host);
  const dstV4 = v6 ? 0 : parseIPv4(dst.host);
  let srcPort = 0;
  let dstPort = 0;
  let portKind: PortKind;
  const isEcho = protocol === IpProtocol.ICMP || protocol === IpProtocol.ICMPV6;
  if (rest.length === 1 && rest[0] === 'frag') {
    if (src.port !== undefined || dst.port !== undefined) fail('a non-first fragment carries no ports');
    portKind = PortKind.FRAGMENT;
  } else if (rest.length === 2 && rest[0] === 'id') {
    if (!isEcho) fail('"id" applies to icmp and icmpv6 echo only');
    if (src.port !== undefined || dst.port !== undefined) fail('icmp has no ports');
    const id = parsePortNumber(rest[1] as string, 'echo id');
    srcPort = id;
    dstPort = id;
    portKind = PortKind.ECHO;
  } else if (rest.length > 0) {
    return fail(`unexpected ${JSON.stringify(rest.join(' '))}`);
  } else if (hasPorts(protocol)) {
    if (src.port === undefined || dst.port === undefined) fail(`${protocolName(protocol)} needs both ports`);
    srcPort = parsePortNumber(src.port as string, 'source port');
    dstPort = parsePortNumber(dst.port as string, 'destination port');
    portKind = PortKind.PORTS;
  } else {
    if (src.port !== undefined || dst.port !== undefined) fail(`${protocolName(protocol)} has no ports`);
    portKind = PortKind.NONE;
  }

  out.protocol = protocol;
  out.family = v6 ? 6 : 4;
  out.srcV4 = srcV4;
  out.dstV4 = dstV4;
  if (src6 !== undefined && dst6 !== undefined) {
    out.src6.set(src6);
    out.dst6.set(dst6);
  } else {
    out.src6.fill(0);
    out.dst6.fill(0);
  }
  out.srcPort = srcPort;
  out.dstPort = dstPort;
  out.portKind = portKind;
  return out;
}

/** Formats a flow key in the syntax {@link parseFlow} reads; IPv6 in RFC 5952 form. */
export function formatFlow(key: FlowKey): string {
  const withPorts = key.portKind === PortKind.PORTS;
  const src = formatEndpoint(key, true, withPorts);
  const dst = formatEndpoint(key, false, withPorts);
  const tail =
    key.portKind === PortKind.ECHO ? ` id ${key.srcPort}` : key.portKind === PortKind.FRAGMENT ? ' frag' : '';
  return `${protocolName(key.protocol)} ${src} -> ${dst}${tail}`;
}

function formatEndpoint(key: FlowKey, source: boolean, withPort: boolean): string {
  const host =
    key.family === 4 ? formatIPv4(source ? key.srcV4 : key.dstV4) : formatIPv6(source ? key.src6 : key.dst6);
  if (!withPort) return host;
  const port = source ? key.srcPort : key.dstPort;
  return key.family === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

function splitEndpoint(
  word: string,
  fail: (why: string) => never,
): { host: string; port: string | undefined } {
  if (word.startsWith('[')) {
    const close = word.indexOf(']');
    if (close < 0) fail(`unclosed "[" in ${JSON.stringify(word)}`);
    const after = word.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) fail(`unexpected text after "]" in ${JSON.stringify(word)}`);
    return { host: word.slice(1, close), port: after === '' ? undefined : after.slice(1) };
  }
  const colons = word.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = word.split(':') as [string, string];
    return { host, port };
  }
  // Zero colons: IPv4 without a port. Several: bare IPv6 without a port.
  return { host: word, port: undefined };
}

function parsePortNumber(text: string, what: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 0xffff) {
    throw new HashError('INVALID_PORT', `${what} must be an integer 0..65535, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}
