import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { bashCompletion, completionTree, zshCompletion } from './completion';
import { buildProgram } from './main';

const program = () => buildProgram({ io: { out: () => undefined, err: () => undefined }, env: {} });
const hasBash = spawnSync('bash', ['--version']).status === 0;
const hasZsh = spawnSync('zsh', ['--version']).status === 0;

/** What bash offers after typing `words` (the last one is the word being completed). */
function bashOffers(script: string, words: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-completion-'));
  const file = join(dir, 'flotilla.bash');
  writeFileSync(file, script);
  const array = words.map((w) => `'${w}'`).join(' ');
  const r = spawnSync('bash', ['-c', `source ${file}; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _flotilla_complete; printf '%s\\n' "\${COMPREPLY[@]}"`], {
    encoding: 'utf8',
    cwd: dir,
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean);
}

test('the completion tree is the commander tree: every command, its subcommands and flags', () => {
  const nodes = new Map(completionTree(program()).map((n) => [n.path, n]));
  for (const path of ['', 'cluster', 'cluster get', 'cluster list', 'group delete', 'policy get', 'scan get', 'inspect get', 'upgrade list-available', 'upgrade cancel', 'token revoke', 'schedule set', 'completion']) {
    assert.ok(nodes.has(path), `${path || '(root)'} is completed`);
  }
  const list = nodes.get('cluster list');
  assert.deepEqual(list?.flags.find((f) => f.flag === '--output')?.choices, ['table', 'json', 'yaml']);
  assert.deepEqual(list?.flags.find((f) => f.flag === '--status')?.choices, ['PENDING', 'CONNECTED', 'DEGRADED', 'UNREACHABLE', 'DETACHED']);
  assert.ok(list?.flags.some((f) => f.flag === '-o' && f.takesValue));
  assert.ok(nodes.get('upgrade start')?.flags.some((f) => f.flag === '--wait' && !f.takesValue));
});

test('a command added to the tree completes without touching the generator', () => {
  const p = new Command('flotilla');
  p.command('fleet').command('sail').addOption(new Option('--speed <knots>').choices(['slow', 'fast']));
  const script = bashCompletion(p);
  assert.match(script, /'fleet sail:--speed'\) COMPREPLY=\(\$\(compgen -W 'slow fast'/);
});

test('bash completes commands, subcommands, flags and flag choices, skipping flag values', { skip: !hasBash && 'no bash' }, () => {
  const script = bashCompletion(program());
  assert.deepEqual(bashOffers(script, ['flotilla', 'cl']), ['cluster']);
  assert.deepEqual(bashOffers(script, ['flotilla', 'cluster', '']), ['attach', 'list', 'get', 'detach', 'create', 'delete']);
  assert.deepEqual(bashOffers(script, ['flotilla', 'upgrade', 'li']), ['list-available', 'list']);
  assert.deepEqual(bashOffers(script, ['flotilla', 'cluster', 'list', '-o', '']), ['table', 'json', 'yaml']);
  assert.deepEqual(bashOffers(script, ['flotilla', 'cluster', 'list', '--compliance', 'NON']), ['NON_COMPLIANT']);
  // "list" here is the value of --group, not a subcommand.
  assert.deepEqual(bashOffers(script, ['flotilla', 'cluster', 'list', '--group', 'list', '--st']), ['--status']);
  assert.deepEqual(bashOffers(script, ['flotilla', 'upgrade', 'start', 'tkg-1', '--to', 'v1.31.0', '--w']), ['--wait']);
  assert.deepEqual(bashOffers(script, ['flotilla', 'completion', '--h']), ['--help']);
});

test('zsh gets a compdef function from the same tree, with descriptions', () => {
  const script = zshCompletion(program());
  assert.match(script, /^#compdef flotilla\n/);
  assert.match(script, /'cluster list'\) subs=\(\); flags=\(.*'--compliance:only these \(comma-separated or repeated\)'/);
  assert.match(script, /'cluster list:--output'\) compadd -- 'table' 'json' 'yaml'; return ;;/);
  assert.match(script, /compdef _flotilla flotilla/);
});

test('zsh offers subcommands, flags and choices', { skip: !hasZsh && 'no zsh on this machine' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-zsh-'));
  const file = join(dir, '_flotilla');
  writeFileSync(file, zshCompletion(program()));
  assert.equal(spawnSync('zsh', ['-n', file], { encoding: 'utf8' }).status, 0, 'the script parses');
  // The completion system's own functions stand in as printers of what would be offered.
  const harness = [
    'compdef() { :; }',
    `source ${file}`,
    '_describe() { local -a items; items=("${(@P)4}"); print -l -- "${items[@]%%:*}"; }',
    'compadd() { shift; print -l -- "$@"; }',
    '_files() { print FILES; }',
    'offers() { words=("$@"); CURRENT=${#words}; _flotilla; }',
  ].join('\n');
  const offers = (...words: string[]) => {
    const r = spawnSync('zsh', ['-c', `${harness}\noffers ${words.map((w) => `'${w}'`).join(' ')}`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean);
  };
  assert.deepEqual(offers('flotilla', 'cluster', ''), ['attach', 'list', 'get', 'detach', 'create', 'delete']);
  assert.deepEqual(offers('flotilla', 'cluster', 'list', '-o', ''), ['table', 'json', 'yaml']);
  assert.ok(offers('flotilla', 'cluster', 'list', '--group', 'list', '--st').includes('--status'));
  assert.deepEqual(offers('flotilla', 'policy', 'apply', '-f', ''), ['FILES']);
});
