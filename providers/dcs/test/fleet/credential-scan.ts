import { createHash } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';

/**
 * What a chromium page received, byte for byte, for a credential scan that
 * sees everything: every response's body as the network layer handed it to
 * the page (through the DevTools protocol: streamed as it arrives, so an event
 * stream that never ends and a body cut off half-way are read too), each
 * server-sent event message, and every response's headers. A response whose
 * body could not be read, or one the page saw that this record did not,
 * fails the scan: a body nobody read is not a clean body.
 */
export class BrowserReceipts {
  private readonly records = new Map<string, ReceivedResponse>();
  /** Bodies Playwright handed over too (a second view of the same bytes). */
  private readonly playwrightBodies: Promise<{ url: string; body: string } | undefined>[] = [];
  /** URLs of every response the page reported, with how many times. */
  private readonly seenByPage = new Map<string, number>();
  private readonly pending: Promise<unknown>[] = [];
  private readonly messages: { url: string; data: string }[] = [];

  private constructor(private readonly sentByServer?: (url: string) => string[] | undefined) {}

  /**
   * `sentByServer` gives the server's own copy of what it sent for a URL: used only for a request
   * the page dropped (it navigated away, or let go of a cancelled query) before its body could be
   * streamed or read back, whose bytes the browser can hold no more of than the server sent.
   * Without it such a request is a hole.
   */
  static async attach(
    context: BrowserContext,
    page: Page,
    sentByServer?: (url: string) => string[] | undefined,
  ): Promise<BrowserReceipts> {
    const receipts = new BrowserReceipts(sentByServer);
    const devtools = await context.newCDPSession(page);
    // Large buffers, so a finished body is still there when it is asked for.
    await devtools.send('Network.enable', {
      maxTotalBufferSize: 512 * 1024 * 1024,
      maxResourceBufferSize: 64 * 1024 * 1024,
    });
    const { records } = receipts;
    devtools.on('Network.responseReceived', (event) => {
      const record: ReceivedResponse = {
        url: event.response.url,
        status: event.response.status,
        headers: JSON.stringify(event.response.headers),
        chunks: [],
        state: 'streaming',
      };
      records.set(event.requestId, record);
      // From now on each chunk arrives with its bytes; what came before is handed over at once.
      receipts.pending.push(
        devtools.send('Network.streamResourceContent', { requestId: event.requestId }).then(
          ({ bufferedData }) => {
            record.chunks.unshift(Buffer.from(bufferedData, 'base64'));
          },
          async (error: Error) => {
            // The page let go of it before its body could be read: what the server sent reached the page.
            const useServerCopy = (message: string, dropped: RegExp) => {
              const sent = dropped.test(message) ? receipts.sentByServer?.(record.url) : undefined;
              if (!sent) return false;
              record.chunks = sent.map((body) => Buffer.from(body));
              record.state = 'dropped by the page; the server’s copy';
              return true;
            };
            if (useServerCopy(error.message, /does not exist/)) return;
            if (!/already finished loading/.test(error.message)) {
              record.state = `unreadable: ${error.message}`;
              return;
            }
            // It arrived whole before streaming could start: ask for the body it keeps.
            try {
              const { body, base64Encoded } = await devtools.send('Network.getResponseBody', {
                requestId: event.requestId,
              });
              record.chunks = [Buffer.from(body, base64Encoded ? 'base64' : 'utf8')];
              record.state = 'complete';
            } catch (bodyError) {
              // Dropped between the two calls (say a cancelled query).
              if (useServerCopy((bodyError as Error).message, /No resource with given identifier/)) return;
              record.state = NO_BODY.has(record.status)
                ? 'complete'
                : `unreadable: ${(bodyError as Error).message}`;
            }
          },
        ),
      );
    });
    devtools.on('Network.dataReceived', (event) => {
      const record = records.get(event.requestId);
      if (record && event.data) record.chunks.push(Buffer.from(event.data, 'base64'));
    });
    devtools.on('Network.loadingFinished', (event) => {
      const record = records.get(event.requestId);
      if (record?.state === 'streaming') record.state = 'complete';
    });
    devtools.on('Network.loadingFailed', (event) => {
      // What arrived before the failure reached the page all the same, and is scanned.
      const record = records.get(event.requestId);
      if (record?.state === 'streaming') record.state = `cut off: ${event.errorText}`;
    });
    devtools.on('Network.eventSourceMessageReceived', (event) => {
      receipts.messages.push({ url: `event-stream ${event.eventName}`, data: event.data });
    });
    page.on('response', (response) => {
      const url = response.url();
      receipts.seenByPage.set(url, (receipts.seenByPage.get(url) ?? 0) + 1);
      // The event stream never ends, so Playwright never has its body; the stream above reads it.
      if ((response.headers()['content-type'] ?? '').includes('text/event-stream')) return;
      receipts.playwrightBodies.push(
        response.body().then(
          (body) => ({ url, body: body.toString('utf8') }),
          () => undefined,
        ),
      );
    });
    return receipts;
  }

