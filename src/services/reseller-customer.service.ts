import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Customer, Language } from '../entities/customer.entity';
import { Order } from '../entities/order.entity';
import type { Reseller } from '../entities/reseller.entity';
import { Subscription } from '../entities/subscription.entity';
import { WebhookDelivery, WebhookStatus } from '../entities/webhook-delivery.entity';
import { AppError } from '../errors';
import { enqueue } from '../jobs/enqueue';
import { olderThan, pageSize, toPage, type Page } from './pagination';
import { lockForTransaction } from './transaction';
import { assertResellerActive } from './reseller.service';
import { deliveryJobOptions } from './webhook.events';

export const upsertResellerCustomerInput = z.object({
  /** The reseller's own id for the customer (unique per reseller). */
  externalRef: z.string().trim().min(1).max(200),
  displayName: z.string().trim().max(128).nullish(),
  language: z.enum(Language).nullish(),
});

/**
 * Creates the reseller's customer with this external reference, or finds it (and updates the
 * name and language given): idempotent by construction. A suspended reseller cannot add customers.
 */
export async function upsertResellerCustomer(em: EntityManager, reseller: Reseller, input: z.input<typeof upsertResellerCustomerInput>): Promise<Customer> {
  const d = upsertResellerCustomerInput.parse(input);
  // Serialises concurrent upserts of the same reference, so the unique (reseller, external_ref) never races.
  await lockForTransaction(em, `customer:ref:${reseller.id}:${d.externalRef}`);
  let c = await em.findOne(Customer, { reseller, externalRef: d.externalRef });
  if (!c) {
    assertResellerActive(reseller);
    c = em.create(Customer, { reseller, externalRef: d.externalRef, displayName: d.displayName ?? null, language: d.language ?? Language.FA });
  } else {
    if (d.displayName !== undefined) c.displayName = d.displayName;
    if (d.language) c.language = d.language;
  }
  await em.flush();
  return c;
}

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

async function page<T extends { id: string; createdAt: Date }>(
  em: EntityManager,
  entity: new () => T,
  where: FilterQuery<T>,
  args: PageArgs,
  populate: string[] = [],
): Promise<Page<T>> {
  const first = pageSize(args.first, 200);
  const cursor = olderThan(args.after, 'createdAt');
  const filter = (cursor ? { $and: [where, cursor] } : where) as FilterQuery<T>;
  const rows = await em.find(entity, filter, { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] as never, limit: first + 1, populate: populate as never });
  return toPage(rows, first, (r) => r.createdAt);
}

/** The reseller's customers, newest first. */
export function listResellerCustomers(em: EntityManager, reseller: Reseller, args: PageArgs): Promise<Page<Customer>> {
  return page(em, Customer, { reseller }, args);
}

/** The reseller's orders (optionally of one own customer), newest first. */
export function listResellerOrders(em: EntityManager, reseller: Reseller, customer: Customer | null, args: PageArgs): Promise<Page<Order>> {
  return page(em, Order, customer ? { reseller, customer } : { reseller }, args, ['plan', 'customer', 'subscription']);
}

/** The subscriptions of the reseller's customers (optionally one), newest first. */
export function listResellerSubscriptions(em: EntityManager, reseller: Reseller, customer: Customer | null, args: PageArgs): Promise<Page<Subscription>> {
  return page(em, Subscription, customer ? { customer } : { customer: { reseller } }, args, ['plan', 'customer', 'server']);
}

/** The reseller's webhook deliveries, newest first. */
export function listWebhookDeliveries(em: EntityManager, reseller: Reseller, args: PageArgs): Promise<Page<WebhookDelivery>> {
  return page(em, WebhookDelivery, { reseller }, args);
}

/** Sends a delivery again (same event id and body; a new signature and timestamp). */
export async function redeliverWebhook(em: EntityManager, delivery: WebhookDelivery): Promise<WebhookDelivery> {
  await em.populate(delivery, ['reseller']);
  if (!delivery.reseller.webhookUrl) throw new AppError('WEBHOOK_NOT_CONFIGURED');
  delivery.status = WebhookStatus.PENDING;
  await em.flush();
  await enqueue(em, 'deliver_webhook', { deliveryId: delivery.id }, deliveryJobOptions(delivery.id));
  return delivery;
}
