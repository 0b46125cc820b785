import { randomUUID } from 'node:crypto';
import { Customer } from '../../src/entities/customer.entity';
import { DiscountCode } from '../../src/entities/discount-code.entity';
import { Notification } from '../../src/entities/notification.entity';
import { Order, OrderStatus } from '../../src/entities/order.entity';
import { Payment, PaymentStatus } from '../../src/entities/payment.entity';
import { createDiscountCode } from '../../src/services/discount.service';
import { createOrder } from '../../src/services/order.service';
import { buildCustomer, setCardSettings } from '../factories/commerce';
import { startLifecycleWorld, type LifecycleWorld } from '../helpers/lifecycle';

describe('expire_payments', () => {
  let w: LifecycleWorld;
  beforeAll(async () => {
    w = await startLifecycleWorld();
    await setCardSettings(w.orm);
  });
  afterAll(async () => {
    await w.close();
  });

  const sql = (q: string, params: unknown[] = []) => w.orm.em.fork().getConnection().execute(q, params);

  async function cardOrder(discountCode?: string): Promise<{ order: Order; payment: Payment; customer: Customer }> {
    const customer = await buildCustomer(w.orm);
    const order = await w.orm.em.fork().transactional((em) =>
      createOrder(em, { provisionMaxAttempts: 3 }, {
        customer: em.merge(customer),
        principal: `test:${customer.id}`,
        actor: 'test',
        idempotencyKey: randomUUID(),
        order: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD', discountCode },
      }),
    );
    const payment = await w.orm.em.fork().findOneOrFail(Payment, { order: order.id });
    return { order, payment, customer };
  }

  it('expires an unpaid card payment past its deadline once: order cancelled, discount given back, customer told once', async () => {
    const code = await w.orm.em.fork().transactional((em) => createDiscountCode(em, { code: `EXP${randomUUID().slice(0, 6)}`, percent: 10, maxUses: 5 }));
    const { order, payment, customer } = await cardOrder(code.code);
    expect((await w.orm.em.fork().findOneOrFail(DiscountCode, code.id)).used).toBe(1);
    await sql(`update payment set expires_at = now() - interval '1 minute' where id = ?`, [payment.id]);

    await w.run('expire_payments');
    await w.run('expire_payments');

    const em = w.orm.em.fork();
    expect((await em.findOneOrFail(Payment, payment.id)).status).toBe(PaymentStatus.EXPIRED);
    expect((await em.findOneOrFail(Order, order.id)).status).toBe(OrderStatus.CANCELLED);
    expect((await em.findOneOrFail(DiscountCode, code.id)).used).toBe(0);
    const notes = await em.find(Notification, { kind: 'PAYMENT_EXPIRED', recipientTelegramId: customer.telegramId });
    expect(notes).toHaveLength(1);
    expect(notes[0].params).toEqual({ orderId: order.id, orderNumber: order.number });
    await w.drain('send_notification');
    expect(w.sentTo(customer.telegramId!)).toHaveLength(1);
  });

  it('leaves payments before their deadline and receipts already submitted for review', async () => {
    const open = await cardOrder();
    const submitted = await cardOrder();
    await sql(`update payment set status = 'SUBMITTED', submitted_at = now(), tracking_code = ?, expires_at = now() - interval '1 minute' where id = ?`, [
      `TRK${randomUUID().slice(0, 8)}`,
      submitted.payment.id,
    ]);
    await w.run('expire_payments');
    const em = w.orm.em.fork();
    expect((await em.findOneOrFail(Payment, open.payment.id)).status).toBe(PaymentStatus.PENDING);
    expect((await em.findOneOrFail(Payment, submitted.payment.id)).status).toBe(PaymentStatus.SUBMITTED);
    expect((await em.findOneOrFail(Order, submitted.order.id)).status).toBe(OrderStatus.PENDING_PAYMENT);
  });
});
