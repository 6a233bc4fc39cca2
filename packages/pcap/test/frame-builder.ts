/**
 * An independent frame builder for the tests (plain byte arrays, written from the RFCs, sharing
 * no code with src/), so that decoder bugs cannot hide behind a builder with the same bug.
 */

export type L4 =
  | {
      readonly kind: 'ports';
      readonly protocol: 6 | 17 | 132;
      readonly srcPort: number;
      readonly dstPort: number;
      readonly tcpFlags: number;
    }
  | { readonly kind: 'echo'; readonly id: number; readonly reply: boolean }
  | { readonly kind: 'error'; readonly type: number; readonly inner: IpSpec }
  | { readonly kind: 'other'; readonly protocol: number };

export interface IpSpec {
  readonly family: 4 | 6;
  readonly src: number | readonly number[];
  readonly dst: number | readonly number[];
  /** IPv4 option words (0..10) or IPv6 extension headers before the upper layer. */
  readonly options: number;
  readonly extensions: readonly (0 | 43 | 60)[];
  /**
   * Destination Options headers after the fragment header: the start of the fragmentable part
   * (RFC 8200 4.1 and 4.5). Only the first fragment carries them; in later fragments the
   * fragment header's Next Header names the first of them and fragment data follows it.
   */
  readonly trailing?: readonly 60[];
  readonly fragment: { readonly id: number; readonly offset: number; readonly more: boolean } | null;
  readonly l4: L4;
  readonly payload: number;
}

export interface FrameSpec {
  readonly link:
    | 'ethernet'
    | 'ppp'
    | 'chdlc'
    | 'raw'
    | 'null-le'
    | 'null-be'
    | 'loop'
    | 'sll'
    | 'sll2'
    | 'ipv4'
    | 'ipv6';
  readonly tags: readonly { readonly tpid: 0x8100 | 0x88a8; readonly vid: number }[];
  readonly ip: IpSpec;
}

export const LINK_TYPES: Readonly<Record<FrameSpec['link'], number>> = {
  ethernet: 1,
  ppp: 9,
  chdlc: 104,
  raw: 101,
  'null-le': 0,
  'null-be': 0,
  loop: 108,
  sll: 113,
  sll2: 276,
  ipv4: 228,
  ipv6: 229,
};

const u16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const u32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const addr = (a: number | readonly number[]): number[] => (typeof a === 'number' ? u32(a) : [...a]);

/** The upper-layer protocol number of an L4 spec in a given family. */
export function protocolOf(l4: L4, family: 4 | 6): number {
  if (l4.kind === 'ports' || l4.kind === 'other') return l4.protocol;
  return family === 4 ? 1 : 58;
}

/**
 * The protocol a decoder can key `ip` with: the upper-layer one, except in a later IPv6 fragment
 * whose fragmentable part starts with an extension header. That fragment does not carry the
 * upper-layer header, only the fragment header's Next Header naming the first trailing header.
 */
export function keyProtocolOf(ip: IpSpec): number {
  const nonFirst = ip.fragment !== null && ip.fragment.offset > 0;
  const trailing = ip.trailing?.[0];
  return ip.family === 6 && nonFirst && trailing !== undefined ? trailing : protocolOf(ip.l4, ip.family);
}

function upper(l4: L4, family: 4 | 6, payload: number): number[] {
  switch (l4.kind) {
    case 'ports': {
      const head = [...u16(l4.srcPort), ...u16(l4.dstPort)];
      if (l4.protocol === 6)
        return [
          ...head,
          0,
          0,
          0,
          1,
          0,
          0,
          0,
          2,
          0x50,
          l4.tcpFlags,
          0xff,
          0xff,
          0,
          0,
          0,
          0,
          ...zeros(payload),
        ];
      if (l4.protocol === 17) return [...head, ...u16(8 + payload), 0, 0, ...zeros(payload)];
      return [...head, 0, 0, 0, 7, 0, 0, 0, 0, ...zeros(payload)];
    }
    case 'echo': {
      const type = family === 4 ? (l4.reply ? 0 : 8) : l4.reply ? 129 : 128;
      return [type, 0, 0, 0, ...u16(l4.id), 0, 1, ...zeros(payload)];
    }
    case 'error': {
      const headers =
        l4.inner.family === 4
          ? 20 + l4.inner.options * 4
          : 40 + 16 * (l4.inner.extensions.length + (l4.inner.trailing?.length ?? 0));
      const inner = ipPacket(l4.inner).slice(0, headers + 8);
      return [l4.type, family === 4 ? 3 : 0, 0, 0, 0, 0, 0, 0, ...inner];
    }
    default:
      return zeros(payload);
  }
}

