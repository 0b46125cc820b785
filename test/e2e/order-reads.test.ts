import { Order } from '../../src/entities/order.entity';
import { Payment } from '../../src/entities/payment.entity';
import { CREATE_ORDER, newKey, startWorld, type World } from '../helpers/world';

const FIELDS = `id number kind status customerId subscriptionId price discount amountDue paymentMethod failureReason attempt createdAt paidAt fulfilledAt
  plan { id code titleFa titleEn trafficBytes durationDays deviceLimit price active sortOrder isTrial serverGroup protocols renewalTraffic }
  payment { id method status amount payableAmount expiresAt cardNumber cardHolder receiptId trackingCode submittedAt reviewedAt rejectReason }`;

type OrderNode = Record<string, unknown> & { id: string; payment: Record<string, unknown> | null; plan: Record<string, unknown> | null };

/**
 * `orders` and `order` read plain rows (src/services/order.read.ts): what they answer is what the
 * order, its plan and its payment hold, as the entities read them.
 */
describe('order reads', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => {
    await w.close();
  });

  /** What the entities hold, in the API's shape. */
  async function expected(id: string): Promise<OrderNode> {
    const o = await w.t.orm.em.fork().findOneOrFail(Order, { id }, { populate: ['plan'] });
    const p = await w.t.orm.em.fork().findOneOrFail(Payment, { order: id });
    const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : null);
    const open = p.method === 'CARD_TO_CARD' && (p.status === 'PENDING' || p.status === 'SUBMITTED');
    return {
      id: o.id,
      number: o.number,
      kind: o.kind,
      status: o.status,
      customerId: o.customer.id,
      subscriptionId: o.subscription?.id ?? null,
      price: o.price,
      discount: o.discount,
      amountDue: o.amountDue,
      paymentMethod: o.paymentMethod,
      failureReason: o.failureReason ?? null,
      attempt: o.attempt,
      createdAt: o.createdAt.toISOString(),
      paidAt: iso(o.paidAt),
      fulfilledAt: iso(o.fulfilledAt),
      plan: o.plan
        ? {
            id: o.plan.id,
            code: o.plan.code,
            titleFa: o.plan.titleFa,
            titleEn: o.plan.titleEn,
            trafficBytes: o.plan.trafficBytes,
            durationDays: o.plan.durationDays,
            deviceLimit: o.plan.deviceLimit,
            price: o.plan.price,
            active: o.plan.active,
            sortOrder: o.plan.sortOrder,
            isTrial: o.plan.isTrial,
            serverGroup: o.plan.serverGroup,
            protocols: o.plan.protocols,
            renewalTraffic: o.plan.renewalTraffic,
          }
        : null,
      payment: {
        id: p.id,
        method: p.method,
        status: p.status,
        amount: p.amount,
        payableAmount: p.payableAmount ?? null,
        expiresAt: iso(p.expiresAt),
        cardNumber: open ? '6037 9911 2233 4455' : null,
        cardHolder: open ? expect.any(String) : null,
        receiptId: p.receipt?.id ?? null,
        trackingCode: p.trackingCode ?? null,
        submittedAt: iso(p.submittedAt),
        reviewedAt: iso(p.reviewedAt),
        rejectReason: p.rejectReason ?? null,
      },
    };
  }

  it('lists a customer’s orders newest first with plan and payment as stored, for staff and for the customer’s bot', async () => {
    const tg = await w.newUser();
    const card = await w.asUser<{ createOrder: { id: string; customerId: string } }>(tg, CREATE_ORDER.replace('id number', 'id customerId number'), {
      i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' },
      k: newKey(),
    });
    expect(card.errors).toBeUndefined();
    const topUp = await w.asUser<{ createOrder: { id: string } }>(tg, CREATE_ORDER, { i: { kind: 'TOP_UP', amount: 20_000, paymentMethod: 'CARD_TO_CARD' }, k: newKey() });
    const approve = await w.asAdmin('mutation($id: ID!) { approvePayment(paymentId: $id) { status } }', {
      id: (await expected(topUp.data!.createOrder.id)).payment!.id,
    });
    expect(approve.errors).toBeUndefined();
    const customerId = card.data!.createOrder.customerId;

    const staff = await w.asAdmin<{ orders: { nodes: OrderNode[] } }>(`query($c: ID!) { orders(customerId: $c, first: 10) { nodes { ${FIELDS} } } }`, { c: customerId });
    expect(staff.errors).toBeUndefined();
    expect(staff.data!.orders.nodes).toEqual([await expected(topUp.data!.createOrder.id), await expected(card.data!.createOrder.id)]);
    const own = await w.asUser<{ orders: { nodes: OrderNode[] } }>(tg, `{ orders(first: 10) { nodes { ${FIELDS} } } }`);
    expect(own.data!.orders.nodes).toEqual(staff.data!.orders.nodes);
  });

  it('opens one order with plan and payment as stored; an unknown or malformed id reads as none', async () => {
    const tg = await w.newUser();
    const res = await w.asUser<{ createOrder: { id: string } }>(tg, CREATE_ORDER, { i: { kind: 'NEW', planId: w.plan.id, paymentMethod: 'CARD_TO_CARD' }, k: newKey() });
    const id = res.data!.createOrder.id;
    const one = await w.asAdmin<{ order: OrderNode }>(`query($id: ID!) { order(id: $id) { ${FIELDS} } }`, { id });
    expect(one.data!.order).toEqual(await expected(id));
    expect((await w.asUser<{ order: OrderNode }>(tg, `query($id: ID!) { order(id: $id) { id } }`, { id })).data!.order).toEqual({ id });
    for (const other of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const none = await w.asAdmin<{ order: unknown }>('query($id: ID!) { order(id: $id) { id } }', { id: other });
      expect(none.errors).toBeUndefined();
      expect(none.data).toEqual({ order: null });
    }
  });

  it('answers a staff list of a customer that does not exist with CUSTOMER_NOT_FOUND', async () => {
    const res = await w.asAdmin('{ orders(customerId: "00000000-0000-4000-8000-000000000000", first: 5) { nodes { id } } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('CUSTOMER_NOT_FOUND');
  });
});
