/**
 * Installs against the tools a user would otherwise reach for, each row against its
 * anchors in the same interleaved run: pip, pypa/installer (Debian's python3-installer,
 * run as `/usr/bin/python3 -m installer`), unzip, `unzip + compileall`, `node -e 0`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensurepipWheels } from '../test/helpers/pythons.js';
import { writeWheel } from '../test/helpers/wheels.js';
import { interleave, report, reportPeakRss, type Contender } from './measure.js';
import { benchWheel, CLI, fileCount, makeTarget, remover, warmProbe, wheelsOf } from './setup.js';

const INSTALLER = '/usr/bin/python3';

function hasInstaller(): boolean {
  return spawnSync(INSTALLER, ['-m', 'installer', '--help'], { stdio: 'ignore' }).status === 0;
}

function sitePackages(python: string): string {
  return execFileSync(python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).trim();
}

const node0: Contender = { label: 'node -e 0 (no work at all)', command: () => [process.execPath, '-e', '0'] };

function unzipInto(label: string, wheel: string, dir: string, compileWith?: string): Contender {
  return {
    label,
    prepare: () => rmSync(dir, { recursive: true, force: true }),
    command: () => (compileWith ? ['sh', '-c', `unzip -q -o "$0" -d "$1" && "$2" -m compileall -q "$1"`, wheel, dir, compileWith] : ['unzip', '-q', '-o', wheel, '-d', dir]),
  };
}

/** Default installs of one wheel: sidewheel, pip, pypa/installer, unzip (and compileall), node -e 0. */
function defaultRows(work: string, base: string, wheel: string, rounds: number, compile: boolean, tag: string): Contender[] {
  const ours = makeTarget(work, base, `${tag}-sidewheel`);
  const pips = makeTarget(work, base, `${tag}-pip`, true);
  warmProbe(ours);
  const noCompile = compile ? [] : ['--no-compile'];
  const contenders: Contender[] = [
    {
      label: `sidewheel install${compile ? '' : ' --no-compile'}`,
      prepare: remover(ours, wheel),
      command: () => [process.execPath, CLI, 'install', ...noCompile, '--no-cache', '--python', ours, wheel],
    },
    {
      label: `pip install${compile ? '' : ' --no-compile'}`,
      prepare: remover(pips, wheel),
      command: () => [pips, '-m', 'pip', 'install', '--no-deps', ...noCompile, '--disable-pip-version-check', '-q', wheel],
    },
  ];
  if (hasInstaller()) {
    const dest = path.join(work, `${tag}-installer`);
    contenders.push({
      label: `installer${compile ? ' (level 0)' : ' --no-compile-bytecode'}`,
      prepare: () => rmSync(dest, { recursive: true, force: true }),
      command: () => [INSTALLER, '-m', 'installer', '--destdir', dest, ...(compile ? ['--compile-bytecode', '0'] : ['--no-compile-bytecode']), wheel],
    });
  }
  contenders.push(compile ? unzipInto('unzip + compileall', wheel, path.join(work, `${tag}-unzip`), ours) : unzipInto('unzip -q -o', wheel, path.join(work, `${tag}-unzip`)));
  if (!compile) contenders.push(node0);
  report(`default install of ${path.basename(wheel)} (${fileCount(wheel)} files), --no-cache${compile ? ', with bytecode' : ''}; process start included`, interleave(contenders, rounds), contenders[0]!.label);
  return contenders;
}

/** A wheel of `count` small modules, made by the bench. */
async function manyFilesWheel(dir: string, count: number): Promise<string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) files[`manyfiles/d${Math.floor(i / 500)}/m${i}.py`] = `X = ${i}\n`;
  return writeWheel(dir, { name: 'manyfiles', version: '1.0', files });
}

/** Side installs: into a fresh venv (the runtime comes with it) and beside a runtime already there, against unzip. */
function sideRows(work: string, base: string, wheel: string, rounds: number): void {
  const fresh = makeTarget(work, base, 'side-fresh');
  const present = makeTarget(work, base, 'side-present');
  warmProbe(fresh);
  warmProbe(present);
  const freshSite = sitePackages(fresh);
  const name = path.basename(wheel).split('-')[0]!;
  const version = path.basename(wheel).split('-')[1]!;
  execFileSync(process.execPath, [CLI, 'install', '--side', '--no-compile', '--no-cache', '--python', present, wheel], { stdio: 'ignore' });
  const uninstall = (python: string) => (): void => {
    spawnSync(process.execPath, [CLI, 'uninstall', '--python', python, `${name}==${version}`], { stdio: 'ignore' });
  };
  const contenders: Contender[] = [
    {
      label: 'side install, runtime present',
      prepare: uninstall(present),
      command: () => [process.execPath, CLI, 'install', '--side', '--no-compile', '--no-cache', '--python', present, wheel],
    },
    {
      label: 'side install, fresh venv',
      prepare: () => {
        for (const n of readdirSync(freshSite)) if (n.startsWith('sidewheel') || n.endsWith('.whl')) rmSync(path.join(freshSite, n), { recursive: true, force: true });
      },
      command: () => [process.execPath, CLI, 'install', '--side', '--no-compile', '--no-cache', '--python', fresh, wheel],
    },
    unzipInto('unzip -q -o', wheel, path.join(work, 'side-unzip')),
    node0,
  ];
  report(`side install of ${path.basename(wheel)}, --no-compile --no-cache`, interleave(contenders, rounds), contenders[0]!.label);
}

