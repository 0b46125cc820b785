import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';

const root = path.resolve(__dirname, '..', '..');
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');

interface LockPackage {
  engines?: { node?: string } | string[];
}

const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, LockPackage> };
const supported = new semver.Range(pkg.engines.node);
/** The oldest Node of each supported line (e.g. 20.19.0 and 22.13.0). */
const oldest = supported.set.map((comparators) => semver.minVersion(new semver.Range(comparators.map((c) => c.value).join(' ')))!.version);

describe('supported Node versions', () => {
  it('every locked package accepts the oldest Node of each supported line (npm ci prints no EBADENGINE)', () => {
    const refusing: string[] = [];
    for (const [name, entry] of Object.entries(lock.packages)) {
      const range = entry.engines && !Array.isArray(entry.engines) ? entry.engines.node : undefined;
      if (!range) continue;
      for (const version of oldest) {
        if (!semver.satisfies(version, range)) refusing.push(`${name} wants node ${range}, refuses ${version}`);
      }
    }
    expect(refusing).toEqual([]);
  });

  it('.nvmrc, CI and the README name a Node version that package.json engines allows', () => {
    const nvmrc = read('.nvmrc').trim();
    // actions/setup-node installs the newest release of the .nvmrc line.
    expect(semver.intersects(`${nvmrc}.x`, pkg.engines.node)).toBe(true);
    expect(read('.github/workflows/ci.yml')).toContain('node-version-file: .nvmrc');
    const readme = /You need Node\.js (\d+\.\d+)\+ \(or (\d+\.\d+)\+\)/.exec(read('README.md'));
    expect(readme).not.toBeNull();
    expect(oldest.map((v) => v.split('.').slice(0, 2).join('.'))).toEqual([readme![1], readme![2]]);
  });
});
