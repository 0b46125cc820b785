import type { TelegramSender } from '../clients/telegram.types';
import type { SecretBox } from '../crypto';
import type { AdminAlerts } from '../notifications/alerts';
import type { PanelRegistry } from './panel-registry';

/**
 * Long-lived services of a process, wired once by its composition root (src/main/services.ts)
 * and handed to resolvers (GraphQL context) and jobs (JobContext.deps).
 */
export interface AppServices {
  /** Encrypts/decrypts secrets at rest. */
  secrets: SecretBox;
  /** Panel adapters per server. */
  panels: PanelRegistry;
  /** Admin alerts written outside the caller's transaction, de-duplicated. */
  alerts: AdminAlerts;
  /** Sends Telegram messages through the user and admin bots (notifications). */
  telegram: TelegramSender;
}
