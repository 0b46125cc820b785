import { createPanelAdapter } from '../clients/panel.factory';
import { createTelegramSender } from '../clients/telegram.client';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import { loadSecretBox } from '../crypto';
import type { Logger } from '../logger';
import { AdminAlerts } from '../notifications/alerts';
import type { AppServices } from '../services/app-services';
import { PanelRegistry } from '../services/panel-registry';

/** Wires the long-lived services of one process (API, worker or both). */
export function createAppServices(rt: { config: Config; logger: Logger; orm: MikroORM }): AppServices {
  const secrets = loadSecretBox(rt.config, rt.logger);
  const panels = new PanelRegistry(createPanelAdapter, secrets, {
    headersTimeoutMs: rt.config.PANEL_TIMEOUT_MS,
    bodyTimeoutMs: rt.config.PANEL_TIMEOUT_MS,
    concurrency: rt.config.PANEL_CONCURRENCY,
  });
  const telegram = createTelegramSender({
    apiRoot: rt.config.TELEGRAM_API_ROOT,
    tokens: { USER_BOT: rt.config.USER_BOT_TOKEN, ADMIN_BOT: rt.config.ADMIN_BOT_TOKEN },
  });
  return { secrets, panels, telegram, alerts: new AdminAlerts(rt.orm) };
}
