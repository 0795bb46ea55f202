import type { Command } from 'commander';
import { formatTable, listDistributions } from '../list.js';
import { targetInterpreter } from './context.js';

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list installed distributions, default and side versions')
    .option('--python <python>', 'target interpreter')
    .option('--json', 'print a JSON array of {name, version, default, path, format}')
    .action(async (flags: { python?: string; json?: boolean }) => {
      const rows = await listDistributions(await targetInterpreter(flags.python));
      process.stdout.write(flags.json ? JSON.stringify(rows, null, 2) + '\n' : formatTable(rows));
    });
}
