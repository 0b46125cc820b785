import { ForeignKeyConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { PanelInbound } from '../clients/panel.types';
import type { SecretBox } from '../crypto';
import { Inbound } from '../entities/inbound.entity';
import { Server, ServerKind, ServerStatus } from '../entities/server.entity';
import { Subscription, SubscriptionStatus } from '../entities/subscription.entity';
import { AppError } from '../errors';
import { isUuid } from './ids';
import { probePanel, type ServerTestResult } from './panel-probe.service';
import type { PanelCredentials, PanelRegistry } from './panel-registry';
import { flushUnique } from './unique-violation';

/** Subscription statuses that occupy a slot of a server's capacity. */
export const LOAD_STATUSES = [SubscriptionStatus.ACTIVE, SubscriptionStatus.PROVISIONING, SubscriptionStatus.DISABLED, SubscriptionStatus.DEPLETED, SubscriptionStatus.EXPIRED];

const baseUrl = z
  .string()
  .trim()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be http(s)')
  .transform((u) => (u.endsWith('/') ? u : `${u}/`));

/**
 * The identity of a panel: lower-case host, explicit port and web base path (repeated slashes
 * collapsed, ending with `/`). Two servers with the same key are the same panel, however the URL
 * was typed (`http://Host:80/app` = `http://host/app/`).
 */
export function panelKeyOf(baseUrl: string): string {
  const u = new URL(baseUrl);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  let path = u.pathname.replace(/\/{2,}/g, '/');
  if (!path.endsWith('/')) path += '/';
  return `${u.hostname.toLowerCase()}:${port}${path}`;
}

/** The error for a violated unique constraint of `server`. */
function serverConflict(constraint: string | undefined): AppError {
  return constraint === 'server_panel_key_unique' ? new AppError('SERVER_ALREADY_ADDED') : new AppError('SERVER_NAME_TAKEN');
}

export const addServerInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    kind: z.enum(ServerKind),
    /** Panel URL with its web base path, e.g. https://panel.example.com:2095/app/ */
    baseUrl,
    username: z.string().max(200).nullish(),
    password: z.string().max(500).nullish(),
    apiToken: z.string().max(500).nullish(),
    serverGroup: z.string().trim().min(1).max(50).default('default'),
    capacity: z.number().int().min(1).max(1_000_000).default(100),
    /** Save even when the panel cannot be reached now. */
    skipConnectionTest: z.boolean().default(false),
    /** Verify the panel's TLS certificate (turn off only for a self-signed certificate). */
    tlsVerify: z.boolean().default(true),
  })
  .refine((v) => !!v.apiToken || (!!v.username && !!v.password), {
    message: 'give an API token, or a username and a password',
    path: ['apiToken'],
  });
export type AddServerInput = z.input<typeof addServerInput>;

export const updateServerInput = z.object({
  name: z.string().trim().min(1).max(100).nullish(),
  baseUrl: baseUrl.nullish(),
  username: z.string().max(200).nullish(),
  password: z.string().max(500).nullish(),
  apiToken: z.string().max(500).nullish(),
  serverGroup: z.string().trim().min(1).max(50).nullish(),
  capacity: z.number().int().min(1).max(1_000_000).nullish(),
  tlsVerify: z.boolean().nullish(),
});
export type UpdateServerInput = z.input<typeof updateServerInput>;

function credentialsOf(input: { username?: string | null; password?: string | null; apiToken?: string | null }): PanelCredentials {
  return { username: input.username ?? null, password: input.password ?? null, apiToken: input.apiToken ?? null };
}

