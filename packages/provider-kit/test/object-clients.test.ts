import { describe, expect, it } from 'vitest';
import { ObjectClients } from '../src/index.js';

class FakeClient {
  closed = 0;
  constructor(readonly made: string) {}
  async close() {
    this.closed += 1;
  }
}

const host = (uid: string | undefined, name = 'host-1') => ({ metadata: { uid, namespace: 'ns', name } });

describe('ObjectClients', () => {
  it('keeps one client per object while its parts stay the same', () => {
    const clients = new ObjectClients<FakeClient>();
    const first = clients.for(host('a'), ['https://bmc', 'root', 'pw'], () => new FakeClient('first'));
    const again = clients.for(host('a'), ['https://bmc', 'root', 'pw'], () => new FakeClient('again'));
    expect(again).toBe(first);
    const other = clients.for(host('b'), ['https://bmc', 'root', 'pw'], () => new FakeClient('other'));
    expect(other).not.toBe(first);
  });

  it('replaces and closes the client once a part changes, and closes it on drop', async () => {
    const clients = new ObjectClients<FakeClient>();
    const first = clients.for(host('a'), ['https://bmc', 'root', 'pw'], () => new FakeClient('first'));
    const second = clients.for(host('a'), ['https://bmc', 'root', 'new'], () => new FakeClient('second'));
    expect(second.made).toBe('second');
    expect(first.closed).toBe(1);
    await clients.drop(host('a'));
    expect(second.closed).toBe(1);
    await clients.drop(host('a'));
    expect(second.closed).toBe(1);
    expect(clients.for(host('a'), ['https://bmc', 'root', 'new'], () => new FakeClient('third')).made).toBe(
      'third',
    );
  });

  it('keys an object without a UID by namespace and name', () => {
    const clients = new ObjectClients<FakeClient>();
    const first = clients.for(host(undefined), ['x'], () => new FakeClient('first'));
    expect(clients.for(host(undefined), ['x'], () => new FakeClient('again'))).toBe(first);
    expect(clients.for(host(undefined, 'host-2'), ['x'], () => new FakeClient('other')).made).toBe('other');
  });
});
