import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'bot-codegen.ts');

/** Runs the generator the way `npm run codegen:bots` does (Node, not Jest's module loader). */
async function generate(dir: string, schemaFile?: string): Promise<string> {
  const args = ['-r', 'ts-node/register/transpile-only', SCRIPT, '--print', dir, ...(schemaFile ? ['--schema', schemaFile] : [])];
  const { stdout } = await run(process.execPath, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

const botDirs = readdirSync(path.join(ROOT, 'src', 'bots'))
  .map((b) => path.join(ROOT, 'src', 'bots', b, 'graphql'))
  .filter((d) => existsSync(d));

describe('typed GraphQL documents of the bots', () => {
  it('are generated from the current schema exactly as committed (run npm run codegen:bots after an API change)', async () => {
    expect(botDirs.map((d) => path.basename(path.dirname(d)))).toContain('shop');
    for (const dir of botDirs) {
      expect(await generate(dir)).toBe(readFileSync(path.join(dir, 'generated.ts'), 'utf8'));
    }
  });

  it('fail when the API drops a field a bot uses', async () => {
    const schema = path.join(mkdtempSync(path.join(tmpdir(), 'codegen-')), 'schema.graphql');
    writeFileSync(schema, readFileSync(path.join(ROOT, 'schema', 'schema.graphql'), 'utf8').replace('  subscriptionUrl: String!', '  subscriptionLink: String!'));
    const shop = botDirs.find((d) => d.includes(`${path.sep}shop${path.sep}`))!;
    await expect(generate(shop, schema)).rejects.toThrow(/Cannot query field "subscriptionUrl"/);
  });
});
