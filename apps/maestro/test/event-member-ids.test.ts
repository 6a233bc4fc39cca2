import { describe, expect, it } from 'vitest';
import { maestro } from './run-cli.js';

describe('maestro simulate, an event naming a member id --members would refuse', () => {
  it.each([['add sgm5=200 @3s'], ['add <b>x</b> @3s'], ['add -x @3s']])(
    'should refuse %j with one line and exit 2, not add a member of that name',
    (event) => {
      const r = maestro(['simulate', '--event', event, '--json']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^maestro: bad event .*is not a member id/);
    },
  );
});
