// The run both app benches measure: the capture they generate and the simulate they time on it.

/** Packets in the bench capture. */
export const PACKETS = 1_000_000;

/** `maestro gen` arguments of the bench capture: 1 M packets, 50 000 flows, snaplen 128. */
export function genArgs(capture: string): string[] {
  return [
    'gen',
    '--packets',
    String(PACKETS),
    '--flows',
    '50000',
    '--seed',
    '1',
    '--snaplen',
    '128',
    '-o',
    capture,
  ];
}

/** `maestro simulate` arguments of the bench run: 8 members, one failure half way, JSON out. */
export function simulateArgs(capture: string): string[] {
  return ['simulate', capture, '--members', '8', '--event', 'fail sgm3 @5s', '--json'];
}
