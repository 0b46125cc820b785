import type { Customer } from '../entities/customer.entity';
import type { DiscountCode } from '../entities/discount-code.entity';
import type { LedgerEntry } from '../entities/ledger-entry.entity';
import type { Order } from '../entities/order.entity';
import type { Payment } from '../entities/payment.entity';
import type { Plan } from '../entities/plan.entity';
import type { Subscription } from '../entities/subscription.entity';
import { subscriptionUrl } from '../services/subscription.service';
import type { PlanRead, SubscriptionRead } from '../services/subscription.read';
import type {
  CustomerType,
  DiscountCodeType,
  LedgerEntryType,
  OrderType,
  PaymentType,
  PlanType,
  SubscriptionType,
} from './types/commerce.types';

/** Presenters: entities → GraphQL objects (GraphQL types are not entities). */
export function presentPlan(p: Plan | PlanRead): PlanType {
  return {
    id: p.id,
    code: p.code,
    titleFa: p.titleFa,
    titleEn: p.titleEn,
    trafficBytes: p.trafficBytes,
    durationDays: p.durationDays,
    deviceLimit: p.deviceLimit,
    price: p.price,
    active: p.active,
    sortOrder: p.sortOrder,
    isTrial: p.isTrial,
    serverGroup: p.serverGroup,
    protocols: p.protocols,
    renewalTraffic: p.renewalTraffic,
  };
}

export function presentDiscount(d: DiscountCode): DiscountCodeType {
  return {
    id: d.id,
    code: d.code,
    percent: d.percent ?? null,
    amount: d.amount ?? null,
    maxUses: d.maxUses ?? null,
    used: d.used,
    validFrom: d.validFrom ?? null,
    validUntil: d.validUntil ?? null,
    planIds: d.planIds,
    active: d.active,
  };
}

export function presentCustomer(c: Customer): CustomerType {
  return {
    id: c.id,
    telegramId: c.telegramId ?? null,
    username: c.username ?? null,
    displayName: c.displayName ?? null,
    language: c.language,
    status: c.status,
    trialUsedAt: c.trialUsedAt ?? null,
    referralCode: c.referralCode,
    externalRef: c.externalRef ?? null,
    createdAt: c.createdAt,
  };
}

export function presentPayment(p: Payment, card?: { number: string; holder: string }): PaymentType {
  const open = p.method === 'CARD_TO_CARD' && (p.status === 'PENDING' || p.status === 'SUBMITTED');
  return {
    id: p.id,
    method: p.method,
    status: p.status,
    amount: p.amount,
    payableAmount: p.payableAmount ?? null,
    expiresAt: p.expiresAt ?? null,
    cardNumber: open ? card?.number || null : null,
    cardHolder: open ? card?.holder || null : null,
    receiptId: p.receipt?.id ?? null,
    trackingCode: p.trackingCode ?? null,
    submittedAt: p.submittedAt ?? null,
    reviewedAt: p.reviewedAt ?? null,
    rejectReason: p.rejectReason ?? null,
  };
}

export function presentOrder(o: Order, payment: PaymentType | null): OrderType {
  return {
    id: o.id,
    number: o.number,
    kind: o.kind,
    status: o.status,
    customerId: o.customer.id,
    plan: o.plan ? presentPlan(o.plan) : null,
    subscriptionId: o.subscription?.id ?? null,
    price: o.price,
    discount: o.discount,
    amountDue: o.amountDue,
    paymentMethod: o.paymentMethod,
    payment,
    failureReason: o.failureReason ?? null,
    attempt: o.attempt,
    createdAt: o.createdAt,
    paidAt: o.paidAt ?? null,
    fulfilledAt: o.fulfilledAt ?? null,
  };
}

export function presentSubscription(s: Subscription | SubscriptionRead, publicUrl: string): SubscriptionType {
  const read = 'customerId' in s;
  return {
    id: s.id,
    customerId: read ? s.customerId : s.customer.id,
    plan: presentPlan(s.plan),
    status: s.status,
    isTrial: s.isTrial,
    serverName: read ? s.serverName : (s.server?.name ?? null),
    trafficLimitBytes: s.trafficLimitBytes,
    usedUpBytes: s.usedUpBytes,
    usedDownBytes: s.usedDownBytes,
    usedBytes: s.usedUpBytes + s.usedDownBytes,
    deviceLimit: s.deviceLimit,
    expiresAt: s.expiresAt ?? null,
    subscriptionUrl: subscriptionUrl(publicUrl, s.subToken),
    links: s.links,
    lastSyncedAt: s.lastSyncedAt ?? null,
    createdAt: s.createdAt,
  };
}

export function presentLedger(e: LedgerEntry): LedgerEntryType {
  return { id: e.id, amount: e.amount, kind: e.kind, orderNumber: e.order?.number ?? null, note: e.note ?? null, createdAt: e.createdAt };
}
