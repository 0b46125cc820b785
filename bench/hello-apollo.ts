/**
 * The anchor of `npm run bench:api`: a bare Apollo Server (same version as the product) answering
 * the same `plans` shape from memory, on node:http like the product. Nothing else: no auth, no
 * database, no limits. Started by bench/api.ts as its own process; prints `listening <port>`.
 */
import { ApolloServer, HeaderMap } from '@apollo/server';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const typeDefs = /* GraphQL */ `
  type Plan { id: ID! code: String! titleFa: String! titleEn: String! price: Int! trafficBytes: Float! durationDays: Int! deviceLimit: Int! }
  type Query { plans: [Plan!]! }
`;

const plans = Array.from({ length: 10 }, (_, i) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  code: `plan-${i}`,
  titleFa: `پلن ${i}`,
  titleEn: `Plan ${i}`,
  price: (i + 1) * 50_000,
  trafficBytes: (i + 1) * 10 * 1024 ** 3,
  durationDays: 30,
  deviceLimit: 2,
}));

async function main(): Promise<void> {
  const apollo = new ApolloServer({ typeDefs, resolvers: { Query: { plans: () => plans } } });
  await apollo.start();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = new HeaderMap();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      apollo
        .executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: req.method ?? 'POST', headers, search: '', body: JSON.parse(Buffer.concat(chunks).toString() || '{}') },
          context: async () => ({}),
        })
        .then((r) => {
          for (const [k, v] of r.headers) res.setHeader(k, v);
          res.statusCode = r.status ?? 200;
          res.end(r.body.kind === 'complete' ? r.body.string : '');
        })
        .catch(() => {
          res.statusCode = 500;
          res.end();
        });
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`));
}

void main();
