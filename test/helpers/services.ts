import { randomBytes } from 'node:crypto';
import { createPanelAdapter } from '../../src/clients/panel.factory';
import { createTelegramSender } from '../../src/clients/telegram.client';
import { SecretBox } from '../../src/crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { AdminAlerts } from '../../src/notifications/alerts';
import type { AppServices } from '../../src/services/app-services';
import { PanelRegistry } from '../../src/services/panel-registry';

/**
 * Services as the product wires them, with a throw-away encryption key and fast panel retries.
 * Telegram has no bot tokens (sends answer `not_configured`, nothing leaves the machine) unless
 * `overrides.telegram` gives a sender, e.g. one pointed at `startFakeTelegram()` (test/helpers/fake-telegram.ts).
 */
export function testServices(orm: MikroORM, overrides: Partial<AppServices> = {}): AppServices {
  const secrets = new SecretBox(randomBytes(32));
  const panels = new PanelRegistry(createPanelAdapter, secrets, {
    connectTimeoutMs: 1000,
    headersTimeoutMs: 3000,
    bodyTimeoutMs: 3000,
    baseDelayMs: 5,
    maxDelayMs: 20,
    maxRetries: 2,
    // A panel that comes back is usable at once in tests (production waits 30 s).
    breaker: { failureThreshold: 5, openMs: 20 },
  });
  const telegram = createTelegramSender({ apiRoot: 'http://127.0.0.1:9', tokens: {} });
  return { secrets, panels, alerts: new AdminAlerts(orm), telegram, ...overrides } as AppServices;
}
