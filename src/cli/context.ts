/** What every command needs first: the target interpreter, found and probed. */
import type { InterpreterInfo } from '../python/interpreter.js';
import { locateInterpreter, probeInterpreter } from '../python/probe.js';

export async function targetInterpreter(requested: string | undefined): Promise<InterpreterInfo> {
  return probeInterpreter(await locateInterpreter(requested));
}

export function say(line: string): void {
  process.stdout.write(line + '\n');
}

export function warn(line: string): void {
  process.stderr.write(`sidewheel: warning: ${line}\n`);
}
