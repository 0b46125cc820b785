import { createPanelAdapter } from '../clients/panel.factory';
import type { Config } from '../config';
import { loadSecretBox } from '../crypto';
import type { Logger } from '../logger';
import type { AppServices } from '../services/app-services';
import { PanelRegistry } from '../services/panel-registry';

/** Wires the long-lived services of one process (API, worker or both). */
export function createAppServices(rt: { config: Config; logger: Logger }): AppServices {
  const secrets = loadSecretBox(rt.config, rt.logger);
  const panels = new PanelRegistry(createPanelAdapter, secrets, {
    headersTimeoutMs: rt.config.PANEL_TIMEOUT_MS,
    bodyTimeoutMs: rt.config.PANEL_TIMEOUT_MS,
    concurrency: rt.config.PANEL_CONCURRENCY,
  });
  return { secrets, panels };
}
