import path from 'node:path';
import type { Command } from 'commander';
import { loadExeca } from '../execa-lazy.js';
import { SidewheelError } from '../errors.js';
import { resolveRequirements } from '../runtime/query.js';
import { targetInterpreter } from './context.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a command with the given requirements active (through SIDEWHEEL_REQUIRES); the interpreter\'s scripts directory goes first on PATH')
    .requiredOption('-r, --requirement <requirement...>', 'requirements to activate')
    .argument('<command...>', 'the command, after --')
    .action(async (command: string[], flags: { python?: string; requirement: string[] }) => {
      const python = await targetInterpreter(flags.python);
      // Resolve first: a requirement nothing satisfies is a clean one-line failure here,
      // not a warning from inside the child.
      await resolveRequirements(python, flags.requirement);
      const env = {
        ...process.env,
        SIDEWHEEL_REQUIRES: flags.requirement.join('\n'),
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
