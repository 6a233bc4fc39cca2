import { formatRate, measure, printTable } from '@maestro/bench-tools';
import { decodeLoadReport, encodeLoadReport, LogicalServer, METHODS } from '../src/index.js';

// Picks per second for each method on a logical server of 16 real servers (fresh load and RTT
// reports for all), with and without persistency, and the load-report decoder's rate.
const SERVERS = Array.from({ length: 16 }, (_, i) => ({ id: `s${i}`, domain: `h${i}.${i % 4}.example.com` }));
let seed = 1;
const random = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296;
};
const clients = Array.from({ length: 4096 }, (_, i) => `198.51.${i >> 8}.${i & 255}`);

const rows: (string | number)[][] = [['operation', 'rate']];
for (const method of METHODS) {
  for (const persistency of ['none', 'server'] as const) {
    let t = 0;
    const ls = new LogicalServer({
      name: 'web',
      address: '192.0.2.10',
      port: 80,
      servers: SERVERS,
      method,
      persistency,
      now: () => t,
      random,
    });
    SERVERS.forEach((s, i) => {
      ls.reportLoad(s.id, (i * 613) % 10_000);
      ls.reportRtt(s.id, 5 + ((i * 7) % 40));
    });
    const r = measure(
      (n) => {
        let acc = 0;
        for (let i = 0; i < n; i++) {
          t += 0.001;
          acc += ls.pick({ client: clients[i & 4095] as string, domain: 'x.2.example.com' })?.length ?? 0;
        }
        return acc;
      },
      { minMs: 200, samples: 3, warmupMs: 100 },
    );
    rows.push([`pick, ${method}, persistency ${persistency}`, formatRate(r.opsPerSec)]);
  }
}
const payloads = Array.from({ length: 256 }, (_, i) =>
  encodeLoadReport({ serverId: `s${i & 15}`, load: i * 39, sequence: i }),
);
const d = measure((n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) acc += decodeLoadReport(payloads[i & 255] as Uint8Array).load;
  return acc;
});
rows.push(['decodeLoadReport', formatRate(d.opsPerSec)]);
printTable(rows);
