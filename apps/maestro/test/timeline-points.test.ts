import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maestro, SAMPLES } from './run-cli.js';

interface Report {
  durationSeconds: number;
  timeline: { t: number[]; packets: Record<string, number[]> };
}

describe('maestro simulate, a run that goes on past its last routed packet', () => {
  it.each([['10000'], ['100000000']])(
    'should keep the timeline to at most 240 points with an event at %ss after a 10 s capture',
    (at) => {
      const r = maestro(['simulate', join(SAMPLES, 'sample.pcap'), '--event', `fail sgm2 @${at}s`, '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as Report;
      expect(report.durationSeconds).toBe(Number(at));
      expect(report.timeline.t.length).toBeLessThanOrEqual(240);
      expect(report.timeline.packets['sgm1']?.length).toBe(report.timeline.t.length);
      const total = Object.values(report.timeline.packets)
        .flat()
        .reduce((a, b) => a + b, 0);
      expect(total).toBe(10_000);
    },
  );
});
