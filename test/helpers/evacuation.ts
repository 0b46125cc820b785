import type { MikroORM } from '@mikro-orm/postgresql';
import { randomBytes, randomUUID } from 'node:crypto';
import { buildSuiConfig } from '../../src/clients/sui.model';
import type { Server } from '../../src/entities/server.entity';
import type { AppServices } from '../../src/services/app-services';
import { panelNameFor } from '../../src/services/subscription.service';
import type { SuiSimulator } from '../../src/simulators/sui/sui.simulator';
import { GB } from '../factories/commerce';
import { queuedJobs, runJob, type QueuedJob } from './jobs';

/** An evacuation as the `evacuation` query shows it. */
export interface EvacuationView {
  id: string;
  status: string;
  total: number;
  moved: number;
  failed: number;
  remaining: number;
  leftovers: number;
  lastError: string | null;
}

export type Seeded = Array<{ id: string; panel_name: string; client_uuid: string; client_password: string; sub_token: string; status: string }>;

/**
 * Subscriptions inserted in one statement, and their clients seeded in the simulator in-process.
 * Every tenth is DISABLED and the next EXPIRED unless `status` is given.
 */
export async function seedSubscriptions(
  orm: MikroORM,
  opts: { count: number; customerId: string; planId: string; server: Server; sim: SuiSimulator; inboundId: number; status?: string },
): Promise<Seeded> {
  const expiresAt = new Date(Math.floor(Date.now() / 1000 + 30 * 86_400) * 1000);
  const seeded: Seeded = Array.from({ length: opts.count }, (_, i) => {
    const id = randomUUID();
    return {
      id,
      panel_name: panelNameFor(id),
      client_uuid: randomUUID(),
      client_password: randomBytes(12).toString('base64url'),
      sub_token: randomBytes(24).toString('base64url'),
      status: opts.status ?? (i % 10 === 0 ? 'DISABLED' : i % 10 === 1 ? 'EXPIRED' : 'ACTIVE'),
    };
  });
  await orm.em.fork().getConnection().execute(
    `insert into subscription (id, customer_id, plan_id, server_id, inbound_ids, panel_name, client_uuid, client_password, status, traffic_limit_bytes, expires_at, sub_token)
     select r.id, ?, ?, ?, ?::text[], r.panel_name, r.client_uuid, r.client_password, r.status, ?, ?, r.sub_token
       from jsonb_to_recordset(?::jsonb) as r(id uuid, panel_name text, client_uuid uuid, client_password text, status text, sub_token text)`,
    [opts.customerId, opts.planId, opts.server.id, `{${opts.inboundId}}`, 50 * GB, expiresAt.toISOString(), JSON.stringify(seeded)],
  );
  opts.sim.seedClients(
    seeded.map((s) => ({
      name: s.panel_name,
      enable: s.status === 'ACTIVE',
      config: buildSuiConfig(s.panel_name, s.client_uuid, s.client_password),
      volume: 50 * GB,
      expiry: Math.floor(expiresAt.getTime() / 1000),
    })),
    { inboundIds: [opts.inboundId] },
  );
  return seeded;
}

/** Pending jobs of `task` whose payload field `field` is `id` and that still have attempts left. */
export async function jobsFor(orm: MikroORM, task: string, field: string, id: string): Promise<QueuedJob[]> {
  return (await queuedJobs(orm, task)).filter((j) => j.payload[field] === id && j.attempts < j.maxAttempts);
}

/**
 * Runs the pending jobs of the given tasks for one evacuation like a worker with instant backoff
 * (a failed run counts an attempt), until none is left.
 */
export async function drainEvacuation(orm: MikroORM, services: AppServices, evacuationId: string, tasks: string[] = ['evacuate_server']): Promise<void> {
  const conn = orm.em.fork().getConnection();
  for (let round = 0; round < 50; round++) {
    const jobs = (await Promise.all(tasks.map((t) => jobsFor(orm, t, 'evacuationId', evacuationId)))).flat();
    if (jobs.length === 0) return;
    for (const job of jobs) {
      const err = await runJob(orm, services, job);
      if (err) await conn.execute(`update graphile_worker._private_jobs set attempts = attempts + 1, last_error = ? where id = ?::bigint`, [String(err), job.id]);
      else await conn.execute(`delete from graphile_worker._private_jobs where id = ?::bigint`, [job.id]);
    }
  }
  throw new Error('evacuation jobs did not settle');
}
