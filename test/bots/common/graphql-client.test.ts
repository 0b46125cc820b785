import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Role } from '../../../src/entities/common';
import { API_UNAVAILABLE, BotApiError, GraphqlClient } from '../../../src/bots/common/graphql-client';
import { makeKey, startTestApi, type TestApi } from '../../helpers/api';
import { randomTelegramId } from '../../helpers/ids';

describe('the bots GraphQL client', () => {
  let t: TestApi;
  let key: string;

  beforeAll(async () => {
    t = await startTestApi();
    key = await makeKey(t.orm, Role.USER_BOT);
  });
  afterAll(() => t.close());

  it('acts for the Telegram user it is bound to, with the bot key', async () => {
    const seen: Array<string | undefined> = [];
    const client = new GraphqlClient({ apiUrl: `${t.url}/`, apiKey: key, onRequest: (op) => seen.push(op) });
    const tg = randomTelegramId();
    const user = client.forUser(tg);
    const reg = await user.request<{ registerTelegramUser: { telegramId: string } }, { username: string }>(
      'mutation Register($username: String) { registerTelegramUser(input: { username: $username }) { telegramId } }',
      { username: 'buyer' },
    );
    expect(String(reg.registerTelegramUser.telegramId)).toBe(String(tg));
    const me = await user.request<{ myCustomer: { telegramId: string } }, Record<string, never>>('query Me { myCustomer { telegramId } }');
    expect(String(me.myCustomer.telegramId)).toBe(String(tg));
    expect(seen).toEqual(['Register', 'Me']);
  });

  it('turns an API error into its stable code, never a raw message for users', async () => {
    const client = new GraphqlClient({ apiUrl: t.url, apiKey: 'not-a-key' });
    const err = await client.request('query { myCustomer { id } }', {}, { telegramUserId: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BotApiError);
    expect((err as BotApiError).code).toBe('UNAUTHENTICATED');
  });

  it('reports an unreachable or non-GraphQL API as API_UNAVAILABLE', async () => {
    const down = new GraphqlClient({ apiUrl: 'http://127.0.0.1:1', apiKey: key, timeoutMs: 2000 });
    await expect(down.request('query { plans { id } }')).rejects.toMatchObject({ code: API_UNAVAILABLE });

    const html = createServer((_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>'));
    await new Promise<void>((r) => html.listen(0, '127.0.0.1', r));
    try {
      const port = (html.address() as AddressInfo).port;
      const proxy = new GraphqlClient({ apiUrl: `http://127.0.0.1:${port}`, apiKey: key });
      await expect(proxy.request('query { plans { id } }')).rejects.toMatchObject({ code: API_UNAVAILABLE });
    } finally {
      await new Promise((r) => html.close(r));
    }
  });
});
