import type { Command } from 'commander';
import { parseRemovalTarget, uninstall } from '../install/uninstall.js';
import { say, targetInterpreter } from './context.js';

export function registerUninstall(program: Command): void {
  program
    .command('uninstall')
    .description('remove a default version (exactly the files its RECORD lists) or, with ==VERSION, a side version')
    .argument('<names...>', 'NAME or NAME==VERSION')
    .option('--python <python>', 'target interpreter')
    .action(async (names: string[], flags: { python?: string }) => {
      const targets = names.map(parseRemovalTarget);
      const python = await targetInterpreter(flags.python);
      for (const r of await uninstall(targets, python)) {
        say(`removed ${r.name} ${r.version}${r.default ? '' : ' (side version)'} (${r.files} files)`);
      }
    });
}
