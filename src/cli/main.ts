#!/usr/bin/env node
/**
 * The only place that turns errors into exit codes: a SidewheelError is the user's
 * problem and gets one line (and a hint); anything else is our bug and keeps its stack.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_CODES, isSidewheelError } from '../errors.js';

// Each command loads only its own code (a chunk of the split bundle); help and
// mistyped commands load them all, in this order.
const COMMANDS: Record<string, () => Promise<(program: Command) => void>> = {
  install: async () => (await import('./install.js')).registerInstall,
  uninstall: async () => (await import('./uninstall.js')).registerUninstall,
  list: async () => (await import('./list.js')).registerList,
  resolve: async () => (await import('./resolve.js')).registerResolve,
  run: async () => (await import('./run.js')).registerRun,
  doctor: async () => (await import('./doctor.js')).registerDoctor,
  bundle: async () => (await import('./bundle.js')).registerBundle,
};

const program = new Command('sidewheel')
  .description('install Python wheels side by side, and activate them from __requires__')
  .exitOverride()
  .showSuggestionAfterError();
const named = process.argv.slice(2).find((a) => !a.startsWith('-'));
const needed = named !== undefined && Object.hasOwn(COMMANDS, named) ? [COMMANDS[named]!] : Object.values(COMMANDS);
for (const register of await Promise.all(needed.map((load) => load()))) register(program);
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
