import { randomUUID } from 'node:crypto';
import { InlineKeyboard } from 'grammy';
import type { Message } from 'grammy/types';
import { escapeHtml, formatPlainNumber } from '../common';
import { BroadcastAudienceDocument, CreateBroadcastDocument, type BroadcastAudience } from './graphql/generated';
import type { AdminContext } from './context';
import type { Feature } from './feature';
import { ask, cb, lang } from './ui';

const AUDIENCES: BroadcastAudience[] = ['ALL', 'ACTIVE', 'EXPIRED', 'NEVER_BOUGHT'];

async function start(ctx: AdminContext): Promise<void> {
  ctx.session.pending = { kind: 'broadcast-text' };
  await ask(ctx, ctx.t('bc-ask-text'));
}

async function text(ctx: AdminContext, message: Message): Promise<void> {
  const photo = message.photo?.at(-1);
  const body = (photo ? message.caption : message.text)?.trim() ?? '';
  if (!body || body.length > (photo ? 1000 : 4000)) return ask(ctx, ctx.t('bc-ask-text'));
  await chooseAudience(ctx, body, photo?.file_id ?? null);
}

async function chooseAudience(ctx: AdminContext, body: string, photoFileId: string | null): Promise<void> {
  ctx.session.pending = { kind: 'broadcast-audience', text: body, photoFileId };
  const kb = new InlineKeyboard();
  for (const a of AUDIENCES) kb.text(ctx.t(`bc-aud-${a.toLowerCase().replace('_', '-')}`), cb.step(a)).row();
  kb.text(ctx.t('nav-back'), cb.step('back'));
  await ask(ctx, ctx.t('bc-ask-audience'), kb);
}

async function audience(ctx: AdminContext, word: string): Promise<void> {
  const pending = ctx.session.pending;
  if (pending?.kind !== 'broadcast-audience') return;
  if (word === 'back') {
    await ctx.answerCallbackQuery().catch(() => undefined);
    return start(ctx);
  }
  if (!AUDIENCES.includes(word as BroadcastAudience)) return;
  await ctx.answerCallbackQuery().catch(() => undefined);
  const { broadcastAudienceSize } = await ctx.staff.api.request(BroadcastAudienceDocument, { audience: word as BroadcastAudience });
  ctx.session.pending = { kind: 'broadcast-confirm', text: pending.text, photoFileId: pending.photoFileId, audience: word, key: randomUUID() };
  const preview = ctx.t('bc-preview', { count: formatPlainNumber(broadcastAudienceSize, lang(ctx)), audience: ctx.t(`bc-aud-${word.toLowerCase().replace('_', '-')}`) });
  const kb = new InlineKeyboard().text(ctx.t('bc-send'), cb.step('ok')).row().text(ctx.t('nav-back'), cb.step('back'));
  // The preview is the message as customers will see it: the photo with its caption, or the text.
  if (pending.photoFileId) {
    await ctx.replyWithPhoto(pending.photoFileId, { caption: escapeHtml(pending.text), parse_mode: 'HTML' });
    await ask(ctx, preview, kb);
  } else {
    await ask(ctx, `${preview}\n\n${escapeHtml(pending.text)}`, kb);
  }
}

async function confirm(ctx: AdminContext, word: string, download: (fileId: string) => Promise<Buffer>): Promise<void> {
  const pending = ctx.session.pending;
  if (pending?.kind !== 'broadcast-confirm') return;
  if (word === 'back') {
    await ctx.answerCallbackQuery().catch(() => undefined);
    return chooseAudience(ctx, pending.text, pending.photoFileId);
  }
  if (word !== 'ok') return;
  await ctx.answerCallbackQuery().catch(() => undefined);
  // Our file id belongs to this bot: the photo's bytes travel to the API for the shop bot to send.
  const photoBase64 = pending.photoFileId ? (await download(pending.photoFileId)).toString('base64') : null;
  await ctx.staff.api.request(CreateBroadcastDocument, { text: pending.text, audience: pending.audience as BroadcastAudience, photoBase64, key: pending.key });
  ctx.session.pending = undefined;
  await ctx.reply(ctx.t('bc-queued'));
}

/** Broadcast: text or photo, audience, preview with the count, confirm; the worker delivers and reports here. */
export function broadcastFeature(download: (fileId: string) => Promise<Buffer>): Feature {
  return {
    opens: { bc: start },
    commands: { broadcast: 'bc' },
    inputs: { 'broadcast-text': text },
    steps: { 'broadcast-audience': audience, 'broadcast-confirm': (ctx, w) => confirm(ctx, w, download) },
  };
}
