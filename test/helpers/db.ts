import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { openOrm } from '../../src/main/orm';
import { TEMPLATE_DB, workerDbName } from './db-names';

function serverUrl(): string {
  const url = process.env.TEST_PG_SERVER_URL;
  if (!url) throw new Error('TEST_PG_SERVER_URL is not set: run tests through jest (global-setup)');
  return url;
}

/** The URL of this jest worker's own database (cloned from the template in global-setup). */
export function workerDatabaseUrl(): string {
  return `${serverUrl()}/${workerDbName(Number(process.env.JEST_WORKER_ID ?? '1'))}`;
}

/** Opens an ORM on this worker's database; close it in afterAll. */
export async function openTestOrm(poolMax = 10): Promise<MikroORM> {
  return openOrm(workerDatabaseUrl(), poolMax);
}

/** A fresh database cloned from the template, for tests that must see an empty world. */
export async function createIsolatedDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `vp_iso_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const c = new Client({ connectionString: `${serverUrl()}/postgres` });
  await c.connect();
  try {
    await c.query(`create database "${name}" template "${TEMPLATE_DB}"`);
  } finally {
    await c.end();
  }
  return {
    url: `${serverUrl()}/${name}`,
    drop: async () => {
      const d = new Client({ connectionString: `${serverUrl()}/postgres` });
      await d.connect();
      try {
        await d.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await d.end();
      }
    },
  };
}
