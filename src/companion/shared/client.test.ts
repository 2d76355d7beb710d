import { describe, expect, it } from 'vitest';
import { CompanionClient } from './client.js';
import { PROTOCOL_VERSION, SERVICE_NAME } from './protocol.js';

const answering = (body: object) => (async () => new Response(JSON.stringify(body), { status: 200 })) as typeof fetch;

describe('CompanionClient.status', () => {
  it('connects to a companion of the same protocol version', async () => {
    const client = CompanionClient.onPort('t', 1, answering({ service: SERVICE_NAME, protocol: PROTOCOL_VERSION }));
    expect((await client.status()).state).toBe('connected');
  });

  it('refuses another protocol version and a server that is not the companion', async () => {
    const newer = await CompanionClient.onPort('t', 1, answering({ service: SERVICE_NAME, protocol: PROTOCOL_VERSION + 1 })).status();
    expect(newer).toMatchObject({ state: 'refused', code: 'protocol-mismatch' });
    const other = await CompanionClient.onPort('t', 1, answering({ hello: 'world' })).status();
    expect(other).toMatchObject({ state: 'refused', code: 'not-companion' });
  });
});
