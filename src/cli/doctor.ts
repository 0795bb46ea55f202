import type { Command } from 'commander';
import { doctor } from '../doctor.js';
import { SidewheelError } from '../errors.js';
import { say, targetInterpreter } from './context.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the runtime (its files against its RECORD), the index, interrupted changes and empty .dist-info directories; --fix repairs what it can')
    .option('--python <python>', 'target interpreter')
    .option('--fix', 'rewrite the runtime and its index, recover interrupted changes, remove empty .dist-info directories')
    .option('--json', 'print the report as JSON: {"problems": [...], "fixed": bool, "remaining": [...]}')
    .action(async (flags: { python?: string; fix?: boolean; json?: boolean }) => {
      const report = await doctor(await targetInterpreter(flags.python), flags.fix ?? false);
      if (flags.json) {
        const messages = (list: typeof report.problems): string[] => list.map((p) => p.message);
        process.stdout.write(JSON.stringify({ problems: messages(report.problems), fixed: report.fixed, remaining: messages(report.remaining) }, null, 2) + '\n');
      } else {
        for (const problem of report.problems) say(`problem: ${problem.message}${report.fixed && !report.remaining.some((r) => r.message === problem.message) ? ' (fixed)' : ''}`);
        if (report.problems.length === 0) say('no problems found');
      }
      if (report.remaining.length > 0) {
        const fixable = report.remaining.some((p) => p.fixable) && !report.fixed;
        throw new SidewheelError('NOT_INSTALLED', `${report.remaining.length} problem(s) ${report.fixed ? 'remain' : 'found'}`, fixable ? 'run sidewheel doctor --fix' : 'these need fixing by hand');
      }
    });
}