async function saveInbounds(em: EntityManager, server: Server, inbounds: PanelInbound[]): Promise<Inbound[]> {
  const existing = await em.find(Inbound, { server });
  const byRemote = new Map(existing.map((i) => [i.remoteId, i]));
  const now = new Date();
  for (const pi of inbounds) {
    const row = byRemote.get(pi.remoteId);
    const data = { tag: pi.tag, protocol: pi.protocol, port: pi.port, remark: pi.remark, enabled: pi.enabled, syncedAt: now };
    if (row) em.assign(row, data);
    else em.create(Inbound, { server, remoteId: pi.remoteId, ...data });
  }
  const seen = new Set(inbounds.map((i) => i.remoteId));
  // Inbounds gone from the panel stay as disabled rows: subscriptions may still reference them.
  for (const row of existing) if (!seen.has(row.remoteId)) em.assign(row, { enabled: false, syncedAt: now });
  await em.flush();
  return em.find(Inbound, { server }, { orderBy: { port: 'asc' } });
}

/** Adds a panel server after a connection test (unless skipped); credentials are stored encrypted. */
export async function addServer(em: EntityManager, deps: { secrets: SecretBox; panels: PanelRegistry }, input: AddServerInput): Promise<Server> {
  const data = addServerInput.parse(input);
  const panelKey = panelKeyOf(data.baseUrl);
  // Before the (slow) connection test; the unique index decides races.
  if (await em.findOne(Server, { panelKey }, { fields: ['id'] })) throw new AppError('SERVER_ALREADY_ADDED');
  const creds = credentialsOf(data);
  let probe: Awaited<ReturnType<typeof probePanel>> | null = null;
  if (!data.skipConnectionTest) {
    const adapter = deps.panels.adapterForConnection({ serverId: 'new', kind: data.kind, baseUrl: data.baseUrl, ...undefinedIfNull(creds) }, { tlsVerify: data.tlsVerify });
    try {
      probe = await probePanel(adapter);
    } finally {
      await adapter.close().catch(() => undefined);
    }
    // `details.failure` says which input to fix: the URL's path, the credentials, or the host/port.
    if (probe.errorCode) throw new AppError(probe.errorCode as 'PANEL_UNAVAILABLE', probe.error ?? undefined, { failure: probe.failure ?? null, reachable: probe.reachable });
  }
  const server = em.create(Server, {
    name: data.name,
    kind: data.kind,
    baseUrl: data.baseUrl,
    panelKey,
    credentialsEnc: deps.secrets.encryptJson(creds),
    serverGroup: data.serverGroup,
    capacity: data.capacity,
    tlsVerify: data.tlsVerify,
    detectedVersion: probe?.version ?? null,
    versionProfile: probe?.profile ?? null,
    lastCheckedAt: probe ? new Date() : null,
    // A passed connection test is a first good probe; the health job takes over from here.
    status: probe ? ServerStatus.HEALTHY : ServerStatus.UNKNOWN,
  });
  await flushUnique(em, serverConflict);
  if (probe) await saveInbounds(em, server, probe.inbounds);
  return server;
}

function undefinedIfNull(c: PanelCredentials) {
  return { username: c.username ?? undefined, password: c.password ?? undefined, apiToken: c.apiToken ?? undefined };
}

export async function getServerOrFail(em: EntityManager, id: string): Promise<Server> {
  const server = isUuid(id) ? await em.findOne(Server, { id }) : null;
  if (!server) throw new AppError('SERVER_NOT_FOUND');
  return server;
}

