/** Hand-built pcapng blocks for the tests (independent of the writers in src/). */

function block(type: number, body: readonly number[], le: boolean): number[] {
  const padded = [...body, ...new Array<number>((4 - (body.length % 4)) % 4).fill(0)];
  const total = 12 + padded.length;
  return [...u32(type, le), ...u32(total, le), ...padded, ...u32(total, le)];
}

export function u32(v: number, le: boolean): number[] {
  const be = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  return le ? be.reverse() : be;
}

export function u16(v: number, le: boolean): number[] {
  const be = [(v >>> 8) & 0xff, v & 0xff];
  return le ? be.reverse() : be;
}

/** Section header block (version 1.0, unknown section length), with an optional comment option. */
export function shb(le: boolean, comment = ''): number[] {
  const opt =
    comment === ''
      ? []
      : option(
          1,
          [...comment].map((c) => c.charCodeAt(0)),
          le,
        );
  return block(
    0x0a0d0d0a,
    [
      ...u32(0x1a2b3c4d, le),
      ...u16(1, le),
      ...u16(0, le),
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      ...opt,
      ...(opt.length > 0 ? u32(0, le) : []),
    ],
    le,
  );
}

function option(code: number, value: readonly number[], le: boolean): number[] {
  return [
    ...u16(code, le),
    ...u16(value.length, le),
    ...value,
    ...new Array<number>((4 - (value.length % 4)) % 4).fill(0),
  ];
}

/** Interface description block with optional if_tsresol and if_name options. */
export function idb(le: boolean, linkType: number, snaplen: number, tsresol?: number): number[] {
  const opts = [
    ...option(
      2,
      [...'eth0'].map((c) => c.charCodeAt(0)),
      le,
    ),
    ...(tsresol === undefined ? [] : option(9, [tsresol], le)),
    ...u32(0, le),
  ];
  return block(1, [...u16(linkType, le), 0, 0, ...u32(snaplen, le), ...opts], le);
}

/** Enhanced packet block; `units` is the 64-bit timestamp as a bigint. */
export function epb(
  le: boolean,
  iface: number,
  units: bigint,
  data: readonly number[],
  original: number = data.length,
): number[] {
  const hi = Number(units >> 32n);
  const lo = Number(units & 0xffffffffn);
  return block(
    6,
    [
      ...u32(iface, le),
      ...u32(hi, le),
      ...u32(lo, le),
      ...u32(data.length, le),
      ...u32(original, le),
      ...data,
      ...new Array<number>((4 - (data.length % 4)) % 4).fill(0),
      ...option(1, [0x68, 0x69], le),
      ...u32(0, le),
    ],
    le,
  );
}

/** Obsolete packet block (16-bit interface id, 16-bit drop count). */
export function opb(le: boolean, iface: number, units: bigint, data: readonly number[]): number[] {
  const hi = Number(units >> 32n);
  const lo = Number(units & 0xffffffffn);
  return block(
    2,
    [
      ...u16(iface, le),
      ...u16(0, le),
      ...u32(hi, le),
      ...u32(lo, le),
      ...u32(data.length, le),
      ...u32(data.length, le),
      ...data,
    ],
    le,
  );
}

/** Simple packet block. */
export function spb(le: boolean, data: readonly number[]): number[] {
  return block(3, [...u32(data.length, le), ...data], le);
}

/** A block of a type the reader does not know (name resolution, statistics, custom, ...). */
export function unknownBlock(le: boolean, type: number, size: number): number[] {
  return block(type, new Array<number>(size).fill(0xab), le);
}
