/**
 * What `install` does with requirements (on the command line, in -r files, or to be
 * found in --from wheelhouses), and pip's verbs on any install: plan, print the plan
 * for --dry-run (text or --json), else install what the plan says. Kept apart from the
 * command's own file so the command only adds options and calls in here.
 */
import { promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { SidewheelError } from '../errors.js';
import { findInstalled } from '../environment/installed.js';
import { installDefault, installSide, type InstallOptions, type InstallOutcome } from './install.js';
import type { WheelInput } from '../sources/load.js';
import { normalizeName, parseWheelFilename, type Tag } from '../names.js';
import { cacheRoot } from '../paths.js';
import { sameVersion } from '../versions.js';
import { interpreterTarget } from '../index/choose.js';
import { downloadBars, indexFlags, type IndexOptionFlags, type RequirementOptionFlags } from '../index/cli-options.js';
import { chooseFromLock, fetchLocked } from '../index/pylock.js';
import { describePlanEntry, gatherRequest, planInstall, type PlanEntry } from '../index/request.js';

export interface PipVerbFlags {
  upgrade?: boolean;
  forceReinstall?: boolean;
  deps: boolean;
  dryRun?: boolean;
  json?: boolean;
}

export interface RequirementInstallFlags extends IndexOptionFlags, RequirementOptionFlags, PipVerbFlags {
  from?: string;
  side?: boolean;
  zipped?: boolean;
  quiet?: boolean;
}

/** A wheel file or a bundle (an existing file), as opposed to a requirement. */
export function isFileTarget(target: string): boolean {
  if (target.endsWith('.whl')) return true;
  try {
    return statSync(target).isFile();
  } catch {
    return false;
  }
}

/** Whether `install` resolves (requirements, -r, --from), rather than installing the files named. */
export function wantsResolution(targets: readonly string[], flags: RequirementInstallFlags): boolean {
  return flags.from !== undefined || flags.requirement.length > 0 || targets.some((t) => !isFileTarget(t));
}

/** Where downloads go: the cache's download area, or a directory removed afterwards with --no-cache. */
export async function downloadArea(cacheDir: string | null): Promise<{ dir: string; release: () => Promise<void> }> {
  if (cacheDir !== null) return { dir: path.join(cacheDir, 'downloads'), release: async () => undefined };
  await fs.mkdir(cacheRoot(), { recursive: true });
  const dir = await fs.mkdtemp(path.join(cacheRoot(), 'downloads-'));
  return { dir, release: () => fs.rm(dir, { recursive: true, force: true }) };
}

export async function installRequirements(targets: readonly string[], flags: RequirementInstallFlags, options: InstallOptions & { readonly config: Config; readonly cacheDir: string | null }, supported: readonly Tag[], say: (line: string) => void): Promise<void> {
  const files = targets.filter(isFileTarget);
  if (files.length) throw new SidewheelError('USAGE', `${files[0]} is a file, and the other targets are requirements`, 'install files and requirements in separate commands, or put the wheel in a directory and use --find-links DIR');
  const gathered = gatherRequest(
    { requirements: targets, requirementFiles: flags.requirement, constraintFiles: flags.constraint, requireHashes: flags.requireHashes ?? false, index: indexFlags(flags), from: flags.from ? [flags.from] : [] },
    options.config.index,
  );
  const bars = downloadBars(flags.quiet ?? false);
  const area = await downloadArea(options.cacheDir);
  try {
    const planned = await planInstall(gathered, {
      python: options.python,
      target: interpreterTarget(options.python, supported),
      side: flags.side ?? false,
      upgrade: flags.upgrade ?? false,
      forceReinstall: flags.forceReinstall ?? false,
      noDeps: flags.deps === false,
      downloadDir: area.dir,
      download: !flags.dryRun,
      ...(bars.listener ? { onDownload: bars.listener } : {}),
    });
    bars.stop();
    await carryOut(planned.entries, planned.inputs, flags, options, say);
  } finally {
    bars.stop();
    await area.release();
  }
}

/** `install pylock.toml`: the lock's wheels for this interpreter, then the same plan as for files. */
export async function installLock(lockFile: string, flags: RequirementInstallFlags, options: InstallOptions & { readonly cacheDir: string | null }, supported: readonly Tag[], say: (line: string) => void): Promise<void> {
  let text: string;
  try {
    text = await fs.readFile(lockFile, 'utf8');
  } catch (e) {
    throw new SidewheelError('USAGE', `cannot read ${lockFile} (${(e as Error).message})`);
  }
  const choices = chooseFromLock(text, path.basename(lockFile), interpreterTarget(options.python, supported));
  const bars = downloadBars(flags.quiet ?? false);
  const area = await downloadArea(options.cacheDir);
  try {
    const inputs = await fetchLocked(choices, lockFile, area.dir, bars.listener);
    bars.stop();
    await installFiles(inputs, flags, options, say);
  } finally {
    bars.stop();
    await area.release();
  }
}

/**
 * Wheel files and bundle members named directly: the same plan (without resolution).
 * A default of the same version already installed is left alone unless --force-reinstall.
 */
export async function installFiles(inputs: readonly WheelInput[], flags: RequirementInstallFlags, options: InstallOptions, say: (line: string) => void): Promise<void> {
  const installed = flags.side ? [] : await findInstalled(options.python);
  const entries: PlanEntry[] = [];
  const kept: WheelInput[] = [];
  for (const input of inputs) {
    const fileName = path.basename(input.file);
    const parsed = parseWheelFilename(fileName);
    const current = installed.find((d) => normalizeName(d.name) === normalizeName(parsed.name)) ?? null;
    const same = current !== null && sameVersion(current.version, parsed.version.replace(/_/g, '-'));
    if (same && !flags.forceReinstall) {
      entries.push({ name: current.name, version: current.version, action: 'already-satisfied', installed: current.version, fileName: null, origin: null });
      continue;
    }
    kept.push(input);
    entries.push({ name: parsed.name, version: parsed.version, action: current === null ? 'install' : same ? 'reinstall' : 'replace', installed: current?.version ?? null, fileName, origin: path.dirname(input.file) });
  }
  await carryOut(entries, kept, flags, options, say);
}

async function carryOut(entries: readonly PlanEntry[], inputs: readonly WheelInput[], flags: RequirementInstallFlags, options: InstallOptions, say: (line: string) => void): Promise<void> {
  if (flags.dryRun) {
    if (flags.json) say(JSON.stringify({ side: flags.side ?? false, plan: entries }, null, 2));
    else for (const e of entries) say(describePlanEntry(e));
    return;
  }
  if (!flags.quiet) {
    for (const e of entries) {
      if (e.resolved !== undefined) say(`resolved ${e.resolved}${e.action === 'already-satisfied' ? ', already installed' : ''}`);
      else if (e.action === 'already-satisfied') say(`${e.name} ${e.version} is already installed; nothing changed (--force-reinstall reinstalls it)`);
    }
  }
  if (inputs.length === 0) return;
  const outcomes = flags.side ? await installSide(inputs, { ...options, zipped: flags.zipped ?? false }) : await installDefault(inputs, options);
  if (!flags.quiet) for (const o of outcomes) say(describeOutcome(o, flags.side ?? false));
}

export function describeOutcome(o: InstallOutcome, side: boolean): string {
  const what = `${o.name} ${o.version}`;
  switch (o.action) {
    case 'replaced':
      return `installed ${what} (replacing ${o.detail})`;
    case 'already-installed':
      return `${what} is already installed at ${o.detail}; nothing changed`;
    default:
      return side ? `installed ${what} alongside, at ${o.detail}` : `installed ${what}`;
  }
}
