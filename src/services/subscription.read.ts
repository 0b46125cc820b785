import type { EntityManager } from '@mikro-orm/postgresql';
import type { RenewalTraffic } from '../entities/plan.entity';
import type { SubscriptionStatus } from '../entities/subscription.entity';
import { preparedRows } from './prepared.read';

/**
 * Read models of the hot list reads (every bot screen): plain rows from one SQL statement, no
 * entity hydration. Writes stay on entities.
 */
export interface PlanRead {
  id: string;
  code: string;
  titleFa: string;
  titleEn: string;
  trafficBytes: number;
  durationDays: number;
  deviceLimit: number;
  price: number;
  active: boolean;
  sortOrder: number;
  isTrial: boolean;
  serverGroup: string;
  protocols: string[];
  renewalTraffic: RenewalTraffic;
}

export interface SubscriptionRead {
  id: string;
  customerId: string;
  plan: PlanRead;
  status: SubscriptionStatus;
  isTrial: boolean;
  serverName: string | null;
  trafficLimitBytes: number;
  usedUpBytes: number;
  usedDownBytes: number;
  deviceLimit: number;
  expiresAt: Date | null;
  subToken: string;
  links: string[];
  lastSyncedAt: Date | null;
  createdAt: Date;
}

/** The plan columns of a row joined as `p`, aliased `plan_*`. */
export const PLAN_READ_COLUMNS = [
  'p.id as plan_id',
  'p.code as plan_code',
  'p.title_fa as plan_title_fa',
  'p.title_en as plan_title_en',
  'p.traffic_bytes as plan_traffic_bytes',
  'p.duration_days as plan_duration_days',
  'p.device_limit as plan_device_limit',
  'p.price as plan_price',
  'p.active as plan_active',
  'p.sort_order as plan_sort_order',
  'p.is_trial as plan_is_trial',
  'p.server_group as plan_server_group',
  'p.protocols as plan_protocols',
  'p.renewal_traffic as plan_renewal_traffic',
].join(', ');

type Row = Record<string, unknown>;
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));

export function planFromRow(r: Row): PlanRead {
  return {
    id: r.plan_id as string,
    code: r.plan_code as string,
    titleFa: r.plan_title_fa as string,
    titleEn: r.plan_title_en as string,
    trafficBytes: Number(r.plan_traffic_bytes),
    durationDays: r.plan_duration_days as number,
    deviceLimit: r.plan_device_limit as number,
    price: r.plan_price as number,
    active: r.plan_active as boolean,
    sortOrder: r.plan_sort_order as number,
    isTrial: r.plan_is_trial as boolean,
    serverGroup: r.plan_server_group as string,
    protocols: r.plan_protocols as string[],
    renewalTraffic: r.plan_renewal_traffic as RenewalTraffic,
  };
}

/** A customer's subscriptions, newest first, with plan and server name (one statement). */
export async function listCustomerSubscriptionReads(em: EntityManager, customerId: string): Promise<SubscriptionRead[]> {
  const rows = await preparedRows<Row>(
    em,
    `select s.id, s.customer_id, s.status, s.is_trial, s.traffic_limit_bytes, s.used_up_bytes, s.used_down_bytes,
            s.device_limit, s.expires_at, s.sub_token, s.links, s.last_synced_at, s.created_at,
            srv.name as server_name, ${PLAN_READ_COLUMNS}
       from subscription s
       join plan p on p.id = s.plan_id
       left join server srv on srv.id = s.server_id
      where s.customer_id = $1
      order by s.created_at desc, s.id desc`,
    [customerId],
  );
  return rows.map((r) => ({
    id: r.id as string,
    customerId: r.customer_id as string,
    plan: planFromRow(r),
    status: r.status as SubscriptionStatus,
    isTrial: r.is_trial as boolean,
    serverName: (r.server_name as string | null) ?? null,
    trafficLimitBytes: Number(r.traffic_limit_bytes),
    usedUpBytes: Number(r.used_up_bytes),
    usedDownBytes: Number(r.used_down_bytes),
    deviceLimit: r.device_limit as number,
    expiresAt: date(r.expires_at),
    subToken: r.sub_token as string,
    links: (r.links as string[] | null) ?? [],
    lastSyncedAt: date(r.last_synced_at),
    createdAt: date(r.created_at)!,
  }));
}
