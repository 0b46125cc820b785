import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Broadcast, BroadcastAudience } from '../entities/broadcast.entity';
import { AppError } from '../errors';
import { enqueue } from '../jobs/enqueue';
import { escapeHtml } from './format';

/** Telegram's limits: a caption holds 1024 characters, a message 4096 (room kept for entities). */
const CAPTION_MAX = 1000;
const TEXT_MAX = 4000;
/** Photos travel inside the GraphQL request (base64), under its 1 MB body limit. */
export const MAX_BROADCAST_PHOTO_BYTES = 700 * 1024;

const PHOTO_TYPES: Record<string, (b: Buffer) => boolean> = {
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/webp': (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
};

/**
 * The SQL condition (on customer `c`) of an audience. Everyone reachable: a Telegram id, not
 * banned, not known to have blocked the shop bot.
 */
export function audienceCondition(audience: BroadcastAudience): string {
  const reachable = `c.telegram_id is not null and c.status = 'ACTIVE' and c.bot_blocked_at is null`;
  switch (audience) {
    case BroadcastAudience.ALL:
      return reachable;
    case BroadcastAudience.ACTIVE:
      return `${reachable} and exists (select 1 from subscription s where s.customer_id = c.id and s.status = 'ACTIVE')`;
    case BroadcastAudience.EXPIRED:
      return (
        `${reachable} and exists (select 1 from subscription s where s.customer_id = c.id and s.status in ('EXPIRED', 'DEPLETED', 'REVOKED'))` +
        ` and not exists (select 1 from subscription s where s.customer_id = c.id and s.status in ('ACTIVE', 'PROVISIONING', 'DISABLED'))`
      );
    case BroadcastAudience.NEVER_BOUGHT:
      return `${reachable} and not exists (select 1 from "order" o where o.customer_id = c.id and o.kind in ('NEW', 'RENEW', 'ADD_TRAFFIC') and o.status in ('PAID', 'FULFILLING', 'FULFILLED'))`;
  }
}

/** How many customers an audience reaches now. */
export async function countAudience(em: EntityManager, audience: BroadcastAudience): Promise<number> {
  const rows = await em.execute<Array<{ n: number }>>(`select count(*)::int as n from customer c where ${audienceCondition(audience)}`);
  return rows[0].n;
}

export const createBroadcastInput = z.object({
  text: z.string().trim().min(1, 'The text is empty.'),
  audience: z.enum(BroadcastAudience),
  /** Base64 of a JPEG, PNG or WebP photo; the text becomes its caption. */
  photoBase64: z.string().nullish(),
  idempotencyKey: z.string().trim().min(8).max(200).nullish(),
});

/**
 * Queues a broadcast from the admin `adminTelegramId` (progress and the final report go to that
 * chat; none for an API key). The text is plain (shown escaped). Repeating an idempotency key returns the first one.
 */
export async function createBroadcast(em: EntityManager, input: z.input<typeof createBroadcastInput>, adminTelegramId: number | null): Promise<Broadcast> {
  const parsed = createBroadcastInput.safeParse(input);
  if (!parsed.success) throw new AppError('BAD_USER_INPUT', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const data = parsed.data;
  if (data.idempotencyKey) {
    const existing = await em.findOne(Broadcast, { createdByTelegramId: adminTelegramId, idempotencyKey: data.idempotencyKey });
    if (existing) return existing;
  }
  let photo: Buffer | null = null;
  let photoMimeType: string | null = null;
  if (data.photoBase64) {
    photo = Buffer.from(data.photoBase64, 'base64');
    if (photo.length === 0 || photo.length > MAX_BROADCAST_PHOTO_BYTES) throw new AppError('BAD_USER_INPUT', 'The photo must be at most 700 KB.');
    photoMimeType = Object.keys(PHOTO_TYPES).find((t) => PHOTO_TYPES[t](photo!)) ?? null;
    if (!photoMimeType) throw new AppError('BAD_USER_INPUT', 'The photo must be a JPEG, PNG or WebP image.');
  }
  const html = escapeHtml(data.text);
  if (html.length > (photo ? CAPTION_MAX : TEXT_MAX)) throw new AppError('BAD_USER_INPUT', `The text is too long (at most ${photo ? CAPTION_MAX : TEXT_MAX} characters${photo ? ' under a photo' : ''}).`);
  const b = em.create(Broadcast, {
    html,
    photo,
    photoMimeType,
    audience: data.audience,
    createdByTelegramId: adminTelegramId,
    idempotencyKey: data.idempotencyKey ?? null,
  });
  await em.flush();
  await enqueue(em, 'broadcast', { broadcastId: b.id }, { jobKey: `broadcast:${b.id}`, queueName: `broadcast:${b.id}`, maxAttempts: 25 });
  return b;
}

export async function getBroadcast(em: EntityManager, id: string): Promise<Broadcast | null> {
  if (!z.uuid().safeParse(id).success) return null;
  return em.findOne(Broadcast, { id });
}

/** The latest broadcasts, newest first. */
export async function listBroadcasts(em: EntityManager, limit = 10): Promise<Broadcast[]> {
  return em.find(Broadcast, {}, { orderBy: { createdAt: 'desc' }, limit });
}
