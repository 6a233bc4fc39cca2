import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { CLI } from './run-cli.js';

/** What a finished `maestro cluster ...` printed and returned. */
export interface ClusterRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `maestro cluster ...args` to completion, asynchronously (it takes seconds). */
export function runCluster(args: readonly string[], timeoutMs = 55_000): Promise<ClusterRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'cluster', ...args], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Process ids whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
}

/** True while a process with that id exists (and is not a zombie). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/**
 * The local addresses (hex `ADDR:PORT` of /proc/net/{udp,tcp}) of every socket a process holds:
 * its socket fds' inodes looked up in the kernel's socket tables.
 */
export function localAddresses(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m !== null) inodes.add(m[1] as string);
    } catch {
      // The fd closed meanwhile.
    }
  }
  const out: string[] = [];
  for (const table of ['udp', 'tcp', 'udp6', 'tcp6']) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && inodes.has(f[9] as string)) out.push(`${table} ${f[1]}`);
    }
  }
  return out;
}

/** Resolves when `done()` holds (polled every 50 ms); rejects after `timeoutMs`. */
export function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = (): void => {
      if (done()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error(`not within ${timeoutMs} ms`));
      else setTimeout(check, 50);
    };
    check();
  });
}
