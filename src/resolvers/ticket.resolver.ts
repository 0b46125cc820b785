import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Role } from '../entities/common';
import { TicketStatus, type Ticket } from '../entities/ticket.entity';
import { customerInScope } from '../services/access.policy';
import { getCustomerOrFail } from '../services/customer.service';
import { pageSize } from '../services/pagination';
import {
  closeTicket,
  customerTicket,
  getTicketOrFail,
  listCustomerTickets,
  listTickets,
  openTicket,
  replyToTicket,
  ticketMessages,
  writeCustomerMessage,
} from '../services/ticket.service';
import { Admin } from '../entities/admin.entity';
import { Auth } from './auth';
import type { Ctx as Context } from './context';
import { TicketType } from './types/ticket.types';

async function present(ctx: Context, tickets: Ticket[]): Promise<TicketType[]> {
  const messages = await ticketMessages(ctx.em, tickets.map((t) => t.id));
  return tickets.map((t) => ({
    id: t.id,
    customerId: t.customer.id,
    subject: t.subject,
    status: t.status,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    messages: (messages.get(t.id) ?? []).map((m) => ({ id: m.id, author: m.authorType, body: m.body, createdAt: m.createdAt })),
  }));
}

/** Support tickets: customers (through the shop bot) and staff (admin bot, GraphiQL). */
@Resolver()
export class TicketResolver {
  @Query(() => [TicketType], { description: "The caller's own tickets (user bot), most recently active first." })
  @Auth(Role.USER_BOT)
  async myTickets(@Ctx() ctx: Context, @Arg('first', () => Int, { defaultValue: 10 }) first: number): Promise<TicketType[]> {
    const customer = await customerInScope(ctx.em, ctx.principal!);
    return present(ctx, await listCustomerTickets(ctx.em, customer, pageSize(first, 50)));
  }

  @Query(() => [TicketType], { description: 'Tickets by status for staff (default: OPEN, i.e. waiting for an answer), oldest first.' })
  @Auth(Role.ADMIN, Role.SUPPORT)
  async tickets(
    @Ctx() ctx: Context,
    @Arg('status', () => [TicketStatus], { nullable: true }) status: TicketStatus[] | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
  ): Promise<TicketType[]> {
    return present(ctx, await listTickets(ctx.em, status?.length ? status : [TicketStatus.OPEN], pageSize(first, 100)));
  }

  @Query(() => [TicketType], { description: "One customer's tickets in every status for staff (the admin bot's customer profile), most recently active first. CUSTOMER_NOT_FOUND for an unknown id." })
  @Auth(Role.ADMIN, Role.SUPPORT)
  async customerTickets(@Ctx() ctx: Context, @Arg('customerId', () => ID) customerId: string, @Arg('first', () => Int, { defaultValue: 5 }) first: number): Promise<TicketType[]> {
    const customer = await getCustomerOrFail(ctx.em, customerId);
    return present(ctx, await listCustomerTickets(ctx.em, customer, pageSize(first, 50)));
  }

  @Query(() => TicketType, { description: 'A ticket with its thread: the customer’s own (user bot), or any (staff). TICKET_NOT_FOUND otherwise.' })
  @Auth(Role.USER_BOT, Role.ADMIN, Role.SUPPORT)
  async ticket(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<TicketType> {
    const ticket = ctx.principal!.role === Role.USER_BOT ? await customerTicket(ctx.em, await customerInScope(ctx.em, ctx.principal!), id) : await getTicketOrFail(ctx.em, id);
    return (await present(ctx, [ticket]))[0];
  }

  @Mutation(() => TicketType, {
    description:
      'Opens a ticket with its first message (subject ≤ 120, message ≤ 4000 characters); admins are told. TICKET_LIMIT_REACHED with 5 tickets not closed. Repeating the idempotency key returns the first ticket.',
  })
  @Auth(Role.USER_BOT)
  async openTicket(
    @Ctx() ctx: Context,
    @Arg('subject') subject: string,
    @Arg('message') message: string,
    @Arg('idempotencyKey', () => String, { nullable: true, description: '8–200 characters, unique per ticket of this customer (e.g. derived from the Telegram message); a repeat returns the first ticket.' })
    idempotencyKey: string | null,
  ): Promise<TicketType> {
    const customer = await customerInScope(ctx.em, ctx.principal!);
    return (await present(ctx, [await openTicket(ctx.em, customer, { subject, message, idempotencyKey })]))[0];
  }

  @Mutation(() => TicketType, { description: 'The customer writes in their ticket (it becomes OPEN again); admins are told. TICKET_CLOSED once closed.' })
  @Auth(Role.USER_BOT)
  async writeTicketMessage(@Ctx() ctx: Context, @Arg('ticketId', () => ID) ticketId: string, @Arg('body') body: string): Promise<TicketType> {
    const customer = await customerInScope(ctx.em, ctx.principal!);
    return (await present(ctx, [await writeCustomerMessage(ctx.em, customer, ticketId, body)]))[0];
  }

  @Mutation(() => TicketType, { description: 'Support replies (the ticket becomes ANSWERED); the customer gets the reply in the shop bot.' })
  @Auth(Role.ADMIN, Role.SUPPORT)
  async replyTicket(@Ctx() ctx: Context, @Arg('ticketId', () => ID) ticketId: string, @Arg('body') body: string): Promise<TicketType> {
    const admin = ctx.principal!.adminId ? await ctx.em.findOne(Admin, { id: ctx.principal!.adminId }) : null;
    return (await present(ctx, [await replyToTicket(ctx.em, admin, ticketId, body)]))[0];
  }

  @Mutation(() => TicketType, { description: 'Closes a ticket: the customer’s own (user bot), or any (staff). Closing a closed ticket changes nothing.' })
  @Auth(Role.USER_BOT, Role.ADMIN, Role.SUPPORT)
  async closeTicket(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<TicketType> {
    const ticket = ctx.principal!.role === Role.USER_BOT ? await customerTicket(ctx.em, await customerInScope(ctx.em, ctx.principal!), id, { lock: true }) : await getTicketOrFail(ctx.em, id, { lock: true });
    return (await present(ctx, [await closeTicket(ctx.em, ticket)]))[0];
  }
}