/** Changes a server's settings; new credentials replace the old ones (merged field by field). */
export async function updateServer(em: EntityManager, deps: { secrets: SecretBox }, id: string, input: UpdateServerInput): Promise<Server> {
  const data = updateServerInput.parse(input);
  const server = await getServerOrFail(em, id);
  if (data.name) server.name = data.name;
  if (data.baseUrl) {
    server.baseUrl = data.baseUrl;
    server.panelKey = panelKeyOf(data.baseUrl);
  }
  if (data.serverGroup) server.serverGroup = data.serverGroup;
  if (data.capacity) server.capacity = data.capacity;
  if (data.tlsVerify !== undefined && data.tlsVerify !== null) server.tlsVerify = data.tlsVerify;
  if (data.username !== undefined || data.password !== undefined || data.apiToken !== undefined) {
    const current = deps.secrets.decryptJson<PanelCredentials>(server.credentialsEnc);
    const next = {
      username: data.username !== undefined ? data.username : current.username,
      password: data.password !== undefined ? data.password : current.password,
      apiToken: data.apiToken !== undefined ? data.apiToken : current.apiToken,
    };
    if (!next.apiToken && !(next.username && next.password)) {
      throw new AppError('BAD_USER_INPUT', 'A server needs an API token, or a username and a password.');
    }
    server.credentialsEnc = deps.secrets.encryptJson(next);
  }
  await flushUnique(em, serverConflict);
  return server;
}

/**
 * Deletes a server that never had a subscription (its inbounds go with it); one that has or had
 * subscriptions is refused with SERVER_IN_USE (the subscriptions keep their history).
 */
export async function deleteServer(em: EntityManager, panels: PanelRegistry, id: string): Promise<Server> {
  const server = await getServerOrFail(em, id);
  // Any subscription, ENDED included: deleting would orphan its history (the foreign key restricts it too).
  if ((await em.count(Subscription, { server })) > 0) throw new AppError('SERVER_IN_USE');
  em.remove(server);
  try {
    await em.flush();
  } catch (err) {
    if (err instanceof ForeignKeyConstraintViolationException || (err as { code?: string }).code === '23001') throw new AppError('SERVER_IN_USE');
    throw err;
  }
  await panels.forget(id);
  return server;
}

export async function setServerActive(em: EntityManager, id: string, active: boolean): Promise<Server> {
  const server = await getServerOrFail(em, id);
  server.active = active;
  await em.flush();
  return server;
}

/** Tests a saved server's connection and records the detected version. */
export async function testServer(em: EntityManager, panels: PanelRegistry, id: string): Promise<ServerTestResult> {
  const server = await getServerOrFail(em, id);
  const { info, ...result } = await probePanel(panels.adapterFor(server));
  if (info) {
    server.detectedVersion = info.version;
    server.versionProfile = info.profile;
  }
  server.lastCheckedAt = new Date();
  server.lastError = result.error;
  await em.flush();
  return result;
}

/** Reads the panel's inbounds into our table. */
export async function syncInbounds(em: EntityManager, panels: PanelRegistry, id: string): Promise<Inbound[]> {
  const server = await getServerOrFail(em, id);
  const inbounds = await panels.adapterFor(server).listInbounds();
  return saveInbounds(em, server, inbounds);
}

/** Servers, each with its count of subscriptions that take capacity (one grouped query). */
export async function listServers(em: EntityManager, ids?: string[]): Promise<Array<{ server: Server; activeSubscriptions: number }>> {
  const servers = await em.find(Server, ids ? { id: { $in: ids.filter(isUuid) } } : {}, { orderBy: { name: 'asc' } });
  const counts = await activeSubscriptionCounts(em, servers.map((s) => s.id));
  return servers.map((server) => ({ server, activeSubscriptions: counts.get(server.id) ?? 0 }));
}

/** Count of capacity-taking subscriptions per server id. */
export async function activeSubscriptionCounts(em: EntityManager, serverIds: string[]): Promise<Map<string, number>> {
  if (serverIds.length === 0) return new Map();
  const rows = await em.execute<Array<{ server_id: string; n: number }>>(
    `select server_id, count(*)::int as n from subscription where server_id in (?) and status in (?) group by server_id`,
    [serverIds, LOAD_STATUSES],
  );
  return new Map(rows.map((r) => [r.server_id, r.n]));
}

/** Inbounds of a server. */
export async function listInbounds(em: EntityManager, serverId: string): Promise<Inbound[]> {
  return em.find(Inbound, { server: serverId }, { orderBy: { port: 'asc' } });
}
