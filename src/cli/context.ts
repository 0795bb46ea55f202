/**
 * What every command shares: the options every command takes (`--python`, `-q`, `-v`),
 * the target interpreter found and probed, and where output goes. Output rules: results
 * on stdout; warnings, progress and the line naming the environment on stderr.
 */
import type { Command } from 'commander';
import { SidewheelError } from '../errors.js';
import { pythonVersionText, type InterpreterInfo } from '../python/interpreter.js';
import { locateInterpreter, parseVersionRequest, probeInterpreter, satisfiesVersionRequest } from '../python/probe.js';

export interface SharedFlags {
  readonly python?: string;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

const SHARED_GROUP = 'Options shared by all commands:';

/** Adds the shared options to a command, all under one heading; one it declares itself gets the shared wording. */
export function addSharedOptions(command: Command): void {
  const shared: Array<[string, string, string]> = [
    ['--python', '--python <python>', 'target interpreter: a path, an environment directory, a command, or a version such as 3.12 (default: $VIRTUAL_ENV, else .venv here or above, else python3 on PATH)'],
    ['--quiet', '-q, --quiet', 'no progress bars, no report of changes, no line naming the environment (what was asked for, and errors, still print)'],
    ['--verbose', '-v, --verbose', 'also name the environment for commands that only read it, and say why errors happened'],
  ];
  for (const [long, flags, description] of shared) {
    const existing = command.options.find((o) => o.long === long);
    if (existing) existing.helpGroup(SHARED_GROUP).description = description;
    else command.addOption(command.createOption(flags, description).helpGroup(SHARED_GROUP));
  }
}

type Verbosity = 'quiet' | 'normal' | 'verbose';
let verbosity: Verbosity = 'normal';

/** Set once per run, before the command's action. */
export function setVerbosity(flags: SharedFlags): void {
  verbosity = flags.quiet ? 'quiet' : flags.verbose ? 'verbose' : 'normal';
}

export function isVerbose(): boolean {
  return verbosity === 'verbose';
}

/** The interpreter to act on, probed; with -v, named on stderr. */
export async function targetInterpreter(requested: string | undefined): Promise<InterpreterInfo> {
  const python = await probeInterpreter(await locateInterpreter(requested));
  const version = requested === undefined ? null : parseVersionRequest(requested);
  if (version && !satisfiesVersionRequest(python.version, version)) {
    throw new SidewheelError('PYTHON', `${python.executable} is Python ${pythonVersionText(python)}, not ${version.join('.')}`, 'pass --python with the path to the interpreter wanted');
  }
  if (verbosity === 'verbose') process.stderr.write(`sidewheel: using ${describeEnvironment(python)}\n`);
  return python;
}

/**
 * A command that changes the environment names it on stderr (as uv does), so a change to
 * the wrong one is noticed; -q silences it, and -v said it already. Said once the command
 * has acted, so that a refusal's one line stays the first line.
 */
export function announceActedOn(python: InterpreterInfo): void {
  if (verbosity === 'normal') process.stderr.write(`sidewheel: acted on ${describeEnvironment(python)}\n`);
}

function describeEnvironment(python: InterpreterInfo): string {
  const name = python.implementation === 'cpython' ? 'CPython' : python.implementation === 'pypy' ? 'PyPy' : python.implementation;
  return `${python.isVenv ? 'virtual environment' : 'environment'} ${python.prefix} (${name} ${pythonVersionText(python)}, ${python.executable})`;
}

/** What the command was asked for (a table, a diagnosis): printed even with -q. */
export function say(line: string): void {
  process.stdout.write(line + '\n');
}

/** What a command did (installed, removed, wrote): silenced by -q. */
export function report(line: string): void {
  if (verbosity !== 'quiet') say(line);
}

export function warn(line: string): void {
  process.stderr.write(`sidewheel: warning: ${line}\n`);
}
