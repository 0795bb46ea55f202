/**
 * `npm run demo`: the main job end to end on this machine's python3. A venv, a default
 * and a side version of one project, a script whose __requires__ picks the side one,
 * and the versions listed. Every command is shown as a user would type it, run from the
 * project directory, where sidewheel finds `.venv` itself (as uv does).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { servedWheel, serveStatic, writeStaticIndex } from '../test/helpers/index-server.js';
import { writeWheel } from '../test/helpers/wheels.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'sidewheel.mjs');
const work = mkdtempSync(path.join(os.tmpdir(), 'sidewheel-demo-'));
const venv = path.join(work, '.venv');
const python = path.join(venv, 'bin', 'python');

function show(title: string, file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): void {
  const shown = file === process.execPath ? ['sidewheel', ...args.slice(1)] : [path.basename(file), ...args];
  const quoted = shown.map((a) => a.replace(work, '$DEMO')).map((a) => (/[\s<>;()"]/.test(a) ? `'${a}'` : a));
  console.log(`\n# ${title}\n$ ${quoted.join(' ')}`);
  const r = spawnSync(file, args, { cwd: work, encoding: 'utf8', env: { ...process.env, VIRTUAL_ENV: '', ...env } });
  process.stdout.write(r.stdout.replaceAll(work, '$DEMO'));
  process.stderr.write(r.stderr.replaceAll(work, '$DEMO'));
  if (r.status !== 0) throw new Error(`demo step failed: ${title} (exit ${r.status})`);
}

try {
  console.log(`sidewheel demo in ${work} ($DEMO below)`);
  show('a fresh virtual environment from the machine\'s python3', 'python3', ['-m', 'venv', '--without-pip', venv]);
  const greeting = (version: string): Promise<string> =>
    writeWheel(work, {
      name: 'greeting',
      version,
      files: { 'greeting/__init__.py': `VERSION = "${version}"\n\ndef hello():\n    return "hello from greeting ${version}"\n` },
    });
  const [v2, v1] = [await greeting('2.0'), await greeting('1.0')];
  const sw = (...args: string[]): string[] => [CLI, ...args];
  show('which sidewheel', process.execPath, sw('--version'));
  show('greeting 2.0 becomes the default version of .venv, as pip would install it', process.execPath, sw('install', path.basename(v2)));
  show('greeting 1.0 goes alongside it', process.execPath, sw('install', '--side', path.basename(v1)));
  show('both are there', process.execPath, sw('list'));

  const script = path.join(work, 'old_greeting.py');
  writeFileSync(script, '__requires__ = ["greeting<2"]\n\nimport importlib.metadata\nimport greeting\n\nprint(greeting.hello(), "| metadata says", importlib.metadata.version("greeting"))\n');
  console.log(`\n# a script that asks for greeting<2 (no import needed for that):\n${script.replace(work, '$DEMO')}:\n  __requires__ = ["greeting<2"]`);
  show('it gets the side version', python, [script]);
  show('without __requires__, the default', python, ['-c', 'import greeting; print(greeting.hello())']);
  show('the same choice from the command line, with the reason', process.execPath, sw('resolve', 'greeting<2'));
  show('and from inside Python, without Node', python, ['-m', 'sidewheel', 'list']);

  // The same from a package index: a static PEP 503 tree on 127.0.0.1, as pip would use it.
  const index = path.join(work, 'index');
  writeStaticIndex(index, ['1.0', '1.5', '2.0'].map((version) => servedWheel({ name: 'greeting', version, files: { 'greeting/__init__.py': `def hello():\n    return "hello from greeting ${version} (from the index)"\n` } })));
  const server = await serveStatic('python3', index);
  try {
    const fromIndex = path.join(work, 'venv-index');
    show('another venv, for installs from a package index', 'python3', ['-m', 'venv', '--without-pip', fromIndex]);
    const swi = (...args: string[]): string[] => [CLI, ...args, '--python', path.join(fromIndex, 'bin', 'python'), '--index-url', server.simpleUrl];
    show('the newest greeting from the index becomes the default', process.execPath, swi('install', 'greeting'));
    show('what a side install of greeting<2 would do', process.execPath, swi('install', '--side', '--dry-run', 'greeting<2'));
    show('and doing it', process.execPath, swi('install', '--side', 'greeting<2'));
    show('a command run with greeting<2 active', process.execPath, [CLI, 'run', '--python', path.join(fromIndex, 'bin', 'python'), '--with', 'greeting<2', '--', path.join(fromIndex, 'bin', 'python'), '-c', 'import greeting; print(greeting.hello())']);
  } finally {
    server.stop();
  }
  console.log('\ndemo finished: default 2.0, side 1.0, each picked where asked; the same from an index');
} finally {
  rmSync(work, { recursive: true, force: true });
}
