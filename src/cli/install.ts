import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { WheelCache } from '../cache/wheel-cache.js';
import { LINK_MODES, loadConfig, type Config } from '../config.js';
import { SidewheelError } from '../errors.js';
import { addIndexOptions, addRequirementOptions } from '../index/cli-options.js';
import { installFiles, installLock, installRequirements, wantsResolution, type RequirementInstallFlags } from '../install/install-command.js';
import { isLockFileName } from '../index/pylock.js';
import { expandInputs } from '../sources/inputs.js';
import type { InstallOptions } from '../install/install.js';
import type { LinkMode } from '../environment/transaction.js';
import { cacheRoot } from '../paths.js';
import { supportedTags } from '../tags.js';
import { announceActedOn, report, say, targetInterpreter, warn } from './context.js';
import { progressBar } from './progress-bar.js';

interface InstallFlags extends RequirementInstallFlags {
  python?: string;
  compile: boolean;
  cache: string | boolean;
  linkMode?: string;
  config?: string;
  breakSystemPackages?: boolean;
}

export function registerInstall(program: Command): void {
  const command = program
    .command('install')
    .description('install wheels as the default version of their projects, or alongside it with --side')
    .argument('[targets...]', 'wheel files and bundles, or requirements (resolved against the indexes, --find-links and --from)')
    .option('--side', 'install alongside the default version, activated at run time by __requires__')
    .option('--zipped', 'with --side: keep the .whl as it is instead of unpacking it (pure wheels only)')
    .option('--from <dir-or-bundle>', 'resolve the requirements given against the wheels of a directory or bundle, dependencies included')
    .option('--no-compile', 'do not compile bytecode')
    .option('--cache <dir>', 'the shared wheel cache (default: [cache] dir in the config, else the user cache directory)')
    .option('--no-cache', 'neither read nor fill the wheel cache')
    .option('--link-mode <mode>', `how cached files reach the environment: ${LINK_MODES.join(', ')} (default: clone, which copies where the filesystem cannot clone)`)
    .option('--config <file>', 'config file (default: $SIDEWHEEL_CONFIG, else the user config directory)')
    .option('--break-system-packages', 'install into an externally managed (PEP 668) interpreter anyway')
    .option('-U, --upgrade', 'the newest versions of what is asked for, even where the installed default would do')
    .option('--force-reinstall', 'reinstall every default, even one of the same version')
    .option('--no-deps', 'install what is asked for, not its dependencies')
    .option('--dry-run', 'print the plan (installed, replaced, left as it is), change nothing')
    .option('--json', 'with --dry-run: the plan as JSON');
  addRequirementOptions(addIndexOptions(command)).action(async (targets: string[], flags: InstallFlags) => {
    if (flags.zipped && !flags.side) throw new SidewheelError('USAGE', '--zipped goes with --side');
    if (targets.length === 0 && flags.requirement.length === 0) throw new SidewheelError('USAGE', 'nothing to install', 'name wheel files, bundles or requirements, or a requirements file with -r FILE');
    if (!flags.from) await refuseDirectories(targets);
    const progress = progressBar(flags.quiet ?? false);
    // A dry run's plan is what was asked for; -q silences only reports of changes.
    const out = flags.dryRun ? say : report;
    try {
      const options = { ...(await installOptions(flags)), onProgress: progress.listener };
      const supported = supportedTags(options.python, { extraPlatforms: options.extraPlatforms });
      if (targets.length === 1 && isLockFileName(targets[0]!)) await installLock(targets[0]!, flags, options, supported, out);
      else if (wantsResolution(targets, flags)) await installRequirements(targets, flags, options, supported, out);
      else await installFiles(await expandInputs(targets, { python: options.python, supported, allVersions: flags.side ?? false }), flags, options, out);
      if (!flags.dryRun) announceActedOn(options.python);
    } finally {
      progress.stop();
    }
  });
}

/** A directory given where a wheel or bundle goes is a mistake with a likely meaning: say it. */
async function refuseDirectories(targets: readonly string[]): Promise<void> {
  for (const target of targets) {
    // A bare name is a requirement even when a directory of that name is here.
    if (!/[/\\]/.test(target) && !target.endsWith('.whl')) continue;
    if (!(await fs.stat(target).catch(() => null))?.isDirectory()) continue;
    if (target.endsWith('.whl')) throw new SidewheelError('BAD_WHEEL', `${target} is a directory, not a wheel file`, 'a wheel is a zip file; build or download the .whl itself');
    throw new SidewheelError('USAGE', `${target} is a directory, not a wheel or a bundle`, `did you mean --from ${target}? (sidewheel install --from ${target} NAME... resolves NAME against its wheels)`);
  }
}

async function installOptions(flags: InstallFlags): Promise<InstallOptions & { config: Config; cacheDir: string | null }> {
  const config = loadConfig(flags.config);
  if (flags.linkMode !== undefined && !(LINK_MODES as readonly string[]).includes(flags.linkMode)) {
    throw new SidewheelError('USAGE', `--link-mode ${flags.linkMode} is not one of ${LINK_MODES.join(', ')}`);
  }
  const cacheDir = flags.cache === false ? null : typeof flags.cache === 'string' ? path.resolve(flags.cache) : (config.cacheDir ?? path.join(cacheRoot(), 'wheels'));
  return {
    python: await targetInterpreter(flags.python),
    compile: flags.compile,
    breakSystemPackages: flags.breakSystemPackages ?? false,
    cache: cacheDir === null ? null : new WheelCache(cacheDir),
    linkMode: (flags.linkMode as LinkMode | undefined) ?? config.linkMode ?? 'clone',
    extraPlatforms: config.extraPlatforms,
    onWarning: warn,
    config,
    cacheDir,
  };
}
