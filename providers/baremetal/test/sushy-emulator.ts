// sushy-tools' Redfish BMC emulator (installed by tools/sushy/ensure.sh into a cached virtual
// environment) with its fake systems driver, which needs neither libvirt nor OpenStack: started on
// a free loopback port, over HTTPS with a certificate made for it, with HTTP basic authentication
// from an htpasswd file, and read back over Redfish by the tests.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENSURE = fileURLToPath(new URL('../../../tools/sushy/ensure.sh', import.meta.url));

export interface FakeSystem {
  uuid: string;
  name: string;
  powerState?: 'On' | 'Off';
  nics?: { mac: string; ip?: string }[];
}

export interface SushyEmulatorOptions {
  systems: FakeSystem[];
  username: string;
  password: string;
}

/** A free TCP port on the loopback address (closed again; the emulator binds it right after). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export class SushyEmulator {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
    /** PEM of the emulator's self-signed certificate. */
    readonly certificate: string,
    private readonly authorization: string,
    private readonly output: () => string,
  ) {}

  /** `https://127.0.0.1:<port>`. */
  get endpoint(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** The BaremetalHost address of a system: `redfish+https://127.0.0.1:<port>/redfish/v1/Systems/<uuid>`. */
  address(uuid: string): string {
    return `redfish+https://127.0.0.1:${this.port}/redfish/v1/Systems/${uuid}`;
  }

  static async start(options: SushyEmulatorOptions): Promise<SushyEmulator> {
    const tools = JSON.parse(
      execFileSync('bash', [ENSURE], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
    ) as { sushyEmulator: string; python: string };
    const dir = mkdtempSync(join(tmpdir(), 'sushy-'));
    try {
      const cert = join(dir, 'bmc.crt');
      const key = join(dir, 'bmc.key');
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '2',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          key,
          '-out',
          cert,
        ],
        { stdio: 'ignore' },
      );
      // The emulator takes bcrypt digests only; the password goes in on standard input, not argv.
      const digest = execFileSync(
        tools.python,
        [
          '-c',
          'import bcrypt,sys; print(bcrypt.hashpw(sys.stdin.read().encode(), bcrypt.gensalt(4)).decode())',
        ],
        { input: options.password, encoding: 'utf8' },
      ).trim();
      const htpasswd = join(dir, 'htpasswd');
      writeFileSync(htpasswd, `${options.username}:${digest}\n`, { mode: 0o600 });
      const port = await freePort();
      const systems = options.systems.map((system) => ({
        uuid: system.uuid,
        name: system.name,
        power_state: system.powerState ?? 'Off',
        nics: system.nics ?? [],
      }));
      const config = join(dir, 'emulator.conf');
      writeFileSync(
        config,
        [
          `SUSHY_EMULATOR_LISTEN_IP = '127.0.0.1'`,
          `SUSHY_EMULATOR_LISTEN_PORT = ${port}`,
          `SUSHY_EMULATOR_SSL_CERT = ${JSON.stringify(cert)}`,
          `SUSHY_EMULATOR_SSL_KEY = ${JSON.stringify(key)}`,
          `SUSHY_EMULATOR_AUTH_FILE = ${JSON.stringify(htpasswd)}`,
          'SUSHY_EMULATOR_FAKE_DRIVER = True',
          // Its state (sqlite) in this run's folder, not the shared default under the temporary directory.
          `SUSHY_EMULATOR_STATE_DIR = ${JSON.stringify(join(dir, 'state'))}`,
          `SUSHY_EMULATOR_FAKE_SYSTEMS = ${JSON.stringify(systems).replaceAll('true', 'True').replaceAll('false', 'False')}`,
          '',
        ].join('\n'),
      );
      let output = '';
      const child = spawn(tools.sushyEmulator, ['--config', config], {
        stdio: ['ignore', 'pipe', 'pipe'],
        // Inserted media are downloaded to the temporary directory: this run's folder, removed at stop.
        env: { ...process.env, PYTHONUNBUFFERED: '1', TMPDIR: dir },
      });
      const keep = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-20_000);
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      const authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
      const emulator = new SushyEmulator(
        child,
        dir,
        port,
        readFileSync(cert, 'utf8'),
        authorization,
        () => output,
      );
      await emulator.waitReady();
      return emulator;
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The emulator's log so far (request lines; never a header). */
  log(): string {
    return this.output();
  }

  /** GETs a Redfish path with the emulator's credentials, trusting its certificate only. */
  async get<T>(path: string, authorization = this.authorization): Promise<{ status: number; body: T }> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.endpoint}${path}`,
        { method: 'GET', ca: this.certificate, headers: { authorization, accept: 'application/json' } },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          res.on('end', () => {
            let body: unknown;
            try {
              body = JSON.parse(text);
            } catch {
              body = text;
            }
            resolve({ status: res.statusCode ?? 0, body: body as T });
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  private async waitReady(): Promise<void> {
    for (let attempt = 0; attempt < 300; attempt++) {
      if (this.child.exitCode !== null)
        throw new Error(`sushy-emulator exited with ${this.child.exitCode}:\n${this.output()}`);
      const answered = await this.get('/redfish/v1/').then(
        (answer) => answer.status > 0,
        () => false,
      );
      if (answered) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`sushy-emulator did not answer on port ${this.port}:\n${this.output()}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
