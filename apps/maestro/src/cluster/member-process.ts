import { createSocket } from 'node:dgram';
import { isTagged, type MemberInit, type ToMember } from './ipc.js';
import { MemberNode } from './member-node.js';

const TICK_MS = 10;
const STATUS_MS = 50;
const EXPIRE_MS = 1000;

/**
 * The body of a member process (`maestro cluster member`, forked by the orchestrator with an IPC
 * channel): binds a UDP socket on 127.0.0.1 to a free port and reports it, takes the address book
 * (acknowledged), then on `init` runs its {@link MemberNode} until the orchestrator goes away. A member never outlives
 * its orchestrator: a closed IPC channel (the parent exited, however it died) ends the process.
 */
export function runMemberProcess(): Promise<number> {
  const send = process.send?.bind(process);
  if (send === undefined) return Promise.resolve(2);
  process.on('disconnect', () => process.exit(0));
  return new Promise<number>(() => {
    const ports = new Map<string, number>();
    const ids = new Map<number, string>();
    let node: MemberNode | undefined;
    const socket = createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    socket.on('error', () => process.exit(1));
    socket.on('message', (msg, rinfo) => node?.receive(ids.get(rinfo.port), msg));
    const post = (m: unknown): void => {
      if (process.connected) send(m);
    };
    process.on('message', (raw: unknown) => {
      if (!isTagged(raw)) return;
      const m = raw as ToMember;
      if (m.t === 'init' && node === undefined) start(m);
      else if (m.t === 'peers') {
        ports.clear();
        ids.clear();
        for (const [id, port] of Object.entries(m.ports)) {
          ports.set(id, port);
          ids.set(port, id);
        }
        post({ t: 'peersAck', version: m.version });
      } else if (m.t === 'audit' && node !== undefined) post({ t: 'audit', flows: node.ownedFlows() });
    });

    // The port first: the orchestrator tells every member before this one starts talking.
    socket.bind(0, '127.0.0.1', () => post({ t: 'ready', port: socket.address().port }));

    function start(init: MemberInit): void {
      node = new MemberNode(init, {
        datagram: (to, bytes) => {
          const port = ports.get(to);
          // Copied: dgram sends on a later tick, and HyperSync reuses its encode buffer.
          if (port !== undefined) socket.send(Buffer.from(bytes), port, '127.0.0.1');
        },
        post,
      });
      const n = node;
      setInterval(() => n.tick(), TICK_MS);
      setInterval(() => post(n.status()), STATUS_MS);
      setInterval(() => n.expire(), EXPIRE_MS);
    }
  });
}
