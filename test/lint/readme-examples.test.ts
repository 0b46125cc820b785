import fs from 'node:fs';
import path from 'node:path';
import { parse, validate } from 'graphql';
import { buildAppSchema } from '../../src/resolvers/schema';

/** The GraphQL the README shows: ```graphql blocks (one operation per line group) and inline `mutation { … }` / `{ … }` snippets. */
function examples(readme: string): string[] {
  const out: string[] = [];
  for (const block of readme.matchAll(/```graphql\n([\s\S]*?)```/g)) {
    const ops = block[1]
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n')
      .split(/\n(?=mutation |query |\{)/)
      .map((o) => o.trim())
      .filter((o) => o !== '');
    out.push(...ops);
  }
  for (const inline of readme.matchAll(/`((?:mutation|query) \{[^`]+\}|\{ [a-zA-Z]+[ (][^`]+\})`/g)) out.push(inline[1]);
  return out;
}

describe('README GraphQL examples', () => {
  it('are valid against the schema (RENEW with planId, top-up, wallet purchase, trial, failedJobs, …)', async () => {
    const schema = await buildAppSchema();
    const readme = fs.readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');
    const found = examples(readme);
    expect(found.length).toBeGreaterThan(15);
    const problems = found
      .map((op) => ({ op, errors: validate(schema, parse(op.replace(/"<[^>]+>"/g, '"00000000-0000-0000-0000-000000000000"'))).map((e) => e.message) }))
      .filter((r) => r.errors.length > 0);
    expect(problems).toEqual([]);
    for (const needed of ['kind: RENEW, planId:', 'kind: TOP_UP, amount:', 'paymentMethod: WALLET', 'isTrial: true', 'requestTrial', 'taskIdentifier']) {
      expect({ needed, shown: found.some((op) => op.includes(needed)) }).toEqual({ needed, shown: true });
    }
  });
});
