/**
 * The command line's conventions, the same for every command: help and version, the
 * shared options, the README's command list and exit-code table (each example run),
 * one wording per mistake, hints for likely mistakes, and no escape codes where a
 * terminal cannot take them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { EXIT_CODES } from '../src/errors.js';
import { CLI, makeVenv, runCli, runPython, tempDir } from './helpers/env.js';
import { pythonsAtLeast } from './helpers/pythons.js';
import { writeWheel } from './helpers/wheels.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const python = pythonsAtLeast(3, 8).pop();
const work = tempDir('sidewheel-conventions-');
after(() => work.cleanup());

/** Command names as typed (`install`, `bundle create`), from the help itself. */
function commandsInHelp(prefix: readonly string[] = []): string[] {
  const help = runCli([...prefix, '--help']).stdout;
  const section = help.split(/^Commands:\n/m)[1] ?? '';
  const names = [...section.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!).filter((n) => n !== 'help');
  return names.flatMap((name) => {
    const sub = commandsInHelp([...prefix, name]);
    return sub.length ? sub : [[...prefix, name].join(' ')];
  });
}

const commands = commandsInHelp();

describe('help and version', () => {
  test('bare sidewheel prints help on stdout and succeeds', () => {
    const r = runCli([]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: sidewheel /);
    assert.equal(r.stderr, '');
  });

  test('--version and -V print the package version', () => {
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) assert.deepEqual(runCli([flag]), { status: 0, stdout: `${version}\n`, stderr: '' });
  });

  test('every command has examples and the shared options', () => {
    assert.ok(commands.length >= 7, commands.join(', '));
    for (const command of commands) {
      const help = runCli([...command.split(' '), '--help']).stdout;
      const shared = help.split('Options shared by all commands:\n')[1] ?? '';
      for (const option of ['--python <python>', '-q, --quiet', '-v, --verbose']) assert.ok(shared.includes(option), `${command} --help lacks ${option}`);
      const examples = (help.split('\nExamples:\n')[1] ?? '').split('\n').filter((l) => l.startsWith('  sidewheel '));
      assert.ok(examples.length >= 1 && examples.length <= 2, `${command} --help has ${examples.length} examples`);
      for (const example of examples) assert.ok(example.trim().startsWith(`sidewheel ${command}`), `${command}: ${example}`);
    }
  });
});

describe('the README says what --help says', () => {
  const usage = readme.split('## Using it')[1]!.split('\n## ')[0]!;
  const lines = [...usage.matchAll(/^sidewheel (.+)$/gm)].map((m) => m[1]!);

  test('its command list is the commands there are', () => {
    const named = new Set(lines.map((line) => commands.find((c) => line === c || line.startsWith(`${c} `)) ?? line.split(' ')[0]!));
    assert.deepEqual([...named].sort(), [...commands].sort());
  });

  test('every option it shows exists on that command', () => {
    for (const line of lines) {
      const command = commands.find((c) => line.startsWith(`${c} `) || line === c)!;
      const help = runCli([...command.split(' '), '--help']).stdout;
      const code = line.split('#')[0]!;
      for (const [option] of code.matchAll(/--[a-z][a-z-]*/g)) assert.ok(help.includes(option), `README: sidewheel ${line.trim()}: ${command} has no ${option}`);
    }
  });
});

