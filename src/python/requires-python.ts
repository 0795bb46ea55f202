/** Requires-Python, as pip checks it: against the full interpreter version, pre-releases allowed. */
import { SpecifierSet } from '../versions.js';
import { pythonVersionText, type InterpreterInfo } from './interpreter.js';

/** True when `requiresPython` (absent: no constraint) admits the interpreter. */
export function supportsPython(requiresPython: string | null | undefined, python: InterpreterInfo): boolean {
  return !requiresPython || new SpecifierSet(requiresPython).contains(pythonVersionText(python), true);
}
