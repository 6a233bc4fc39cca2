declare module 'pcap-parser' {
  import type { EventEmitter } from 'node:events';
  import type { Readable } from 'node:stream';

  export interface PcapPacket {
    readonly header: {
      readonly timestampSeconds: number;
      readonly timestampMicroseconds: number;
      readonly capturedLength: number;
      readonly originalLength: number;
    };
    readonly data: Buffer;
  }
  export function parse(input: string | Readable): EventEmitter;
}
