import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Admin } from '../entities/admin.entity';
import type { Customer } from '../entities/customer.entity';
import { Ticket, TicketAuthor, TicketMessage, TicketStatus } from '../entities/ticket.entity';
import { AppError } from '../errors';
import { notifyAdmins, queueNotification } from '../notifications/notification.queue';
import { isUuid } from './ids';

/**
 * Support tickets: a customer opens one (subject + first message) from the shop bot and writes
 * more; admins and support read the thread and reply from the admin bot; either side closes it.
 * Every message from one side notifies the other (outbox, same transaction).
 */

/** Open tickets one customer may have at once (a spam guard). */
export const MAX_OPEN_TICKETS = 5;
export const SUBJECT_MAX = 120;
export const BODY_MAX = 4000;

const subject = z.string().trim().min(1).max(SUBJECT_MAX);
const body = z.string().trim().min(1).max(BODY_MAX);
const idempotencyKey = z.string().trim().min(8).max(200);

function parse<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new AppError('BAD_USER_INPUT', `${field}: ${r.error.issues[0]?.message ?? 'invalid'}`, { field });
  return r.data;
}

/** A short label of the customer for admins (no secrets). */
function customerLabel(c: Customer): string {
  const name = c.displayName?.trim() || (c.username ? `@${c.username}` : '') || `#${c.telegramId ?? c.id.slice(0, 8)}`;
  return c.username && c.displayName ? `${name} (@${c.username})` : name;
}

function excerpt(text: string, max = 1000): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Opens a ticket with its first message; admins are told. With an idempotency key (unique per
 * customer), repeating it — a double tap, a retried request — returns the ticket the first call
 * opened, unchanged, and tells nobody again.
 */
export async function openTicket(em: EntityManager, customer: Customer, input: { subject: string; message: string; idempotencyKey?: string | null }): Promise<Ticket> {
  const s = parse(subject, input.subject, 'subject').replace(/\s+/g, ' ');
  const b = parse(body, input.message, 'message');
  const key = input.idempotencyKey == null ? null : parse(idempotencyKey, input.idempotencyKey, 'idempotencyKey');
  // Serialises concurrent opens of one customer so the limit holds and a repeated key finds the first.
  await em.execute(`select pg_advisory_xact_lock(hashtext('ticket-open:' || ?))`, [customer.id]);
  if (key !== null) {
    const first = await em.findOne(Ticket, { customer, idempotencyKey: key });
    if (first) return first;
  }
  const open = await em.count(Ticket, { customer, status: { $ne: TicketStatus.CLOSED } });
  if (open >= MAX_OPEN_TICKETS) throw new AppError('TICKET_LIMIT_REACHED');
  const ticket = em.create(Ticket, { customer, subject: s, idempotencyKey: key });
  em.create(TicketMessage, { ticket, authorType: TicketAuthor.CUSTOMER, body: b });
  await em.flush();
  await notifyAdmins(em, 'ADMIN_TICKET_MESSAGE', { ticketId: ticket.id, subject: s, customerLabel: customerLabel(customer), body: excerpt(b), isNew: true });
  return ticket;
}

/** The customer's own ticket, or TICKET_NOT_FOUND (another customer's ticket does not exist for them). */
export async function customerTicket(em: EntityManager, customer: Customer, id: string, opts: { lock?: boolean } = {}): Promise<Ticket> {
  if (!isUuid(id)) throw new AppError('TICKET_NOT_FOUND');
  const ticket = await em.findOne(Ticket, { id, customer }, opts.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
  if (!ticket) throw new AppError('TICKET_NOT_FOUND');
  return ticket;
}

export async function getTicketOrFail(em: EntityManager, id: string, opts: { lock?: boolean } = {}): Promise<Ticket> {
  if (!isUuid(id)) throw new AppError('TICKET_NOT_FOUND');
  const ticket = await em.findOne(Ticket, { id }, { populate: ['customer'], ...(opts.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}) });
  if (!ticket) throw new AppError('TICKET_NOT_FOUND');
  return ticket;
}

export async function writeCustomerMessage(em: EntityManager, customer: Customer, ticketId: string, text: string): Promise<Ticket> {
  const b = parse(body, text, 'body');
  const ticket = await customerTicket(em, customer, ticketId, { lock: true });
  if (ticket.status === TicketStatus.CLOSED) throw new AppError('TICKET_CLOSED');
  em.create(TicketMessage, { ticket, authorType: TicketAuthor.CUSTOMER, body: b });
  ticket.status = TicketStatus.OPEN;
  ticket.updatedAt = new Date();
  await em.flush();
  await notifyAdmins(em, 'ADMIN_TICKET_MESSAGE', { ticketId: ticket.id, subject: ticket.subject, customerLabel: customerLabel(customer), body: excerpt(b), isNew: false });
  return ticket;
}

/** A staff reply: the ticket becomes ANSWERED and the customer is told in the shop bot. */
export async function replyToTicket(em: EntityManager, admin: Admin | null, ticketId: string, text: string): Promise<Ticket> {
  const b = parse(body, text, 'body');
  const ticket = await getTicketOrFail(em, ticketId, { lock: true });
  if (ticket.status === TicketStatus.CLOSED) throw new AppError('TICKET_CLOSED');
  em.create(TicketMessage, { ticket, authorType: TicketAuthor.ADMIN, admin, body: b });
  ticket.status = TicketStatus.ANSWERED;
  ticket.updatedAt = new Date();
  await em.flush();
  await queueNotification(em, { kind: 'TICKET_REPLY', telegramId: ticket.customer.telegramId, params: { ticketId: ticket.id, subject: ticket.subject, body: excerpt(b, 3000) } });
  return ticket;
}

/** Closes a ticket (idempotent: closing a closed ticket changes nothing). */
export async function closeTicket(em: EntityManager, ticket: Ticket): Promise<Ticket> {
  if (ticket.status !== TicketStatus.CLOSED) {
    ticket.status = TicketStatus.CLOSED;
    ticket.updatedAt = new Date();
    await em.flush();
  }
  return ticket;
}

export async function listCustomerTickets(em: EntityManager, customer: Customer, limit: number): Promise<Ticket[]> {
  return em.find(Ticket, { customer }, { orderBy: { updatedAt: 'desc' }, limit });
}

/** Tickets for staff: by default the ones waiting for an answer (OPEN), oldest first. */
export async function listTickets(em: EntityManager, statuses: TicketStatus[], limit: number): Promise<Ticket[]> {
  return em.find(Ticket, { status: { $in: statuses } }, { orderBy: { updatedAt: 'asc' }, limit, populate: ['customer'] });
}

export async function ticketMessages(em: EntityManager, ticketIds: string[]): Promise<Map<string, TicketMessage[]>> {
  const rows = await em.find(TicketMessage, { ticket: { $in: ticketIds } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const map = new Map<string, TicketMessage[]>(ticketIds.map((id) => [id, []]));
  for (const m of rows) map.get(m.ticket.id)?.push(m);
  return map;
}
