import { InlineKeyboard } from 'grammy';
import { BotApiError, formatPlainNumber, normalizeDigits } from '../common';
import { statusIcon } from './dashboard';
import {
  AddServerDocument,
  EvacuateServerDocument,
  EvacuationDocument,
  RepairDriftDocument,
  ServerDocument,
  ServersDocument,
  SetServerActiveDocument,
  SyncInboundsDocument,
} from './graphql/generated';
import type { AdminContext, ServerDraft, ServerStep } from './context';
import type { Feature } from './feature';
import { ask, cb, esc, lang, screen } from './ui';

async function listServers(ctx: AdminContext): Promise<void> {
  const l = lang(ctx);
  const { servers } = await ctx.staff.api.request(ServersDocument, {});
  const kb = new InlineKeyboard();
  const lines = [ctx.t('srv-title')];
  for (const s of servers) {
    const load = `${formatPlainNumber(s.activeSubscriptions, l)}/${formatPlainNumber(s.capacity, l)}`;
    lines.push(`${statusIcon(s.status, s.active)} ${esc(s.name)} — ${s.kind} ${esc(s.detectedVersion ?? '')} — ${load}`);
    kb.text(`${statusIcon(s.status, s.active)} ${s.name}`.slice(0, 60), cb.act('srv', s.id)).row();
  }
  if (servers.length === 0) lines.push(ctx.t('srv-none'));
  kb.text(ctx.t('srv-add'), cb.open('srvadd'));
  await screen(ctx, lines.join('\n'), kb);
}

async function showServer(ctx: AdminContext, id: string): Promise<void> {
  const l = lang(ctx);
  const { server: s } = await ctx.staff.api.request(ServerDocument, { id });
  if (!s) return screen(ctx, ctx.t('error-server-not-found'), undefined, 'srv');
  const html = ctx.t('srv-detail', {
    name: esc(s.name),
    kind: s.kind,
    url: esc(s.baseUrl),
    status: `${statusIcon(s.status, s.active)} ${s.status}`,
    version: esc(s.detectedVersion ?? '—'),
    load: `${formatPlainNumber(s.activeSubscriptions, l)}/${formatPlainNumber(s.capacity, l)}`,
    group: esc(s.serverGroup),
    inbounds: s.inbounds.map((i) => `${esc(i.tag)} (${esc(i.protocol)}:${i.port})${i.enabled ? '' : ' ⏸'}`).join(', ') || '—',
  });
  const kb = new InlineKeyboard()
    .text(ctx.t(s.active ? 'srv-deactivate' : 'srv-activate'), cb.act(s.active ? 'srvoff' : 'srvon', s.id))
    .text(ctx.t('srv-sync'), cb.act('sync', s.id))
    .row()
    .text(ctx.t('srv-drift'), cb.act('drift', s.id))
    .text(ctx.t('srv-evacuate'), cb.act('evac', s.id));
  await screen(ctx, html, kb, 'srv');
}

async function setActive(ctx: AdminContext, id: string, active: boolean): Promise<void> {
  await ctx.staff.api.request(SetServerActiveDocument, { id, active });
  await ctx.answerCallbackQuery({ text: ctx.t(active ? 'srv-activated' : 'srv-deactivated') }).catch(() => undefined);
  await showServer(ctx, id);
}

async function drift(ctx: AdminContext, id: string, dryRun: boolean): Promise<void> {
  const l = lang(ctx);
  const n = (v: number) => formatPlainNumber(v, l);
  const { repairDrift: r } = await ctx.staff.api.request(RepairDriftDocument, { serverId: id, dryRun });
  const counts = { missing: n(r.report.missing), wrong: n(r.report.mismatched), duplicated: n(r.report.duplicated), orphans: n(r.report.orphans), actions: n(r.actions.length) };
  const kb = new InlineKeyboard();
  let html: string;
  if (dryRun) {
    html = ctx.t('srv-drift-report', counts);
    if (r.actions.length > 0) kb.text(ctx.t('srv-repair'), cb.act('repair', id));
  } else {
    html = ctx.t('srv-repaired', { applied: n(r.applied), failed: n(r.failed) });
  }
  kb.row().text(ctx.t('srv-back-server'), cb.act('srv', id));
  await screen(ctx, html, kb, 'srv');
}