/** The README's exit-code table: rows of code, meaning and example commands. */
function exitTable(): Array<{ code: number; examples: string[] }> {
  const rows = [...readme.matchAll(/^ *\| (\d+) \| [^|]+ \|([^\n]*)\|$/gm)];
  return rows.map((m) => ({ code: Number(m[1]), examples: [...m[2]!.matchAll(/`(sidewheel [^`]+)`/g)].map((e) => e[1]!) }));
}

/** Splits an example as a shell would (double quotes only, which is all the table uses). */
function shellWords(command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

describe('exit codes: the README table, walked', { skip: !python ? 'no CPython >= 3.8' : false }, () => {
  const dir = path.join(work.dir, 'table');
  const env = { VIRTUAL_ENV: '' };

  before(async () => {
    mkdirSync(dir);
    const venv = makeVenv(python!.executable, path.join(dir, '.venv'));
    const v1 = await writeWheel(dir, { name: 'pkg', version: '1.0', files: { 'pkg/__init__.py': 'V = "1.0"\n' } });
    const v2 = await writeWheel(dir, { name: 'pkg', version: '2.0', files: { 'pkg/__init__.py': 'V = "2.0"\n' } });
    assert.equal(runCli(['install', '-q', '--python', venv, v2]).status, 0);
    assert.equal(runCli(['install', '-q', '--side', '--python', venv, v1]).status, 0);
  });

  const table = exitTable();

  test('the table lists every exit code there is, and 0 and 70', () => {
    assert.deepEqual(
      table.map((row) => row.code),
      [...new Set([0, ...Object.values(EXIT_CODES), 70])].sort((a, b) => a - b),
    );
  });

  for (const { code, examples } of table) {
    for (const example of examples.filter((e) => e !== 'sidewheel doctor')) {
      test(`${example} exits ${code}`, () => {
        const r = spawnSync(process.execPath, [CLI, ...shellWords(example).slice(1)], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env, SIDEWHEEL_CACHE_DIR: path.join(work.dir, 'cache') } });
        assert.equal(r.status, code, r.stdout + r.stderr);
        if (code !== 0) assert.match(r.stderr, /^sidewheel: \S/, 'one line saying why, first');
        assert.doesNotMatch(r.stderr, /internal error|\n {4}at /);
      });
    }
  }

  test('sidewheel doctor exits 5 while problems remain', () => {
    const purelib = runPython(path.join(dir, '.venv', 'bin', 'python'), ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']).stdout.trim();
    const index = path.join(purelib, 'sidewheel', 'index.json');
    writeFileSync(index, '{"damaged": true}');
    const r = spawnSync(process.execPath, [CLI, 'doctor'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env, SIDEWHEEL_CACHE_DIR: path.join(work.dir, 'cache') } });
    assert.equal(r.status, 5, r.stdout + r.stderr);
  });

  test('a bad requirement reads the same in every command', () => {
    const venv = path.join(dir, '.venv', 'bin', 'python');
    const messages = [
      runCli(['resolve', '--python', venv, 'pkg<<2']),
      runCli(['run', '--python', venv, '--with', 'pkg<<2', '--', 'true']),
      runCli(['install', '-q', '--python', venv, '--from', dir, 'pkg<<2']),
    ].map((r) => {
      assert.equal(r.status, 3, r.stderr);
      return r.stderr.split('\n')[0];
    });
    assert.match(messages[0]!, /^sidewheel: invalid requirement "pkg<<2": .* \(at column 4\)$/);
    assert.deepEqual(new Set(messages).size, 1, messages.join('\n'));
  });
});

describe('hints for likely mistakes', { skip: !python ? 'no CPython >= 3.8' : false }, () => {
  let venv: string;
  before(() => {
    venv = makeVenv(python!.executable, path.join(work.dir, 'hints'));
  });

  test('a directory given to install: did you mean --from?', () => {
    mkdirSync(path.join(work.dir, 'wheels'));
    const r = spawnSync(process.execPath, [CLI, 'install', '--python', venv, './wheels'], { cwd: work.dir, encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, 'sidewheel: ./wheels is a directory, not a wheel or a bundle\nhint: did you mean --from ./wheels? (sidewheel install --from ./wheels NAME... resolves NAME against its wheels)\n');
  });

  test('a directory named like a wheel is a directory', () => {
    mkdirSync(path.join(work.dir, 'dir-1.0-py3-none-any.whl'));
    const r = spawnSync(process.execPath, [CLI, 'install', '--python', venv, './dir-1.0-py3-none-any.whl'], { cwd: work.dir, encoding: 'utf8' });
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /^sidewheel: \.\/dir-1\.0-py3-none-any\.whl is a directory, not a wheel file\n/);
  });

  test('errors name the path as given', async () => {
    const sub = path.join(work.dir, 'given');
    mkdirSync(sub);
    writeFileSync(path.join(sub, 'broken.zip'), 'not a zip at all');
    const bundle = spawnSync(process.execPath, [CLI, 'install', '--python', venv, 'given/broken.zip'], { cwd: work.dir, encoding: 'utf8' });
    assert.match(bundle.stderr, /^sidewheel: given\/broken\.zip: /, bundle.stderr);
    const missing = spawnSync(process.execPath, [CLI, 'install', '--python', venv, 'given/gone-1.0-py3-none-any.whl'], { cwd: work.dir, encoding: 'utf8' });
    assert.equal(missing.status, 3);
    assert.match(missing.stderr, /^sidewheel: given\/gone-1\.0-py3-none-any\.whl: /, missing.stderr);
  });
});

describe('a requirement nothing installed meets is reported', { skip: !python ? 'no CPython >= 3.8' : false }, () => {
  test('by run and resolve where there are only defaults (no runtime), by the runtime once there are side versions', async () => {
    const venv = makeVenv(python!.executable, path.join(work.dir, 'unmet'));
    const v1 = await writeWheel(work.dir, { name: 'unmet', version: '1.0', files: { 'unmet/__init__.py': '' } });
    assert.equal(runCli(['install', '-q', '--python', venv, v1]).status, 0);
    const app = path.join(work.dir, 'app.py');
    writeFileSync(app, '__requires__ = ["unmet>=2"]\nimport unmet\nprint("ran")\n');
    for (const args of [['run', '--with', 'unmet>=2', '--', venv, app], ['resolve', 'unmet>=2']]) {
      const r = runCli([args[0]!, '--python', venv, ...args.slice(1)]);
      assert.equal(r.status, 6, r.stdout + r.stderr);
      assert.match(r.stderr, /^sidewheel: .*unmet>=2/);
      assert.doesNotMatch(r.stdout, /ran/);
    }
    // The documented limit: no runtime, so plain python does not check.
    assert.equal(runPython(venv, [app]).stdout, 'ran\n');
    const other = await writeWheel(work.dir, { name: 'other', version: '0.1', files: { 'other/__init__.py': '' } });
    assert.equal(runCli(['install', '-q', '--side', '--python', venv, other]).status, 0);
    const r = runPython(venv, [app]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /unmet>=2/);
  });
});

const hasScript = spawnSync('script', ['--version']).status === 0;

describe('progress on a terminal that cannot draw', { skip: !python ? 'no CPython >= 3.8' : !hasScript ? 'no script(1) for a pseudo-terminal' : false }, () => {
  test('TERM=dumb: no escape codes at all', async () => {
    const files = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`dumb/m${i}.py`, `X = ${i}\n`]));
    const wheel = await writeWheel(work.dir, { name: 'dumb', version: '1.0', files });
    const venv = makeVenv(python!.executable, path.join(work.dir, 'dumb-env'));
    const command = [process.execPath, CLI, 'install', '--python', venv, wheel].map((a) => `'${a}'`).join(' ');
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'dumb', SIDEWHEEL_CACHE_DIR: path.join(work.dir, 'cache') };
    delete env.CI;
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stdout);
    assert.match(r.stdout, /installed dumb 1\.0/);
    assert.doesNotMatch(r.stdout, /\x1b/);
  });
});
