import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { Inbound } from '../entities/inbound.entity';

/** Per-request batch loaders: field resolvers use these, never one query per parent. */
export function createLoaders(em: EntityManager) {
  return {
    inboundsByServer: new DataLoader<string, Inbound[]>(async (serverIds) => {
      const rows = await em.find(Inbound, { server: { $in: [...serverIds] } }, { orderBy: { port: 'asc' } });
      return serverIds.map((id) => rows.filter((r) => r.server.id === id));
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
