import type { Command } from 'commander';
import { installDefault, installSide, type InstallOutcome } from '../install/install.js';
import { say, targetInterpreter, warn } from './context.js';

interface InstallFlags {
  python?: string;
  side?: boolean;
  zipped?: boolean;
  compile: boolean;
  breakSystemPackages?: boolean;
}

export function registerInstall(program: Command): void {
  program
    .command('install')
    .description('install wheels as the default version of their projects, or alongside it with --side')
    .argument('<wheels...>', 'wheel files')
    .option('--side', 'install alongside the default version, activated at run time by __requires__')
    .option('--zipped', 'with --side: keep the .whl as it is instead of unpacking it (pure wheels only)')
    .option('--python <python>', 'target interpreter (default: $VIRTUAL_ENV, else python3 on PATH)')
    .option('--no-compile', 'do not compile bytecode')
    .option('--break-system-packages', 'install into an externally managed (PEP 668) interpreter anyway')
    .action(async (wheels: string[], flags: InstallFlags) => {
      if (flags.zipped && !flags.side) program.error('error: --zipped goes with --side', { exitCode: 2 });
      const python = await targetInterpreter(flags.python);
      const common = { python, compile: flags.compile, breakSystemPackages: flags.breakSystemPackages ?? false, onWarning: warn };
      const outcomes = flags.side ? await installSide(wheels, { ...common, zipped: flags.zipped ?? false }) : await installDefault(wheels, common);
      for (const o of outcomes) say(describeOutcome(o, flags.side ?? false));
    });
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
