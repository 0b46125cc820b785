#!/usr/bin/env node
// Fails when a tracked file contains a Telegram bot token, a private key or one of our API keys.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');

const PATTERNS = [
  { name: 'Telegram bot token', re: /\b\d{8,10}:[A-Za-z0-9_-]{35}\b/ },
  { name: 'private key', re: /-----BEGIN (?:RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----/ },
  { name: 'platform API key', re: /\bvpk_[A-Za-z0-9]{10}_[A-Za-z0-9_-]{40,}/ },
];

const path = require('node:path');

/** Every file below `dir`, skipping what is never committed (used when this is not a git checkout). */
function walk(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', '.data', '.git', 'coverage'].includes(entry.name)) continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, out);
    else if (entry.isFile()) out.push(path.relative('.', p));
  }
  return out;
}

function listFiles() {
  try {
    return execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\0')
      .filter(Boolean);
  } catch {
    return walk('.'); // no git, or not a checkout (e.g. an unpacked archive)
  }
}

// A local .env holds the operator's real secrets by design; it is git-ignored and never committed.
const files = listFiles().filter((f) => !f.endsWith('package-lock.json') && (f === '.env.example' || !/^\.env(\.|$)/.test(path.basename(f))));

const findings = [];
for (const file of files) {
  let text;
  try {
    const buf = fs.readFileSync(file);
    if (buf.includes(0)) continue; // binary
    text = buf.toString('utf8');
  } catch {
    continue; // deleted in the work tree
  }
  text.split('\n').forEach((line, i) => {
    for (const p of PATTERNS) if (p.re.test(line)) findings.push(`${file}:${i + 1}: looks like a ${p.name}`);
  });
}
if (findings.length) {
  console.error(`Secret scan failed:\n${findings.join('\n')}`);
  process.exit(1);
}
console.log(`secret scan: ${files.length} files clean`);
