#!/usr/bin/env node
/**
 * The only place that turns errors into exit codes: a SidewheelError is the user's
 * problem and gets one line (and a hint); anything else is our bug and keeps its stack.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_CODES, isSidewheelError } from '../errors.js';
import { packageVersion } from '../runtime/render.js';
import { addSharedOptions, isVerbose, setVerbosity, type SharedFlags } from './context.js';
import { EXAMPLES } from './examples.js';

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
  .version(packageVersion(), '-V, --version', 'print the version of sidewheel')
  .exitOverride()
  .showSuggestionAfterError();
const named = process.argv.slice(2).find((a) => !a.startsWith('-'));
const needed = named !== undefined && Object.hasOwn(COMMANDS, named) ? [COMMANDS[named]!] : Object.values(COMMANDS);
for (const register of await Promise.all(needed.map((load) => load()))) register(program);

/** The commands that act (those without subcommands), with their names as typed: `install`, `bundle create`. */
function leafCommands(parent: Command, prefix = ''): Array<[string, Command]> {
  return parent.commands.flatMap((c): Array<[string, Command]> => {
    c.exitOverride();
    const name = prefix + c.name();
    return c.commands.length ? leafCommands(c, `${name} `) : [[name, c]];
  });
}
for (const [name, command] of leafCommands(program)) {
  addSharedOptions(command);
  const examples = EXAMPLES[name];
  if (examples) command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}`);
}
program.hook('preAction', (_program, action) => setVerbosity(action.opts<SharedFlags>()));
// A reader that stops early (`sidewheel list | head`) is not an error; the command still finishes its work.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
});

try {
  // Bare `sidewheel` asks what it can do: help on stdout, success (commander would fail).
  if (process.argv.length <= 2) program.outputHelp();
  else await program.parseAsync(process.argv);
} catch (e) {
  process.exitCode = exitCodeFor(e);
}

function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError) {
    // Commander has already printed its message (or the help text).
    return e.exitCode === 0 ? 0 : EXIT_CODES.USAGE;
  }
  if (isSidewheelError(e)) {
    process.stderr.write(`sidewheel: ${oneLine(e.message)}\n`);
    if (e.hint) process.stderr.write(`hint: ${oneLine(e.hint)}\n`);
    if (isVerbose() && e.cause) process.stderr.write(`cause: ${e.cause instanceof Error ? e.cause.message : String(e.cause)}\n`);
    return EXIT_CODES[e.code];
  }
  process.stderr.write(`sidewheel: internal error (a bug, please report it):\n${(e as Error)?.stack ?? String(e)}\n`);
  return 70;
}

/** A message quotes untrusted text (member names, requirement strings): control characters are escaped, so it stays one line. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}
