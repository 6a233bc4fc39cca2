import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maestro, SAMPLES, tempDir } from './run-cli.js';

describe('maestro simulate, a scenario whose members list has an entry without an id', () => {
  it.each([
    ['members:\n  - { id: sgm1 }\n  - { weight: 200 }\n'],
    ['members: [1, 2]\n'],
    ['members:\n  - { id: sgm1, weight: heavy }\n'],
  ])('should refuse %j with one line naming the file and the entry, exit 1', (members) => {
    const dir = tempDir();
    copyFileSync(join(SAMPLES, 'sample.pcap'), join(dir, 'sample.pcap'));
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, `capture: sample.pcap\n${members}`);
    const r = maestro(['simulate', '--scenario', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/scenario\.yaml: members\[\d\] must be an id/);
    expect(r.stderr).not.toMatch(/undefined/);
  });
});
