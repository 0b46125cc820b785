import { randomBytes } from 'node:crypto';
import type { PanelAdapter } from '../../src/clients/panel.types';
import { SecretBox } from '../../src/crypto';
import { Server, ServerKind } from '../../src/entities/server.entity';
import { PanelRegistry } from '../../src/services/panel-registry';

function server(credentialsEnc: string, overrides: Partial<Server> = {}): Server {
  return Object.assign(new Server(), { name: 's', kind: ServerKind.SUI, baseUrl: 'https://p/app/', credentialsEnc, ...overrides });
}

describe('panel registry', () => {
  it('skips TLS verification only for servers marked as self-signed, and keeps one adapter per unchanged server', () => {
    const secrets = new SecretBox(randomBytes(32));
    const calls: Array<{ rejectUnauthorized?: boolean; apiToken?: string }> = [];
    const registry = new PanelRegistry(
      (conn, opts) => {
        calls.push({ rejectUnauthorized: opts?.rejectUnauthorized, apiToken: conn.apiToken });
        return { close: async () => {} } as unknown as PanelAdapter;
      },
      secrets,
    );
    const strict = server(secrets.encryptJson({ apiToken: 'a' }));
    const selfSigned = server(secrets.encryptJson({ apiToken: 'b' }), { tlsVerify: false });
    const a1 = registry.adapterFor(strict);
    const a2 = registry.adapterFor(strict);
    registry.adapterFor(selfSigned);
    expect(a1).toBe(a2);
    expect(calls).toEqual([
      { rejectUnauthorized: true, apiToken: 'a' },
      { rejectUnauthorized: false, apiToken: 'b' },
    ]);
    strict.tlsVerify = false;
    expect(registry.adapterFor(strict)).not.toBe(a1);
  });
});
