import fs from 'node:fs';
import path from 'node:path';

/**
 * `--profile`: the API ran with --cpu-prof; prints where its CPU went, grouped by package
 * (node_modules/<name>, our own src/, node internals), and the top functions by self time.
 */
export function printProfile(dir: string): void {
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const prof = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
      nodes: Array<{ id: number; hitCount?: number; children?: number[]; callFrame: { functionName: string; url: string; lineNumber: number } }>;
    };
    const total = prof.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0);
    const byPkg = new Map<string, number>();
    const byFn = new Map<string, number>();
    for (const n of prof.nodes) {
      const hits = n.hitCount ?? 0;
      if (!hits) continue;
      const url = n.callFrame.url;
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
      const pkg = m ? m[1]! : url.includes('/dist/src/') ? 'our code (src/)' : url ? 'node internals' : `(${n.callFrame.functionName || 'program'})`;
      byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + hits);
      const fn = `${n.callFrame.functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, '')}:${n.callFrame.lineNumber + 1}`;
      byFn.set(fn, (byFn.get(fn) ?? 0) + hits);
    }
    // Total (inclusive) time of our own functions: a sample counts for every distinct function on its stack.
    const parent = new Map<number, number>();
    for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const ours = new Map<string, number>();
    for (const n of prof.nodes) {
      const hits = n.hitCount ?? 0;
      if (!hits) continue;
      const seen = new Set<string>();
      for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
        const f = byId.get(id)!.callFrame;
        if (!f.url.includes('/dist/src/')) continue;
        const name = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/dist\//, '')}:${f.lineNumber + 1}`;
        if (!seen.has(name)) ours.set(name, (ours.get(name) ?? 0) + hits);
        seen.add(name);
      }
    }
    const top = (m: Map<string, number>, k: number) =>
      [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, h]) => `  ${((100 * h) / total).toFixed(1).padStart(5)}%  ${name}\n`).join('');
    process.stdout.write(`\nCPU profile of the API (${file}), self time by package:\n${top(byPkg, 15)}top functions:\n${top(byFn, 25)}our functions by total time:\n${top(ours, 25)}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
