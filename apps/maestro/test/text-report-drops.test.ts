import { describe, expect, it } from 'vitest';
import { maestro, maestroJson, SCENARIO } from './run-cli.js';

describe('maestro simulate, the text report', () => {
  it('should show the dropped packets and their causes that the JSON reports', () => {
    const json = maestroJson<{ packets: number; dropped: number; members: { packets: number }[] }>([
      'simulate',
      '--scenario',
      SCENARIO,
    ]);
    // The main job drops a packet: the members' packets do not add up to the capture's.
    expect(json.dropped).toBeGreaterThan(0);
    expect(json.members.reduce((a, m) => a + m.packets, 0)).toBe(json.packets - json.dropped);
    const r = maestro(['simulate', '--scenario', SCENARIO]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`dropped packets: ${json.dropped} \\(unknownFragment ${json.dropped}\\)`),
    );
  });
});
