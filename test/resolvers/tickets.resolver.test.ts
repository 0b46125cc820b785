import { randomUUID } from 'node:crypto';
import { AdminRole, Role } from '../../src/entities/common';
import { Notification } from '../../src/entities/notification.entity';
import { Language } from '../../src/entities/customer.entity';
import { Ticket, TicketMessage } from '../../src/entities/ticket.entity';
import { renderNotification } from '../../src/notifications/notification.render';
import { addAdmin } from '../../src/services/admin.service';
import { MAX_OPEN_TICKETS } from '../../src/services/ticket.service';
import { buildPlan } from '../factories/commerce';
import { createDiscountCode } from '../../src/services/discount.service';
import { errorCode, makeKey, startTestApi, type TestApi } from '../helpers/api';
import { randomTelegramId } from '../helpers/ids';

const THREAD = 'id subject status customerId messages { author body }';

describe('support tickets API', () => {
  let t: TestApi;
  let userBot: string;
  let support: string;
  let adminBot: string;
  let adminTg: number;

  beforeAll(async () => {
    t = await startTestApi({ isolated: true });
    userBot = await makeKey(t.orm, Role.USER_BOT);
    support = await makeKey(t.orm, Role.SUPPORT);
    adminBot = await makeKey(t.orm, Role.ADMIN_BOT);
    adminTg = randomTelegramId();
    await addAdmin(t.orm.em.fork(), { telegramId: adminTg, role: AdminRole.SUPPORT });
  });
  afterAll(async () => {
    await t.close();
  });

  async function customer(): Promise<number> {
    const tg = randomTelegramId();
    const r = await t.gql('mutation { registerTelegramUser(input: { username: "c" }) { id } }', {}, { key: userBot, telegramId: tg });
    expect(r.errors).toBeUndefined();
    return tg;
  }
  const asUser = (tg: number, q: string, v?: Record<string, unknown>) => t.gql(q, v, { key: userBot, telegramId: tg });
  const notifications = async (kind: string, tg: number) => t.orm.em.fork().find(Notification, { kind, recipientTelegramId: tg }, { orderBy: { createdAt: 'asc' } });

  it('runs a round trip: open, staff list and read, reply (customer told), customer writes again, close', async () => {
    const tg = await customer();
    const opened = await asUser(tg, `mutation { openTicket(subject: "  Slow   tonight ", message: "Nothing loads") { ${THREAD} } }`);
    const ticket = (opened.data as { openTicket: { id: string; subject: string; status: string; messages: unknown[] } }).openTicket;
    expect(ticket).toMatchObject({ subject: 'Slow tonight', status: 'OPEN', messages: [{ author: 'CUSTOMER', body: 'Nothing loads' }] });
    expect((await notifications('ADMIN_TICKET_MESSAGE', adminTg)).some((n) => n.params.ticketId === ticket.id && n.params.isNew === true)).toBe(true);

    const open = await t.gql<{ tickets: Array<{ id: string }> }>('{ tickets { id subject } }', {}, { key: support });
    expect(open.data!.tickets.map((x) => x.id)).toContain(ticket.id);

    const reply = await t.gql(`mutation($id: ID!) { replyTicket(ticketId: $id, body: "Update the subscription <then> retry") { ${THREAD} } }`, { id: ticket.id }, { key: adminBot, telegramId: adminTg });
    expect(reply.errors).toBeUndefined();
    expect(reply.data).toMatchObject({ replyTicket: { status: 'ANSWERED', messages: [{ author: 'CUSTOMER' }, { author: 'ADMIN', body: 'Update the subscription <then> retry' }] } });
    const [told] = await notifications('TICKET_REPLY', tg);
    expect(told.params).toMatchObject({ ticketId: ticket.id, subject: 'Slow tonight' });
    const msg = await renderNotification(t.orm.em.fork(), told, Language.EN, { publicUrl: 'https://vpn.example.com' });
    expect(msg.html).toContain('Update the subscription &lt;then&gt; retry');
    expect(msg.buttons).toEqual([[{ text: '💬 Open the ticket', callbackData: `tkt:${ticket.id}` }]]);

    const more = await asUser(tg, `mutation($id: ID!) { writeTicketMessage(ticketId: $id, body: "Thanks, works") { status } }`, { id: ticket.id });
    expect(more.data).toEqual({ writeTicketMessage: { status: 'OPEN' } });
    const mine = await asUser(tg, `{ myTickets { id status messages { author } } }`);
    expect(mine.data).toEqual({ myTickets: [{ id: ticket.id, status: 'OPEN', messages: [{ author: 'CUSTOMER' }, { author: 'ADMIN' }, { author: 'CUSTOMER' }] }] });

    const closed = await asUser(tg, `mutation($id: ID!) { closeTicket(id: $id) { status } }`, { id: ticket.id });
    expect(closed.data).toEqual({ closeTicket: { status: 'CLOSED' } });
    const again = await asUser(tg, `mutation($id: ID!) { closeTicket(id: $id) { status } }`, { id: ticket.id });
    expect(again.data).toEqual({ closeTicket: { status: 'CLOSED' } });
    const late = await asUser(tg, `mutation($id: ID!) { writeTicketMessage(ticketId: $id, body: "hello?") { status } }`, { id: ticket.id });
    expect(errorCode(late)).toBe('TICKET_CLOSED');
    const lateReply = await t.gql(`mutation($id: ID!) { replyTicket(ticketId: $id, body: "x") { status } }`, { id: ticket.id }, { key: support });
    expect(errorCode(lateReply)).toBe('TICKET_CLOSED');
  });

  it("hides other customers' tickets and refuses bad input without writing anything", async () => {
    const a = await customer();
    const b = await customer();
    const opened = await asUser(a, 'mutation { openTicket(subject: "Mine", message: "private") { id } }');
    const id = (opened.data as { openTicket: { id: string } }).openTicket.id;
    for (const q of [`{ ticket(id: "${id}") { id } }`, `mutation { writeTicketMessage(ticketId: "${id}", body: "hi") { id } }`, `mutation { closeTicket(id: "${id}") { id } }`]) {
      expect(errorCode(await asUser(b, q))).toBe('TICKET_NOT_FOUND');
    }
    expect(errorCode(await t.gql(`{ ticket(id: "${randomUUID()}") { id } }`, {}, { key: support }))).toBe('TICKET_NOT_FOUND');
    const before = { t: await t.orm.em.fork().count(Ticket), m: await t.orm.em.fork().count(TicketMessage) };
    for (const q of ['mutation { openTicket(subject: "   ", message: "x") { id } }', `mutation { openTicket(subject: "s", message: "${'x'.repeat(4001)}") { id } }`, `mutation { openTicket(subject: "${'s'.repeat(121)}", message: "x") { id } }`]) {
      expect(errorCode(await asUser(b, q))).toBe('BAD_USER_INPUT');
    }
    expect({ t: await t.orm.em.fork().count(Ticket), m: await t.orm.em.fork().count(TicketMessage) }).toEqual(before);
  });

  it('limits the open tickets of one customer', async () => {
    const tg = await customer();
    for (let i = 0; i < MAX_OPEN_TICKETS; i++) expect((await asUser(tg, `mutation { openTicket(subject: "t${i}", message: "m") { id } }`)).errors).toBeUndefined();
    expect(errorCode(await asUser(tg, 'mutation { openTicket(subject: "one more", message: "m") { id } }'))).toBe('TICKET_LIMIT_REACHED');
  });

  it('opens one ticket for a repeated idempotency key (a double tap, a retried request, even at once) and tells the admins once', async () => {
    const tg = await customer();
    const other = await customer();
    const open = (user: number, key: string, subject = 'Double tap') =>
      asUser(user, `mutation($k: String) { openTicket(subject: "${subject}", message: "It does not connect", idempotencyKey: $k) { id subject } }`, { k: key });
    const key = `tg-msg:${tg}:4242`;
    const [a, b] = await Promise.all([open(tg, key), open(tg, key)]);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    const id = (a.data as { openTicket: { id: string } }).openTicket.id;
    expect((b.data as { openTicket: { id: string } }).openTicket.id).toBe(id);
    // A retry returns the first ticket as it was, whatever the retry carries.
    expect((await open(tg, key, 'Changed subject')).data).toEqual({ openTicket: { id, subject: 'Double tap' } });
    expect(await t.orm.em.fork().count(Ticket, { customer: { telegramId: tg } })).toBe(1);
    expect(await t.orm.em.fork().count(TicketMessage, { ticket: id })).toBe(1);
    expect((await notifications('ADMIN_TICKET_MESSAGE', adminTg)).filter((n) => n.params.ticketId === id)).toHaveLength(1);

    // Keys belong to one customer; a new key opens a new ticket; a bad key is refused.
    const theirs = (await open(other, key)).data as { openTicket: { id: string } };
    expect(theirs.openTicket.id).not.toBe(id);
    const next = (await open(tg, `tg-msg:${tg}:4243`)).data as { openTicket: { id: string } };
    expect(next.openTicket.id).not.toBe(id);
    expect(errorCode(await open(tg, 'short'))).toBe('BAD_USER_INPUT');
    expect(await t.orm.em.fork().count(Ticket, { customer: { telegramId: tg } })).toBe(2);
  });

  it('returns the ticket of a repeated key even when the customer is at the open-ticket limit', async () => {
    const tg = await customer();
    const first = await asUser(tg, 'mutation { openTicket(subject: "t0", message: "m", idempotencyKey: "key-of-t0") { id } }');
    for (let i = 1; i < MAX_OPEN_TICKETS; i++) expect((await asUser(tg, `mutation { openTicket(subject: "t${i}", message: "m") { id } }`)).errors).toBeUndefined();
    const retried = await asUser(tg, 'mutation { openTicket(subject: "t0", message: "m", idempotencyKey: "key-of-t0") { id } }');
    expect(retried.data).toEqual(first.data);
    expect(errorCode(await asUser(tg, 'mutation { openTicket(subject: "t5", message: "m", idempotencyKey: "key-of-t5") { id } }'))).toBe('TICKET_LIMIT_REACHED');
  });

  it('prices an order with a discount code without redeeming it, and refuses an invalid code', async () => {
    const tg = await customer();
    const plan = await buildPlan(t.orm, { price: 200_000 });
    await createDiscountCode(t.orm.em.fork(), { code: 'TEN', percent: 10, maxUses: 1 });
    const q = 'query($p: ID!, $c: String) { orderQuote(input: { kind: NEW, planId: $p, discountCode: $c }) { price discount amountDue discountCode walletBalance } }';
    expect((await asUser(tg, q, { p: plan.id, c: 'ten' })).data).toEqual({ orderQuote: { price: 200_000, discount: 20_000, amountDue: 180_000, discountCode: 'TEN', walletBalance: 0 } });
    // Quoting does not use the single use up.
    expect((await asUser(tg, q, { p: plan.id, c: 'TEN' })).data).toMatchObject({ orderQuote: { amountDue: 180_000 } });
    expect(errorCode(await asUser(tg, q, { p: plan.id, c: 'NOPE' }))).toBe('DISCOUNT_CODE_INVALID');
  });
});
