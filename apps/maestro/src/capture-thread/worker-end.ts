import type { CaptureFormat, PcapErrorCode } from '@maestro/pcap';

/** How the capture thread's read ended, as it posts it after its last packet. */
export type WorkerEnd =
  | {
      readonly kind: 'summary';
      readonly format: CaptureFormat | null;
      readonly packets: number;
      readonly bytes: number;
      /** The `PcapError` of the damage, its message as the reader wrote it. */
      readonly error: {
        readonly code: PcapErrorCode;
        readonly message: string;
        readonly offset: number;
      } | null;
    }
  | {
      /** Reading threw (an I/O error such as EACCES, or a defect): Node's `code` when it had one. */
      readonly kind: 'thrown';
      readonly code: string | null;
      readonly message: string;
    };
