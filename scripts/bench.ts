/**
 * `npm run bench [-- name…]`: runs the benchmarks one after another (each in its own processes,
 * never two at once on this 2-core machine) and prints one JSON document with every result.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';

const dist = join(__dirname, '..');
const BENCHES: Record<string, string> = {
  registry: 'bench/registry.bench.js',
  'registry-1m': 'bench/registry-1m.bench.js',
  sync: 'bench/sync.bench.js',
  'kube-sim': 'apps/kube-sim/bench/kube-sim.bench.js',
  compliance: 'bench/compliance.bench.js',
  agent: 'bench/agent.bench.js',
  provisioning: 'bench/provisioning.bench.js',
  campaign: 'bench/campaign.bench.js',
  'policy-preview': 'bench/policy-preview.bench.js',
  webhooks: 'bench/webhooks.bench.js',
  'compliance-history': 'bench/compliance-history.bench.js',
};

function runOne(script: string): Promise<unknown> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(dist, script)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => {
      try {
        resolve(code === 0 ? JSON.parse(out) : { error: `exited with code ${code}` });
      } catch {
        resolve({ error: 'did not print JSON', output: out.slice(-2000) });
      }
    });
  });
}

async function main() {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !(w in BENCHES));
  if (unknown.length) {
    process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}\n`);
    process.exit(2);
  }
  const startedAt = new Date().toISOString();
  const results: Record<string, unknown> = {};
  for (const [name, script] of Object.entries(BENCHES)) {
    if (wanted.length && !wanted.includes(name)) continue;
    if (!existsSync(join(dist, script))) {
      results[name] = { skipped: 'not built' };
      continue;
    }
    process.stderr.write(`bench: ${name}…\n`);
    results[name] = await runOne(script);
  }
  process.stdout.write(JSON.stringify({ machine: { cpus: cpus().length, node: process.version }, startedAt, results }, null, 2) + '\n');
}

void main();
