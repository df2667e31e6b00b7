// A tiny Acme API for the tests: the wire format the client speaks (paths, bodies, states, error
// answers), machines in memory, and fault hooks. Grow it with the real API's behaviour you depend on:
// asynchronous states, listing lag, throttling, lost replies.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AcmeMachineInfo } from '../src/cloud/acme-client.js';

interface SimMachine extends AcmeMachineInfo {
  userData: string;
  createdAt: number;
}

export interface AcmeSimulatorOptions {
  /** The token the API accepts. */
  token?: string;
  /** How long a machine is `building` before it is `running` (and `deleting` before it is gone); 200 ms by default. */
  transitionMs?: number;
}

export interface AcmeSimulator {
  url: string;
  token: string;
  /** Every machine, including those not listed yet and those being deleted. */
  machines(): AcmeMachineInfo[];
  /** The next `count` requests answer `status` with an Acme error body. */
  failNext(count: number, status: number): void;
  /** A created machine is not listed for this long, as on a platform with an eventually consistent list. */
  listLagMs: number;
  close(): Promise<void>;
}

export async function startAcmeSimulator(options: AcmeSimulatorOptions = {}): Promise<AcmeSimulator> {
  const token = options.token ?? 'acme-test-token';
  const transitionMs = options.transitionMs ?? 200;
  const machines = new Map<string, SimMachine>();
  let failures: { count: number; status: number } = { count: 0, status: 500 };
  let nextAddress = 10;

  const send = (res: ServerResponse, status: number, body?: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: string, message: string) =>
    send(res, status, { error: { code, message } });
  const view = ({ userData: _userData, createdAt: _createdAt, ...machine }: SimMachine): AcmeMachineInfo => ({
    ...machine,
    addresses: [...machine.addresses],
  });
  const readBody = async (req: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (failures.count > 0) {
      failures.count--;
      if (failures.status === 429) res.setHeader('retry-after', '1');
      return error(res, failures.status, 'InjectedFault', `injected fault (${failures.status})`);
    }
    if (req.headers.authorization !== `Bearer ${token}`)
      return error(res, 401, 'TokenInvalid', 'the token is not valid');
    const url = new URL(req.url ?? '/', 'http://acme');
    if (url.pathname === '/v1/machines' && req.method === 'GET') {
      const name = url.searchParams.get('name');
      const listed = [...machines.values()].filter(
        (m) => Date.now() - m.createdAt >= simulator.listLagMs && (name === null || m.name === name),
      );
      return send(res, 200, { machines: listed.map(view) });
    }
    if (url.pathname === '/v1/machines' && req.method === 'POST') {
      const body = (await readBody(req)) as Partial<{ name: string; image: string; userData: string }>;
      if (!body?.name || !body.image || typeof body.userData !== 'string')
        return error(res, 400, 'InvalidRequest', 'name, image and userData are required');
      const machine: SimMachine = {
        id: `m-${randomUUID().slice(0, 8)}`,
        name: body.name,
        image: body.image,
        userData: body.userData,
        state: 'building',
        addresses: [],
        createdAt: Date.now(),
      };
      machines.set(machine.id, machine);
      const address = `10.0.0.${nextAddress++ % 250}`;
      setTimeout(() => {
        if (machine.state !== 'building') return;
        machine.state = 'running';
        machine.addresses = [address];
      }, transitionMs).unref();
      return send(res, 202, view(machine));
    }
    const one = /^\/v1\/machines\/([^/]+)$/.exec(url.pathname);
    if (one && req.method === 'DELETE') {
      const machine = machines.get(decodeURIComponent(one[1] ?? ''));
      if (!machine) return error(res, 404, 'MachineNotFound', `no machine ${one[1]}`);
      if (machine.state !== 'deleting') {
        machine.state = 'deleting';
        setTimeout(() => machines.delete(machine.id), transitionMs).unref();
      }
      return send(res, 202);
    }
    return error(res, 404, 'NotFound', `no route ${req.method} ${url.pathname}`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((cause: unknown) => error(res, 500, 'InternalError', String(cause)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const simulator: AcmeSimulator = {
    url: `http://127.0.0.1:${port}`,
    token,
    machines: () => [...machines.values()].map(view),
    failNext(count, status) {
      failures = { count, status };
    },
    listLagMs: 0,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((cause) => (cause ? reject(cause) : resolve()));
      }),
  };
  return simulator;
}
