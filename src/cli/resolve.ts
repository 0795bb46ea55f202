import type { Command } from 'commander';
import { formatTable } from '../list.js';
import { resolveRequirements } from '../runtime/query.js';
import { targetInterpreter } from './context.js';

export function registerResolve(program: Command): void {
  program
    .command('resolve')
    .description('show which versions the runtime would activate for requirements, from where, and why')
    .argument('<requirements...>', 'PEP 508 requirements, e.g. "setuptools<60"')
    .option('--json', 'print a JSON array of rows')
    .action(async (requirements: string[], flags: { python?: string; json?: boolean }) => {
      const rows = await resolveRequirements(await targetInterpreter(flags.python), requirements);
      if (flags.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      process.stdout.write(formatTable(rows));
      for (const row of rows) if (row.reason) process.stdout.write(`${row.name} ${row.version}: ${row.reason}\n`);
    });
}
