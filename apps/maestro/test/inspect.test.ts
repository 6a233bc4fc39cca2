import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maestro, maestroJson, SAMPLES, tempDir } from './run-cli.js';

const SAMPLE = join(SAMPLES, 'sample.pcap');

describe('maestro dump', () => {
  it('should print one tab-separated line of seven fields per packet, frames from 1', () => {
    const r = maestro(['dump', SAMPLE, '--format', 'tsv']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(10_000);
    lines.forEach((line, i) => {
      const f = line.split('\t');
      expect(f).toHaveLength(7);
      expect(f[0]).toBe(String(i + 1));
      expect(f[6]).toMatch(/^(100|200)$/);
      if (f[3] === '6' || f[3] === '17') expect(f[4]).toMatch(/^(\d+|-)$/);
      if (f[3] === '1' || f[3] === '58') expect([f[4], f[5]]).toEqual(['-', '-']);
    });
    expect(lines[0]).toMatch(/^1\t[\d.:a-f]+\t[\d.:a-f]+\t\d+\t/);
  });
});

describe('maestro stats', () => {
  it('should count what dump prints', () => {
    const stats = maestroJson<{
      packets: number;
      ipv4: number;
      ipv6: number;
      protocols: Record<string, number>;
    }>(['stats', SAMPLE]);
    const lines = maestro(['dump', SAMPLE, '--format', 'tsv']).stdout.trimEnd().split('\n');
    expect(stats.packets).toBe(lines.length);
    expect(stats.ipv4 + stats.ipv6).toBe(lines.filter((l) => l.split('\t')[1] !== '-').length);
    expect(stats.ipv6).toBe(lines.filter((l) => l.split('\t')[1]?.includes(':')).length);
    expect(stats.protocols['tcp']).toBe(lines.filter((l) => l.split('\t')[3] === '6').length);
  });
});

describe('maestro gen', () => {
  it('should write the same bytes for the same seed, and other bytes for another', () => {
    const dir = tempDir();
    const args = (seed: string, file: string) => [
      'gen',
      '--packets',
      '2000',
      '--flows',
      '100',
      '--seed',
      seed,
      '-o',
      join(dir, file),
    ];
    expect(maestro(args('9', 'a.pcap')).code).toBe(0);
    expect(maestro(args('9', 'b.pcap')).code).toBe(0);
    expect(maestro(args('10', 'c.pcapng')).code).toBe(0);
    const a = readFileSync(join(dir, 'a.pcap'));
    expect(a.equals(readFileSync(join(dir, 'b.pcap')))).toBe(true);
    const c = maestroJson<{ format: string; packets: number }>(['stats', join(dir, 'c.pcapng')]);
    expect(c).toMatchObject({ format: 'pcapng', packets: 2000 });
  });
});
