/** Where an interpreter's default scheme puts things, as sidewheel reads and writes them. */
import type { InterpreterInfo } from './interpreter.js';

/** The site directories (purelib, and platlib when it differs). */
export function siteDirs(python: InterpreterInfo): string[] {
  const { purelib, platlib } = python.scheme;
  return purelib === platlib ? [purelib] : [purelib, platlib];
}

/** Directories that removals may empty but never delete. */
export function cleanupRoots(python: InterpreterInfo): string[] {
  return [...siteDirs(python), python.scheme.scripts, python.scheme.data];
}
