import type { Command } from 'commander';
import { doctor } from '../doctor.js';
import { SidewheelError } from '../errors.js';
import { say, targetInterpreter } from './context.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description("check the runtime, the index and interrupted installs; --fix rewrites what is wrong")
    .option('--python <python>', 'target interpreter')
    .option('--fix', 'rewrite the runtime and its index, and roll back interrupted installs')
    .action(async (flags: { python?: string; fix?: boolean }) => {
      const report = await doctor(await targetInterpreter(flags.python), flags.fix ?? false);
      for (const problem of report.problems) say(`problem: ${problem}`);
      if (report.problems.length === 0) say('no problems found');
      else if (report.fixed) say('fixed: the runtime and its index were rewritten');
      else throw new SidewheelError('NOT_INSTALLED', `${report.problems.length} problem(s) found`, 'run sidewheel doctor --fix');
    });
}
