import { randomBytes } from 'node:crypto';
import { createPanelAdapter } from '../../src/clients/panel.factory';
import { SecretBox } from '../../src/crypto';
import type { AppServices } from '../../src/services/app-services';
import { PanelRegistry } from '../../src/services/panel-registry';

/** Services as the product wires them, with a throw-away encryption key and fast panel retries. */
export function testServices(): AppServices {
  const secrets = new SecretBox(randomBytes(32));
  const panels = new PanelRegistry(createPanelAdapter, secrets, {
    connectTimeoutMs: 1000,
    headersTimeoutMs: 3000,
    bodyTimeoutMs: 3000,
    baseDelayMs: 5,
    maxDelayMs: 20,
    maxRetries: 2,
  });
  return { secrets, panels };
}