/** Every wheel the machine's interpreters bundle: newest per project as defaults (vs pip, one process each), all of them as side versions. */
function realisticSet(work: string, base: string, rounds: number): void {
  const all = [...ensurepipWheels().values()];
  const newest = [...new Set(all.map((w) => path.basename(w).split('-')[0]!))].map((p) => wheelsOf(p)[0]!).filter(Boolean);
  const ours = makeTarget(work, base, 'set-sidewheel');
  const sides = makeTarget(work, base, 'set-sides');
  // pip runs from its own wheel, so the set (pip included) installs into a venv without pip.
  const pips = makeTarget(work, base, 'set-pip');
  const pipWheel = wheelsOf('pip')[0]!;
  warmProbe(ours);
  warmProbe(sides);
  const clearOurs = newest.map((w) => remover(ours, w));
  const clearPip = newest.map((w) => remover(pips, w));
  const sidesSite = sitePackages(sides);
  const files = newest.reduce((n, w) => n + fileCount(w), 0);
  const allFiles = all.reduce((n, w) => n + fileCount(w), 0);
  const contenders: Contender[] = [
    {
      label: `sidewheel install (${newest.length} wheels)`,
      prepare: () => clearOurs.forEach((c) => c()),
      command: () => [process.execPath, CLI, 'install', '--no-cache', '--python', ours, ...newest],
    },
    {
      label: `pip install (${newest.length} wheels)`,
      prepare: () => clearPip.forEach((c) => c()),
      command: () => [pips, path.join(pipWheel, 'pip'), 'install', '--no-deps', '--disable-pip-version-check', '-q', ...newest],
    },
    {
      label: `sidewheel install --side (${all.length})`,
      prepare: () => {
        for (const n of readdirSync(sidesSite)) if (n.endsWith('.whl')) rmSync(path.join(sidesSite, n), { recursive: true, force: true });
      },
      command: () => [process.execPath, CLI, 'install', '--side', '--no-cache', '--python', sides, ...all],
    },
  ];
  report(`a realistic set: ${newest.map((w) => path.basename(w)).join(', ')} (${files} files) as defaults; all ${all.length} bundled wheels (${allFiles} files) as side versions; with bytecode`, interleave(contenders, rounds), contenders[0]!.label);
}

export async function installBench(work: string, base: string, rounds: number): Promise<void> {
  if (!hasInstaller()) console.log(`\n(pypa/installer rows skipped: ${INSTALLER} -m installer is not available; apt-get install python3-installer)`);
  const wheel = benchWheel();
  if (wheel) {
    defaultRows(work, base, wheel, rounds, false, 'plain');
    defaultRows(work, base, wheel, rounds, true, 'bytecode');
    sideRows(work, base, wheel, rounds);
  } else console.log('\ninstall rows skipped: no setuptools or pip wheel in any ensurepip bundle');

  const wheels = path.join(work, 'generated');
  mkdirSync(wheels, { recursive: true });
  const many = await manyFilesWheel(wheels, 20_000);
  const rows = defaultRowsMany(work, base, many, Math.max(3, Math.floor(rounds / 3)));
  console.log('  peak memory, one run each:');
  reportPeakRss(rows);
  realisticSet(work, base, Math.max(3, Math.floor(rounds / 3)));
}

/** 20,000 small files: sidewheel vs pip vs unzip, no bytecode. */
function defaultRowsMany(work: string, base: string, wheel: string, rounds: number): Contender[] {
  const ours = makeTarget(work, base, 'many-sidewheel');
  const pips = makeTarget(work, base, 'many-pip', true);
  warmProbe(ours);
  const contenders: Contender[] = [
    { label: 'sidewheel install --no-compile', prepare: remover(ours, wheel), command: () => [process.execPath, CLI, 'install', '--no-compile', '--no-cache', '--python', ours, wheel] },
    { label: 'pip install --no-compile', prepare: remover(pips, wheel), command: () => [pips, '-m', 'pip', 'install', '--no-deps', '--no-compile', '--disable-pip-version-check', '-q', wheel] },
    unzipInto('unzip -q -o', wheel, path.join(work, 'many-unzip')),
  ];
  report(`default install of a wheel of ${fileCount(wheel)} small files, --no-cache`, interleave(contenders, rounds), contenders[0]!.label);
  return contenders;
}