async function evacuate(ctx: AdminContext, id: string): Promise<void> {
  const { evacuateServer: e } = await ctx.staff.api.request(EvacuateServerDocument, { fromServerId: id });
  await showEvacuation(ctx, e.id);
}

async function showEvacuation(ctx: AdminContext, id: string): Promise<void> {
  const l = lang(ctx);
  const { evacuation: e } = await ctx.staff.api.request(EvacuationDocument, { id });
  if (!e) return screen(ctx, ctx.t('error-not-found'), undefined, 'srv');
  const html = ctx.t('srv-evacuation', {
    status: e.status,
    moved: formatPlainNumber(e.moved, l),
    total: formatPlainNumber(e.total, l),
    failed: formatPlainNumber(e.failed, l),
    remaining: formatPlainNumber(e.remaining, l),
  });
  const kb = new InlineKeyboard();
  if (e.status === 'RUNNING') kb.text(ctx.t('srv-evacuation-refresh'), cb.act('evp', e.id));
  await screen(ctx, html, kb, 'srv');
}

// ---- The add-server wizard: kind → name → URL → credentials → group → capacity → test and save.

const NEXT: Record<ServerStep, string> = {
  kind: 'srv-ask-kind',
  name: 'srv-ask-name',
  url: 'srv-ask-url',
  username: 'srv-ask-username',
  password: 'srv-ask-password',
  token: 'srv-ask-token',
  group: 'srv-ask-group',
  capacity: 'srv-ask-capacity',
};

async function step(ctx: AdminContext, stepName: ServerStep, draft: ServerDraft): Promise<void> {
  ctx.session.pending = { kind: 'server', step: stepName, draft };
  const kb = new InlineKeyboard();
  if (stepName === 'kind') kb.text('S-UI', cb.step('SUI')).text('3x-ui', cb.step('XUI'));
  if (stepName === 'username' && draft.kind === 'SUI') kb.text(ctx.t('srv-use-token'), cb.step('token'));
  if (stepName === 'group' || stepName === 'capacity') kb.text(ctx.t('flow-skip'), cb.step('skip'));
  await ask(ctx, ctx.t(NEXT[stepName]), kb);
}

/** Which part of the input a failed connection test points at. */
export function explainPanelFailure(err: BotApiError): { text: string; retry: ServerStep } {
  const failure = (err.extensions.details as { failure?: string } | undefined)?.failure;
  if (failure === 'WRONG_PATH') return { text: 'srv-fail-path', retry: 'url' };
  if (failure === 'WRONG_CREDENTIALS') return { text: 'srv-fail-auth', retry: 'username' };
  if (failure === 'UNREACHABLE') return { text: 'srv-fail-unreachable', retry: 'url' };
  if (err.code === 'PANEL_AUTH_FAILED') return { text: 'srv-fail-auth', retry: 'username' };
  if (err.code === 'PANEL_VERSION_UNSUPPORTED') return { text: 'srv-fail-version', retry: 'url' };
  if (err.code === 'PANEL_REJECTED') return { text: 'srv-fail-rejected', retry: 'url' };
  return { text: 'srv-fail-unreachable', retry: 'url' };
}

async function save(ctx: AdminContext, draft: ServerDraft, capacity: number): Promise<void> {
  await ctx.reply(ctx.t('srv-testing'));
  try {
    const { addServer: s } = await ctx.staff.api.request(AddServerDocument, {
      input: {
        name: draft.name!,
        kind: draft.kind!,
        baseUrl: draft.baseUrl!,
        username: draft.username ?? null,
        password: draft.password ?? null,
        apiToken: draft.apiToken ?? null,
        serverGroup: draft.serverGroup ?? 'default',
        capacity,
      },
    });
    ctx.session.pending = undefined;
    await ctx.reply(ctx.t('srv-saved', { name: esc(s.name), version: esc(s.detectedVersion ?? '—'), inbounds: formatPlainNumber(s.inbounds.length, lang(ctx)) }), { parse_mode: 'HTML' });
    await showServer(ctx, s.id);
  } catch (err) {
    if (!(err instanceof BotApiError) || !/^PANEL_/.test(err.code)) {
      if (err instanceof BotApiError && (err.code === 'BAD_USER_INPUT' || err.code === 'SERVER_NAME_TAKEN')) {
        await ctx.reply(ctx.t(err.code === 'SERVER_NAME_TAKEN' ? 'error-server-name-taken' : 'srv-fail-input'));
        return step(ctx, err.code === 'SERVER_NAME_TAKEN' ? 'name' : 'url', draft);
      }
      throw err;
    }
    const why = explainPanelFailure(err);
    await ctx.reply(ctx.t(why.text));
    const retry = why.retry === 'username' && draft.apiToken ? 'token' : why.retry;
    await step(ctx, retry, { ...draft, ...(retry === 'url' ? { baseUrl: undefined } : { password: undefined, apiToken: undefined }) });
  }
}

