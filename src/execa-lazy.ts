/**
 * execa costs ~150 ms to import (measured here: more than node's own start-up), and most
 * commands never start a process (a cached probe, --no-compile), so it loads on first use.
 */
import type { execa as Execa } from 'execa';

let loaded: Promise<typeof Execa> | undefined;

export function loadExeca(): Promise<typeof Execa> {
  loaded ??= import('execa').then((m) => m.execa);
  return loaded;
}