/** The IP packet (header, extension headers, upper layer) of `ip`. */
export function ipPacket(ip: IpSpec): number[] {
  const protocol = protocolOf(ip.l4, ip.family);
  const frag = ip.fragment;
  const body = frag !== null && frag.offset > 0 ? zeros(ip.payload + 8) : upper(ip.l4, ip.family, ip.payload);
  if (ip.family === 4) {
    const options = zeros(ip.options * 4).fill(1); // NOP options
    const headerLength = 20 + options.length;
    const fragField = frag === null ? 0x4000 : (frag.more ? 0x2000 : 0) | (frag.offset >> 3);
    return [
      0x40 | (headerLength >> 2),
      0,
      ...u16(headerLength + body.length),
      ...u16(frag === null ? 0x1234 : frag.id & 0xffff),
      ...u16(fragField),
      64,
      protocol,
      0,
      0,
      ...addr(ip.src),
      ...addr(ip.dst),
      ...options,
      ...body,
    ];
  }
  // IPv6: extension headers in order, then the fragment header, then the trailing headers and
  // the upper layer; a later fragment ends its chain at the fragment header (data follows).
  const trailing = ip.trailing ?? [];
  const chain: number[] = [...ip.extensions];
  if (frag !== null) chain.push(44);
  const nonFirst = frag !== null && frag.offset > 0;
  const fullChain = [...chain, ...trailing];
  const ext: number[] = [];
  (nonFirst ? chain : fullChain).forEach((type, i) => {
    const next = i + 1 < fullChain.length ? (fullChain[i + 1] as number) : protocol;
    if (type === 44 && frag !== null)
      ext.push(next, 0, ...u16((frag.offset & 0xfff8) | (frag.more ? 1 : 0)), ...u32(frag.id));
    else ext.push(next, 1, ...zeros(14)); // 16 bytes: length field 1 = (1 + 1) * 8
  });
  const first = fullChain.length > 0 ? (fullChain[0] as number) : protocol;
  return [
    0x60,
    0,
    0,
    0,
    ...u16(ext.length + body.length),
    first,
    64,
    ...addr(ip.src),
    ...addr(ip.dst),
    ...ext,
    ...body,
  ];
}

/** The whole frame of `spec`, link-layer header included. */
export function buildFrame(spec: FrameSpec): Uint8Array {
  const ip = ipPacket(spec.ip);
  const etherType = spec.ip.family === 4 ? 0x0800 : 0x86dd;
  let link: number[];
  switch (spec.link) {
    case 'ethernet': {
      const tags = spec.tags.flatMap((t, i) => {
        const next = i + 1 < spec.tags.length ? (spec.tags[i + 1] as { tpid: number }).tpid : etherType;
        return [...u16(t.vid), ...u16(next)];
      });
      const first = spec.tags.length > 0 ? (spec.tags[0] as { tpid: number }).tpid : etherType;
      link = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, ...u16(first), ...tags];
      break;
    }
    case 'ppp':
      link = [0xff, 0x03, ...u16(spec.ip.family === 4 ? 0x0021 : 0x0057)];
      break;
    case 'chdlc':
      link = [0x0f, 0x00, ...u16(etherType)];
      break;
    case 'null-le':
      link = spec.ip.family === 4 ? [2, 0, 0, 0] : [24, 0, 0, 0];
      break;
    case 'null-be':
    case 'loop':
      link = spec.ip.family === 4 ? [0, 0, 0, 2] : [0, 0, 0, 30];
      break;
    case 'sll':
      link = [0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, ...u16(etherType)];
      break;
    case 'sll2':
      link = [...u16(etherType), 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0];
      break;
    default:
      link = [];
  }
  return Uint8Array.from([...link, ...ip]);
}

function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}
