import type { Command } from 'commander';
import { formatTable } from '../list.js';
import { listInstalled } from '../runtime/query.js';
import { targetInterpreter, warn } from './context.js';

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list installed distributions, default and side versions')
    .option('--python <python>', 'target interpreter')
    .option('--json', 'print a JSON array of {name, version, default, path, format}')
    .action(async (flags: { python?: string; json?: boolean }) => {
      const { rows, indexProblem } = await listInstalled(await targetInterpreter(flags.python));
      process.stdout.write(flags.json ? JSON.stringify(rows, null, 2) + '\n' : formatTable(rows));
      if (indexProblem) warn(`${indexProblem}; side versions are not listed (sidewheel doctor --fix rewrites the index)`);
    });
}
