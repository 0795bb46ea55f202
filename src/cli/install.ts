import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { WheelCache } from '../cache/wheel-cache.js';
import { LINK_MODES, loadConfig } from '../config.js';
import { SidewheelError } from '../errors.js';
import { chooseFromWheelhouse } from '../install/from-wheelhouse.js';
import { expandInputs } from '../install/inputs.js';
import type { WheelInput } from '../install/load.js';
import { describeResolved } from '../resolve/resolver.js';
import { installDefault, installSide, type InstallOptions, type InstallOutcome } from '../install/install.js';
import type { LinkMode } from '../install/transaction.js';
import { cacheRoot } from '../paths.js';
import { supportedTags } from '../tags.js';
import { announceActedOn, report, targetInterpreter, warn } from './context.js';
import { progressBar } from './progress-bar.js';

interface InstallFlags {
  python?: string;
  side?: boolean;
  zipped?: boolean;
  compile: boolean;
  cache: string | boolean;
  linkMode?: string;
  config?: string;
  breakSystemPackages?: boolean;
  quiet?: boolean;
  from?: string;
}

export function registerInstall(program: Command): void {
  program
    .command('install')
    .description('install wheels as the default version of their projects, or alongside it with --side')
    .argument('<targets...>', 'wheel files and bundles; with --from, requirements')
    .option('--side', 'install alongside the default version, activated at run time by __requires__')
    .option('--zipped', 'with --side: keep the .whl as it is instead of unpacking it (pure wheels only)')
    .option('--from <dir-or-bundle>', 'resolve the requirements given against the wheels of a directory or bundle, dependencies included')
    .option('--no-compile', 'do not compile bytecode')
    .option('--cache <dir>', 'the shared wheel cache (default: [cache] dir in the config, else the user cache directory)')
    .option('--no-cache', 'neither read nor fill the wheel cache')
    .option('--link-mode <mode>', `how cached files reach the environment: ${LINK_MODES.join(', ')} (default: clone, which copies where the filesystem cannot clone)`)
    .option('--config <file>', 'config file (default: $SIDEWHEEL_CONFIG, else the user config directory)')
    .option('--break-system-packages', 'install into an externally managed (PEP 668) interpreter anyway')
    .action(async (wheels: string[], flags: InstallFlags) => {
      if (flags.zipped && !flags.side) throw new SidewheelError('USAGE', '--zipped goes with --side');
      if (!flags.from) await refuseDirectories(wheels);
      const progress = progressBar(flags.quiet ?? false);
      try {
        const options = { ...(await installOptions(flags)), onProgress: progress.listener };
        const supported = supportedTags(options.python, { extraPlatforms: options.extraPlatforms });
        let inputs: readonly WheelInput[];
        if (flags.from) {
          const choice = await chooseFromWheelhouse(flags.from, wheels, { python: options.python, supported, keepInstalled: !flags.side });
          for (const project of choice.projects) report(`resolved ${describeResolved(project)}${project.wheel ? '' : ', already installed'}`);
          inputs = choice.inputs;
        } else inputs = await expandInputs(wheels, { python: options.python, supported, allVersions: flags.side ?? false });
        if (inputs.length === 0) return;
        const outcomes = flags.side ? await installSide(inputs, { ...options, zipped: flags.zipped ?? false }) : await installDefault(inputs, options);
        for (const o of outcomes) report(describeOutcome(o, flags.side ?? false));
        announceActedOn(options.python);
      } finally {
        progress.stop();
      }
    });
}

/** A directory given where a wheel or bundle goes is a mistake with a likely meaning: say it. */
async function refuseDirectories(targets: readonly string[]): Promise<void> {
  for (const target of targets) {
    if (!(await fs.stat(target).catch(() => null))?.isDirectory()) continue;
    if (target.endsWith('.whl')) throw new SidewheelError('BAD_WHEEL', `${target} is a directory, not a wheel file`, 'a wheel is a zip file; build or download the .whl itself');
    throw new SidewheelError('USAGE', `${target} is a directory, not a wheel or a bundle`, `did you mean --from ${target}? (sidewheel install --from ${target} NAME... resolves NAME against its wheels)`);
  }
}

async function installOptions(flags: InstallFlags): Promise<InstallOptions> {
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
  };
}

function describeOutcome(o: InstallOutcome, side: boolean): string {
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
