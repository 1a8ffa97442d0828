// `--help` on every command of the built CLI. Commands are discovered from the help output itself, so a
// new command or sweep subcommand is covered without touching this test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, tmpDir } from '../helpers/cli';

/** Command names listed under "Commands:" in a help text (commander's `help` pseudo-command left out). */
function listedCommands(help: string): string[] {
  const lines = help.split('\n');
  const start = lines.indexOf('Commands:');
  if (start < 0) return [];
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.trim()) break;
    const m = /^ {2}(\S+)/.exec(line); // deeper indentation continues the previous description
    if (m && m[1] !== 'help') out.push(m[1]);
  }
  return out;
}

test('every command and subcommand answers --help with exit 0 and its usage', () => {
  const root = tmpDir();
  const seen: string[] = [];
  const visit = (path: string[]) => {
    const r = cli(root, [...path, '--help']);
    const name = ['trackwell', ...path].join(' ');
    assert.equal(r.code, 0, `${name} --help exited ${r.code}: ${r.stderr}`);
    assert.ok(r.stdout.startsWith(`Usage: ${name} `), `${name} --help prints its usage first:\n${r.stdout}`);
    assert.match(r.stdout, /-h, --help/);
    seen.push(path.join(' '));
    for (const sub of listedCommands(r.stdout)) visit([...path, sub]);
  };
  visit([]);
  // The discovery found the commands (a parser that finds nothing would make this test pass vacuously).
  for (const c of ['run', 'ui', 'serve', 'sync', 'ls', 'show', 'export', 'logs', 'sweep', 'agent', 'sweep create', 'sweep ls', 'sweep stop']) {
    assert.ok(seen.includes(c), `${c} was not listed by --help (found: ${seen.join(', ')})`);
  }
});

test('bare trackwell prints the help and exits 0', () => {
  const r = cli(tmpDir(), []);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.startsWith('Usage: trackwell '), r.stdout);
  assert.deepEqual(listedCommands(r.stdout), listedCommands(cli(tmpDir(), ['--help']).stdout));
});
