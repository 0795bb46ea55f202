import path from 'node:path';
import type { Command } from 'commander';
import { loadExeca } from '../execa-lazy.js';
import { SidewheelError } from '../errors.js';
import { resolveRequirements } from '../runtime/query.js';
import { activationRequirements } from '../requirements/parse.js';
import { targetInterpreter } from './context.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a command with the given requirements active (through SIDEWHEEL_REQUIRES); the interpreter\'s scripts directory goes first on PATH')
    .option('-r, --requirement <file>', 'a requirements file (pip\'s format) whose requirements to activate (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('--with <requirement>', 'a requirement to activate, e.g. "pkg<2" (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .argument('<command...>', 'the command, after --')
    .action(async (command: string[], flags: { python?: string; requirement: string[]; with: string[] }) => {
      const requirements = [...flags.with, ...activationRequirements(flags.requirement)];
      if (requirements.length === 0) throw new SidewheelError('USAGE', 'nothing to activate', 'name requirements with --with REQ, or a requirements file with -r FILE');
      const python = await targetInterpreter(flags.python);
      // Resolve first: a requirement nothing satisfies is a clean one-line failure here,
      // not a warning from inside the child.
      await resolveRequirements(python, requirements);
      const env = {
        ...process.env,
        SIDEWHEEL_REQUIRES: requirements.join('\n'),
        PATH: [python.scheme.scripts, process.env.PATH].filter(Boolean).join(path.delimiter),
        ...(python.isVenv ? { VIRTUAL_ENV: python.prefix } : {}),
      };
      const [file, ...args] = command;
      const execa = await loadExeca();
      const child = await execa(file!, args, { env, stdio: 'inherit', reject: false });
      if (child.exitCode === undefined) {
        throw new SidewheelError('USAGE', `cannot run ${file}: ${child.originalMessage || child.shortMessage}`, 'is the command on PATH?');
      }
      process.exitCode = child.exitCode;
    });
}
