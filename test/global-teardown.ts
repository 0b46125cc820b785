import fs from 'node:fs';

/** Stops the embedded PostgreSQL started by global-setup (its data folder is thrown away). */
export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as Record<string, unknown>).__EMBEDDED_PG__ as { stop(): Promise<void>; dataDir: string } | undefined;
  if (!pg) return;
  await pg.stop();
  fs.rmSync(pg.dataDir, { recursive: true, force: true });
}
