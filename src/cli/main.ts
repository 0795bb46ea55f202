#!/usr/bin/env node
/**
 * The only place that turns errors into exit codes: a SidewheelError is the user's
 * problem and gets one line (and a hint); anything else is our bug and keeps its stack.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_CODES, isSidewheelError } from '../errors.js';
import { registerBundle } from './bundle.js';
import { registerDoctor } from './doctor.js';
import { registerInstall } from './install.js';
import { registerList } from './list.js';
import { registerResolve } from './resolve.js';
import { registerRun } from './run.js';
import { registerUninstall } from './uninstall.js';

const program = new Command('sidewheel')
  .description('install Python wheels side by side, and activate them from __requires__')
  .exitOverride()
  .showSuggestionAfterError();
registerInstall(program);
registerUninstall(program);
registerList(program);
registerResolve(program);
registerRun(program);
registerDoctor(program);
registerBundle(program);
for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.exitCode = exitCodeFor(e);
}

function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError) {
    // Commander has already printed its message (or the help text).
    return e.exitCode === 0 ? 0 : EXIT_CODES.USAGE;
  }
  if (isSidewheelError(e)) {
    process.stderr.write(`sidewheel: ${e.message}\n`);
    if (e.hint) process.stderr.write(`hint: ${e.hint}\n`);
    return EXIT_CODES[e.code];
  }
  process.stderr.write(`sidewheel: internal error (a bug, please report it):\n${(e as Error)?.stack ?? String(e)}\n`);
  return 70;
}
