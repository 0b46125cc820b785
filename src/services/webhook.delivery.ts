import type { EntityManager } from '@mikro-orm/postgresql';
import { createHmac } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import type { SecretBox } from '../crypto';
import { WebhookDelivery, WebhookStatus } from '../entities/webhook-delivery.entity';
import type { Logger } from '../logger';
import { assertAllowedAddress } from './webhook-url';

/** Header names of a delivery (documented in docs/resellers.md). */
export const SIGNATURE_HEADER = 'x-signature';
export const TIMESTAMP_HEADER = 'x-webhook-timestamp';
export const EVENT_ID_HEADER = 'x-webhook-id';
export const EVENT_TYPE_HEADER = 'x-webhook-event';

/** `sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>` with the reseller's secret. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The JSON body of a delivery: stable across retries (the same id, type, time and data). */
export function webhookBody(d: WebhookDelivery): string {
  return JSON.stringify({ id: d.id, type: d.event, createdAt: d.createdAt.toISOString(), data: d.payload });
}

export interface WebhookDeliveryDeps {
  secrets: SecretBox;
  /** WEBHOOK_ALLOW_PRIVATE_URLS. */
  allowPrivate: boolean;
  timeoutMs: number;
  logger: Logger;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * An undici agent that refuses to connect to non-public addresses (unless allowed): the address
 * is checked at connect time, after DNS, so a host that re-resolves to 127.0.0.1 is refused too.
 */
function guardedAgent(deps: WebhookDeliveryDeps): Agent {
  const lookup = (hostname: string, options: object, cb: LookupCallback) => {
    dnsLookup(hostname, options as never, ((err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => {
      if (err) return cb(err, address, family);
      try {
        for (const a of Array.isArray(address) ? address : [{ address }]) assertAllowedAddress(a.address, deps.allowPrivate);
      } catch (e) {
        return cb(e as NodeJS.ErrnoException, address, family);
      }
      cb(null, address, family);
    }) as never);
  };
  return new Agent({ connect: { lookup: lookup as never, timeout: deps.timeoutMs }, headersTimeout: deps.timeoutMs, bodyTimeout: deps.timeoutMs });
}

/** Outcome of one run of the delivery job. */
export type DeliveryOutcome = 'delivered' | 'skipped' | 'retry' | 'failed';

/**
 * POSTs one delivery, signed, and logs the attempt on its row. Delivered (2xx) rows are never sent
 * again by the job (running it twice posts once). A failure is recorded and then thrown so the
 * job backs off, until the last attempt, which marks the delivery FAILED (a redeliver starts over).
 */
export async function deliverWebhook(
  em: EntityManager,
  deps: WebhookDeliveryDeps,
  deliveryId: string,
  attempt: { attempt: number; maxAttempts: number },
): Promise<DeliveryOutcome> {
  const d = await em.findOne(WebhookDelivery, { id: deliveryId }, { populate: ['reseller'], refresh: true });
  if (!d || d.status === WebhookStatus.DELIVERED) return 'skipped';
  const r = d.reseller;
  const body = webhookBody(d);
  let error: string | null = null;
  let statusCode: number | null = null;
  if (!r.webhookUrl || !r.webhookSecretEnc) {
    error = 'no webhook URL or secret is set';
  } else {
    const url = new URL(r.webhookUrl);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const agent = guardedAgent(deps);
    try {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host)) assertAllowedAddress(host, deps.allowPrivate);
      const res = await request(url, {
        method: 'POST',
        dispatcher: agent,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'vpn-platform-webhooks/1',
          [SIGNATURE_HEADER]: signWebhook(deps.secrets.decrypt(r.webhookSecretEnc), timestamp, body),
          [TIMESTAMP_HEADER]: timestamp,
          [EVENT_ID_HEADER]: d.id,
          [EVENT_TYPE_HEADER]: d.event,
        },
        body,
      });
      statusCode = res.statusCode;
      await res.body.dump();
      if (statusCode < 200 || statusCode >= 300) error = `receiver answered HTTP ${statusCode}`;
    } catch (e) {
      error = e instanceof Error ? e.message.slice(0, 300) : 'delivery failed';
    } finally {
      await agent.close().catch(() => undefined);
    }
  }
  d.attempts += 1;
  d.lastAttemptAt = new Date();
  d.lastStatusCode = statusCode;
  d.lastError = error;
  if (!error) {
    d.status = WebhookStatus.DELIVERED;
    d.deliveredAt = new Date();
    await em.flush();
    return 'delivered';
  }
  const last = attempt.attempt >= attempt.maxAttempts;
  d.status = last ? WebhookStatus.FAILED : WebhookStatus.PENDING;
  await em.flush();
  deps.logger.warn({ deliveryId, attempt: attempt.attempt, statusCode, error }, 'webhook delivery failed');
  if (last) return 'failed';
  throw new Error(`webhook delivery failed: ${error}`);
}
