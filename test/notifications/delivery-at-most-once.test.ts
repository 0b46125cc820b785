import type { MikroORM } from '@mikro-orm/postgresql';
import { randomInt, randomUUID } from 'node:crypto';
import { createTelegramSender } from '../../src/clients/telegram.client';
import type { TelegramSender } from '../../src/clients/telegram.types';
import { Notification, NotificationStatus } from '../../src/entities/notification.entity';
import sendNotification from '../../src/jobs/send_notification';
import { CHANNEL_OF } from '../../src/notifications/notification.queue';
import type { AppServices } from '../../src/services/app-services';
import { buildCustomer } from '../factories/commerce';
import { openTestOrm } from '../helpers/db';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram';
import { runJob } from '../helpers/jobs';
import { testServices } from '../helpers/services';

// Shaped like a bot token but never matching a real token's pattern (secrets scan).
const USER_TOKEN = '303:user-bot-token-for-at-most-once-tests';

describe('notification delivery is at most once per row', () => {
  let orm: MikroORM;
  let fake: FakeTelegram;
  let real: TelegramSender;

  beforeAll(async () => {
    orm = await openTestOrm(4);
    fake = await startFakeTelegram({ tokens: [USER_TOKEN] });
    real = createTelegramSender({ apiRoot: fake.apiRoot, tokens: { USER_BOT: USER_TOKEN }, timeoutSeconds: 5 });
  });
  afterAll(async () => {
    await fake.close();
    await orm.close(true);
  });

  async function queued(telegramId: number): Promise<Notification> {
    const em = orm.em.fork();
    const n = em.create(Notification, { channel: CHANNEL_OF.PAYMENT_EXPIRED, recipientTelegramId: telegramId, kind: 'PAYMENT_EXPIRED', params: { orderId: randomUUID(), orderNumber: 88 } });
    await em.flush();
    return n;
  }

  const run = (n: Notification, services: AppServices, attempt = 1): Promise<unknown> =>
    runJob(orm, services, { id: String(randomInt(1, 2 ** 40)), task: 'send_notification', payload: { notificationId: n.id }, attempts: attempt - 1, maxAttempts: 10 }, [sendNotification]);

  it('never sends again when the worker died after Telegram took the message but before it was recorded', async () => {
    const customer = await buildCustomer(orm);
    const n = await queued(customer.telegramId!);
    // The message reaches Telegram, then the process dies before it can record that (SIGKILL).
    const dying: TelegramSender = {
      isConfigured: (c) => real.isConfigured(c),
      edit: (...a) => real.edit(...a),
      send: async (...a) => {
        await real.send(...a);
        throw new Error('worker killed right after the send');
      },
    };
    expect(await run(n, testServices(orm, { telegram: dying }))).toBeInstanceOf(Error);
    expect(fake.sentTo(customer.telegramId!)).toHaveLength(1);
    expect((await orm.em.fork().findOneOrFail(Notification, n.id)).status).toBe(NotificationStatus.SENDING);

    // The job runs again (graphile-worker retries it, twice here): nothing more is sent.
    const healthy = testServices(orm, { telegram: real });
    expect(await run(n, healthy, 2)).toBeUndefined();
    expect(await run(n, healthy, 3)).toBeUndefined();
    expect(fake.sentTo(customer.telegramId!)).toHaveLength(1);
    expect((await orm.em.fork().findOneOrFail(Notification, n.id)).status).toBe(NotificationStatus.SENDING);
  });

  it('claims the row before the send and records the Telegram message id after it', async () => {
    const customer = await buildCustomer(orm);
    const n = await queued(customer.telegramId!);
    let statusDuringSend: NotificationStatus | null = null;
    const watching: TelegramSender = {
      isConfigured: (c) => real.isConfigured(c),
      edit: (...a) => real.edit(...a),
      send: async (...a) => {
        statusDuringSend = (await orm.em.fork().findOneOrFail(Notification, n.id)).status;
        return real.send(...a);
      },
    };
    const services = testServices(orm, { telegram: watching });
    expect(await run(n, services)).toBeUndefined();
    expect(await run(n, services)).toBeUndefined();
    expect(statusDuringSend).toBe(NotificationStatus.SENDING);
    const row = await orm.em.fork().findOneOrFail(Notification, n.id);
    expect(row.status).toBe(NotificationStatus.SENT);
    expect(row.telegramMessageId).toEqual(expect.any(Number));
    expect(fake.sentTo(customer.telegramId!)).toHaveLength(1);
  });
});
