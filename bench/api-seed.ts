/** Seed data of `npm run bench:api`: 10 plans, 2 servers, a customer with 20 subscriptions and 60 paid orders, and the two keys. */
import { randomBytes, randomUUID } from 'node:crypto';
import { migrate } from '../src/db/database';
import { openOrm } from '../src/main/orm';
import { Customer } from '../src/entities/customer.entity';
import { Role } from '../src/entities/common';
import { Order, OrderKind, OrderStatus, PaymentMethod } from '../src/entities/order.entity';
import { Payment, PaymentStatus } from '../src/entities/payment.entity';
import { Plan } from '../src/entities/plan.entity';
import { Server, ServerKind, ServerStatus } from '../src/entities/server.entity';
import { Subscription, SubscriptionStatus } from '../src/entities/subscription.entity';
import { createApiKey } from '../src/services/api-key.service';

const GB = 1024 ** 3;

export async function seed(url: string): Promise<{ adminKey: string; botKey: string; telegramId: number; subToken: string; customerId: string }> {
  const orm = await openOrm(url, 2);
  try {
    await migrate(orm);
    const em = orm.em.fork();
    const plans = Array.from({ length: 10 }, (_, i) =>
      em.create(Plan, {
        code: `bench-${i}`,
        titleFa: `پلن ${i}`,
        titleEn: `Plan ${i}`,
        trafficBytes: (i + 1) * 10 * GB,
        durationDays: 30,
        price: (i + 1) * 50_000,
        serverGroup: 'default',
      }),
    );
    const servers = [0, 1].map((i) =>
      em.create(Server, {
        name: `bench-${i}`,
        kind: i === 0 ? ServerKind.SUI : ServerKind.XUI,
        baseUrl: `http://127.0.0.1:9/${i}`,
        credentialsEnc: 'unused',
        serverGroup: 'default',
        capacity: 1000,
        status: ServerStatus.HEALTHY,
      }),
    );
    const telegramId = 7_000_000_000 + Math.floor(Math.random() * 1e6);
    const customer = em.create(Customer, { telegramId, username: 'bench' });
    const subs = Array.from({ length: 20 }, (_, i) =>
      em.create(Subscription, {
        customer,
        plan: plans[i % 10]!,
        server: servers[i % 2]!,
        panelName: `bench-${randomUUID().slice(0, 8)}`,
        status: SubscriptionStatus.ACTIVE,
        trafficLimitBytes: 50 * GB,
        usedDownBytes: i * GB,
        expiresAt: new Date(Date.now() + 20 * 86_400_000),
        links: [`vless://${randomUUID()}@example.com:443?type=tcp#bench-${i}`, `trojan://${randomBytes(8).toString('hex')}@example.com:443#bench-${i}`],
        inboundIds: ['1', '2'],
        activatedAt: new Date(),
      }),
    );
    for (let i = 0; i < 60; i++) {
      const plan = plans[i % 10]!;
      const order = em.create(Order, {
        number: 100_000 + i,
        customer,
        plan,
        kind: OrderKind.NEW,
        status: OrderStatus.FULFILLED,
        paymentMethod: PaymentMethod.CARD_TO_CARD,
        price: plan.price,
        amountDue: plan.price,
        principal: `tg:${telegramId}`,
        idempotencyKey: randomUUID(),
        subscription: subs[i % 20]!,
        paidAt: new Date(),
        fulfilledAt: new Date(),
      });
      em.create(Payment, { order, method: PaymentMethod.CARD_TO_CARD, amount: plan.price, payableAmount: plan.price + i, status: PaymentStatus.APPROVED });
    }
    await em.flush();
    const admin = await createApiKey(em, { name: 'bench admin', role: Role.ADMIN }, 'bench');
    const bot = await createApiKey(em, { name: 'bench bot', role: Role.USER_BOT }, 'bench');
    return { adminKey: admin.secret, botKey: bot.secret, telegramId, subToken: subs[0]!.subToken, customerId: customer.id };
  } finally {
    await orm.close(true);
  }
}
