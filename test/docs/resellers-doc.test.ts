import { execFile } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ERROR_CODES } from '../../src/errors';
import { signWebhook } from '../../src/services/webhook.delivery';
import { drainJobs } from '../helpers/jobs';
import { startWorld, type World } from '../helpers/world';
import { createApiReseller, NO_RATE_LIMIT } from '../resellers/helpers';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const DOC = fs.readFileSync(path.join(ROOT, 'docs', 'resellers.md'), 'utf8');
/** Scratch files live under node_modules so that `import 'graphql-request'` resolves from them. */
const SCRATCH = path.join(ROOT, 'node_modules', '.cache', 'resellers-doc');

/** Fenced blocks whose info string is `<lang> <tag>`, in document order. */
function blocks(lang: string, tag: string): string[] {
  const re = new RegExp('```' + lang + ' ' + tag + '\\n([\\s\\S]*?)```', 'g');
  return [...DOC.matchAll(re)].map((m) => m[1]!);
}

describe('docs/resellers.md', () => {
  let w: World;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    w = await startWorld({ config: NO_RATE_LIMIT });
    const r = await createApiReseller(w, { discountPercent: 10 }, { topUp: 5_000_000 });
    env = { PATH: process.env.PATH, API_URL: w.t.url, RESELLER_KEY: r.key, PLAN_ID: w.plan.id };
    fs.mkdirSync(SCRATCH, { recursive: true });
  });
  afterAll(async () => {
    fs.rmSync(SCRATCH, { recursive: true, force: true });
    await w.close();
  });

  it('has curl examples that answer data without errors', async () => {
    const examples = blocks('sh', 'example');
    expect(examples.length).toBeGreaterThanOrEqual(4);
    for (const script of examples) {
      const { stdout } = await run('sh', ['-c', script], { env, timeout: 20_000 });
      const body = JSON.parse(stdout) as { data?: unknown; errors?: unknown };
      expect({ script, errors: body.errors }).toEqual({ script, errors: undefined });
      expect(body.data).toBeTruthy();
    }
  });

  it('has a graphql-request example that runs as written (orders, idempotent retry, renewal, pagination, balance)', async () => {
    const [example] = blocks('js', 'example');
    const file = path.join(SCRATCH, `example-${randomUUID()}.mjs`);
    fs.writeFileSync(file, example!);
    // A worker runs beside the example: it waits for its subscription to be provisioned.
    let done = false;
    const child = run(process.execPath, [file], { env, timeout: 90_000 }).finally(() => (done = true));
    while (!done) {
      await drainJobs(w.t.orm, w.t.services, { tasks: ['provision_subscription', 'apply_order'] });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { stdout } = await child;
    const out = JSON.parse(stdout) as { order: { status: string; amountDue: number }; subscriptions: number; balance: { balance: number } };
    expect(out.order).toMatchObject({ status: 'PAID', amountDue: Math.round(w.plan.price * 0.9) });
    expect(out.subscriptions).toBe(1);
  });

  it('has a signature check that accepts our signature and refuses tampering and replays', async () => {
    const [snippet] = blocks('js', 'verify');
    const file = path.join(SCRATCH, `verify-${randomUUID()}.mjs`);
    fs.writeFileSync(file, snippet!);
    const secret = 'doc-secret-0123456789';
    const body = JSON.stringify({ id: randomUUID(), type: 'order.failed', data: {} });
    const ts = String(Math.floor(Date.now() / 1000));
    const headers = { 'x-webhook-timestamp': ts, 'x-signature': signWebhook(secret, ts, body) };
    expect(headers['x-signature']).toBe(`sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`);
    const harness = path.join(SCRATCH, `harness-${randomUUID()}.mjs`);
    fs.writeFileSync(
      harness,
      `import { verifyWebhook } from ${JSON.stringify(file)};\n` +
        `const c = JSON.parse(process.env.CASES);\n` +
        `console.log(JSON.stringify(c.map((x) => verifyWebhook(x.secret, x.headers, x.body, x.now))));\n`,
    );
    const now = Number(ts);
    const cases = [
      { secret, headers, body, now },
      { secret: 'another-secret-0123456', headers, body, now },
      { secret, headers, body: body.replace('order.failed', 'order.refunded'), now },
      { secret, headers, body, now: now + 301 },
      { secret, headers: { ...headers, 'x-signature': 'sha256=00' }, body, now },
    ];
    const { stdout } = await run(process.execPath, [harness], { env: { ...env, CASES: JSON.stringify(cases) } });
    expect(JSON.parse(stdout)).toEqual([true, false, false, false, false]);
  });

  it('lists only real error codes, including every reseller-specific one', () => {
    const table = DOC.slice(DOC.indexOf('## 7. Errors'), DOC.indexOf('## 8. Limits'));
    const codes = [...table.matchAll(/^\| `([A-Z_]+)`(?:, `([A-Z_]+)`)?/gm)].flatMap((m) => [m[1]!, m[2]].filter(Boolean) as string[]);
    const apollo = ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED'];
    expect(codes.filter((c) => !(c in ERROR_CODES) && !apollo.includes(c))).toEqual([]);
    for (const c of ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'RATE_LIMITED', 'INSUFFICIENT_BALANCE', 'QUOTA_EXCEEDED', 'PLAN_NOT_ALLOWED', 'IDEMPOTENCY_KEY_REUSED', 'RESELLER_SUSPENDED', 'WEBHOOK_URL_REFUSED']) {
      expect(codes).toContain(c);
    }
  });
});