  /**
   * Waits (a few seconds at most) until the record has caught up with the page: each response the
   * page reported has its record, and each record's body has been asked for. The DevTools events
   * and the page's own may arrive in either order.
   */
  async settled(): Promise<void> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const asked = this.pending.length;
      await Promise.allSettled(this.pending);
      const recorded = new Map<string, number>();
      for (const r of this.records.values()) recorded.set(r.url, (recorded.get(r.url) ?? 0) + 1);
      const behind = [...this.seenByPage].some(([url, count]) => (recorded.get(url) ?? 0) < count);
      if ((!behind && asked === this.pending.length) || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Every body received so far (event streams as far as they got), with where it came from. */
  async bodies(): Promise<{ url: string; body: string }[]> {
    await this.settled();
    return [
      ...[...this.records.values()].map((r) => ({
        url: r.url,
        body: Buffer.concat(r.chunks).toString('utf8'),
      })),
      ...(await Promise.all(this.playwrightBodies)).filter((b) => b !== undefined),
      ...this.messages.map((m) => ({ url: m.url, body: m.data })),
    ];
  }

  /** How many server-sent event messages the page's EventSources received. */
  get eventMessages(): number {
    return this.messages.length;
  }

  /** Bytes received on event streams (their comments and heartbeats included). */
  streamed(): { url: string; body: string }[] {
    return [...this.records.values()]
      .filter((r) => /text\/event-stream/i.test(r.headers))
      .map((r) => ({ url: r.url, body: Buffer.concat(r.chunks).toString('utf8') }));
  }

  /**
   * Why the record is not the whole of what the page received: a body that
   * could not be read, or a response the page saw that the record has not.
   */
  async holes(): Promise<string[]> {
    await this.settled();
    const holes = [...this.records.values()]
      .filter((r) => r.state.startsWith('unreadable'))
      .map((r) => `${r.url}: ${r.state}`);
    const recorded = new Map<string, number>();
    for (const r of this.records.values()) recorded.set(r.url, (recorded.get(r.url) ?? 0) + 1);
    for (const [url, count] of this.seenByPage)
      if ((recorded.get(url) ?? 0) < count) holes.push(`${url}: the page received it, the record did not`);
    return holes;
  }

  /**
   * Each place a received body, event or header carried a form of one of
   * `secrets` (see credentialForms); `sessionSecrets` (a bearer token, a
   * session cookie) are looked for in bodies and events only, since the
   * sign-in's Set-Cookie header rightly carries the session; `addresses`
   * (the endpoint) in every form but their SHA-256, which a DCSMachine's
   * status records on purpose, to tell when the Secret names another VRM.
   */
  async carriers(
    secrets: readonly string[],
    sessionSecrets: readonly string[] = [],
    addresses: readonly string[] = [],
  ): Promise<string[]> {
    const forms = [...credentialForms(secrets), ...credentialForms(addresses, { sha256: false })];
    const bodyForms = [...forms, ...credentialForms(sessionSecrets)];
    const found: string[] = [];
    for (const { url, body } of await this.bodies())
      for (const form of bodyForms) if (body.includes(form.text)) found.push(`${url} carries ${form.label}`);
    for (const record of this.records.values())
      for (const form of forms)
        if (record.headers.includes(form.text)) found.push(`${record.url} (headers) carries ${form.label}`);
    return found;
  }

  /**
   * Throws unless every byte the page received was read and none carried a
   * form of `secrets` or `sessionSecrets` (see carriers).
   */
  async expectNoCredential(
    secrets: readonly string[],
    sessionSecrets: readonly string[] = [],
    addresses: readonly string[] = [],
  ): Promise<void> {
    const holes = await this.holes();
    if (holes.length > 0)
      throw new Error(`the scan could not see everything the page received:\n${holes.join('\n')}`);
    const found = await this.carriers(secrets, sessionSecrets, addresses);
    if (found.length > 0) throw new Error(`a credential reached the browser:\n${found.join('\n')}`);
  }
}

const NO_BODY = new Set([101, 204, 205, 304]);

interface ReceivedResponse {
  url: string;
  status: number;
  headers: string;
  chunks: Buffer[];
  /** streaming, complete, `cut off: <why>` (scanned as far as it came) or `unreadable: <why>`. */
  state: string;
}

interface Form {
  text: string;
  label: string;
}

/**
 * The forms in which a credential value can travel in text: as is, JSON-escaped, URL-encoded (both
 * ways), as its SHA-256 in hex (DCS logs in with that), and base64 and base64url at each of the three
 * alignments it can have inside a longer encoded text (only the characters that depend on the value
 * alone, so it is found wherever it sits). Values shorter than 6 characters would match ordinary
 * words and are left out.
 */
export function credentialForms(values: readonly string[], options: { sha256?: boolean } = {}): Form[] {
  const forms = new Map<string, string>();
  const add = (text: string, label: string) => {
    if (text.length >= 6 && !forms.has(text)) forms.set(text, label);
  };
  for (const [index, value] of values.entries()) {
    if (value.length < 6) continue;
    const name = `value ${index + 1} (${value.slice(0, 3)}…)`;
    add(value, `${name} as is`);
    add(JSON.stringify(value).slice(1, -1), `${name} JSON-escaped`);
    add(encodeURIComponent(value), `${name} URL-encoded`);
    add(new URLSearchParams({ v: value }).toString().slice(2), `${name} form-encoded`);
    if (options.sha256 !== false) {
      const sha = createHash('sha256').update(value, 'utf8').digest('hex');
      add(sha, `${name} SHA-256`);
      add(sha.toUpperCase(), `${name} SHA-256`);
    }
    const bytes = Buffer.from(value, 'utf8');
    for (const offset of [0, 1, 2]) {
      const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
      // Skip the characters that mix in the bytes before it; keep whole groups of four after.
      const start = [0, 2, 3][offset] as number;
      const end = Math.floor((offset + bytes.length) / 3) * 4;
      const core = encoded.slice(start, end);
      add(core, `${name} base64`);
      add(core.replace(/\+/g, '-').replace(/\//g, '_'), `${name} base64url`);
    }
  }
  return [...forms].map(([text, label]) => ({ text, label }));
}
