import { request } from 'node:http';

/** One HTTP answer, body as text. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** Sends one request with exactly the method, path, headers and body given (fetch would add its own). */
export function send(
  base: string,
  method: string,
  path: string,
  options: { readonly headers?: Record<string, string>; readonly body?: string } = {},
): Promise<HttpAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** POSTs a member action the way the page does. */
export function act(base: string, member: string, action: string, body: unknown = {}): Promise<HttpAnswer> {
  return send(base, 'POST', `/api/members/${encodeURIComponent(member)}/${action}`, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Reads Server-Sent Events from `path` until `until` returns true for one of them. */
export function readEvents(
  base: string,
  until: (event: string, data: unknown) => boolean,
): Promise<{ event: string; data: unknown }[]> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const seen: { event: string; data: unknown }[] = [];
    const req = request({ host: url.hostname, port: url.port, path: '/api/events', agent: false }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event === undefined || data === undefined) continue;
          const parsed: unknown = JSON.parse(data);
          seen.push({ event, data: parsed });
          if (until(event, parsed)) {
            req.destroy();
            resolve(seen);
            return;
          }
        }
      });
      res.on('end', () => resolve(seen));
    });
    req.on('error', reject);
    req.end();
  });
}
