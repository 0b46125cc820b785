import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { Inbound } from '../entities/inbound.entity';
import { Payment } from '../entities/payment.entity';
import { getSetting } from '../services/setting.service';

/**
 * Per-request batch loaders: field resolvers use these, never one query per parent. They read
 * through the context's current EntityManager (a mutation's transaction sees its own writes).
 */
export function createLoaders(currentEm: () => EntityManager) {
  return {
    inboundsByServer: new DataLoader<string, Inbound[]>(async (serverIds) => {
      const rows = await currentEm().find(Inbound, { server: { $in: [...serverIds] } }, { orderBy: { port: 'asc' } });
      return serverIds.map((id) => rows.filter((r) => r.server.id === id));
    }),
    paymentByOrder: new DataLoader<string, Payment | null>(async (orderIds) => {
      const rows = await currentEm().find(Payment, { order: { $in: [...orderIds] } });
      return orderIds.map((id) => rows.find((r) => r.order.id === id) ?? null);
    }),
    /** Card details shown with open card-to-card payments (read once per request). */
    card: new DataLoader<'card', { number: string; holder: string }>(async (keys) => {
      const em = currentEm();
      const card = { number: await getSetting(em, 'card_number'), holder: await getSetting(em, 'card_holder') };
      return keys.map(() => card);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