async function wizardInput(ctx: AdminContext, text: string): Promise<void> {
  const pending = ctx.session.pending;
  if (pending?.kind !== 'server') return;
  const d = { ...pending.draft };
  const value = text.trim();
  switch (pending.step) {
    case 'kind':
      return step(ctx, 'kind', d);
    case 'name':
      if (value.length < 1 || value.length > 60) return step(ctx, 'name', d);
      return step(ctx, 'url', { ...d, name: value });
    case 'url':
      if (!/^https?:\/\/[^\s]+$/i.test(value)) {
        await ctx.reply(ctx.t('srv-bad-url'));
        return step(ctx, 'url', d);
      }
      return step(ctx, 'username', { ...d, baseUrl: value });
    case 'username':
      return step(ctx, 'password', { ...d, username: value, apiToken: undefined });
    case 'password':
      // The password message is deleted from the chat once read.
      await ctx.deleteMessage().catch(() => undefined);
      return step(ctx, 'group', { ...d, password: value });
    case 'token':
      await ctx.deleteMessage().catch(() => undefined);
      return step(ctx, 'group', { ...d, apiToken: value, username: undefined, password: undefined });
    case 'group':
      if (!/^[A-Za-z0-9_-]{1,40}$/.test(value)) return step(ctx, 'group', d);
      return step(ctx, 'capacity', { ...d, serverGroup: value });
    case 'capacity': {
      const capacity = Number(normalizeDigits(value));
      if (!Number.isInteger(capacity) || capacity < 1 || capacity > 100_000) return step(ctx, 'capacity', d);
      return save(ctx, d, capacity);
    }
  }
}

async function wizardStep(ctx: AdminContext, word: string): Promise<void> {
  const pending = ctx.session.pending;
  if (pending?.kind !== 'server') return;
  await ctx.answerCallbackQuery().catch(() => undefined);
  const d = pending.draft;
  if (pending.step === 'kind' && (word === 'SUI' || word === 'XUI')) return step(ctx, 'name', { ...d, kind: word });
  if (pending.step === 'username' && word === 'token') return step(ctx, 'token', d);
  if (pending.step === 'group' && word === 'skip') return step(ctx, 'capacity', { ...d, serverGroup: 'default' });
  if (pending.step === 'capacity' && word === 'skip') return save(ctx, d, 100);
}

/** Servers: list, detail, add wizard (tested before saving), sync, drift dry run then repair, activate, evacuate. */
export const serversFeature: Feature = {
  opens: { srv: listServers, srvadd: (ctx) => step(ctx, 'kind', {}) },
  acts: {
    srv: showServer,
    srvon: (ctx, id) => setActive(ctx, id, true),
    srvoff: (ctx, id) => setActive(ctx, id, false),
    sync: async (ctx, id) => {
      const { syncInbounds } = await ctx.staff.api.request(SyncInboundsDocument, { id });
      await ctx.answerCallbackQuery({ text: ctx.t('srv-synced', { count: formatPlainNumber(syncInbounds.length, lang(ctx)) }) }).catch(() => undefined);
      await showServer(ctx, id);
    },
    drift: (ctx, id) => drift(ctx, id, true),
    repair: (ctx, id) => drift(ctx, id, false),
    evac: async (ctx, id) => {
      const kb = new InlineKeyboard().text(ctx.t('flow-confirm'), cb.act('evacgo', id)).text(ctx.t('srv-back-server'), cb.act('srv', id));
      await screen(ctx, ctx.t('srv-evacuate-confirm'), kb, 'srv');
    },
    evacgo: evacuate,
    evp: showEvacuation,
  },
  commands: { servers: 'srv', addserver: 'srvadd' },
  inputs: { server: (ctx, m) => wizardInput(ctx, m.text ?? '') },
  steps: { server: wizardStep },
};
