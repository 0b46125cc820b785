import type { MikroORM } from '@mikro-orm/postgresql';
import { createPanelAdapter } from '../../src/clients/panel.factory';
import { AdminRole } from '../../src/entities/common';
import { addAdmin } from '../../src/services/admin.service';
import type { AppServices } from '../../src/services/app-services';
import { PanelRegistry } from '../../src/services/panel-registry';
import { randomTelegramId } from './ids';
import { testServices } from './services';

/**
 * Test services whose panel circuit breaker re-admits a probe at once: tests do not wait out the
 * 30 s open state after a simulated outage (the breaker itself is tested with the transport).
 */
export function servicesWithInstantBreaker(orm: MikroORM): AppServices {
  const base = testServices(orm);
  const panels = new PanelRegistry(createPanelAdapter, base.secrets, {
    connectTimeoutMs: 1000,
    headersTimeoutMs: 3000,
    bodyTimeoutMs: 3000,
    baseDelayMs: 2,
    maxDelayMs: 5,
    maxRetries: 1,
    breaker: { openMs: 0 },
  });
  return { ...base, panels };
}

/** An active ADMIN admin; returns its Telegram id (admin alerts are counted per recipient). */
export async function makeAdmin(orm: MikroORM): Promise<number> {
  const telegramId = randomTelegramId();
  await addAdmin(orm.em.fork(), { telegramId, role: AdminRole.ADMIN });
  return telegramId;
}

/** ADMIN_ALERT codes one admin received, oldest first, optionally only those about a subject or server name. */
export async function alertCodes(orm: MikroORM, telegramId: number, filter: { subject?: string; serverName?: string } = {}): Promise<string[]> {
  const rows = await orm.em.fork().getConnection().execute<Array<{ code: string }>>(
    `select params->>'code' as code from notification
      where kind = 'ADMIN_ALERT' and recipient_telegram_id = ?
        and (?::text is null or params->>'subject' like ?) and (?::text is null or params->>'serverName' = ?)
      order by created_at, id`,
    [telegramId, filter.subject ?? null, `${filter.subject ?? ''}%`, filter.serverName ?? null, filter.serverName ?? null],
  );
  return rows.map((r) => r.code);
}
