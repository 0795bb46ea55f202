/**
 * Script wrappers and shebangs, byte for byte as pip (through distlib's ScriptMaker)
 * writes them on POSIX, so a sidewheel install is indistinguishable from pip's.
 */
import type { EntryPoint } from '../wheel/entry-points.js';

// Linux truncates shebang lines past 127 bytes; distlib counts `#!` and the newline.
const MAX_SHEBANG = 127;

/** The first line(s) that make a script run with `executable`, with the `/bin/sh` trick for long or spaced paths. */
export function shebang(executable: string): string {
  const quoted = executable.includes(' ') ? `"${executable}"` : executable;
  if (!executable.includes(' ') && Buffer.byteLength(quoted) + 3 <= MAX_SHEBANG) return `#!${quoted}\n`;
  return `#!/bin/sh\n'''exec' ${quoted} "$0" "$@"\n' '''\n`;
}

/** `.data/scripts` files whose first line is `#!python` or `#!pythonw` get the real interpreter. */
export function rewriteShebang(data: Buffer, executable: string): Buffer {
  if (!data.subarray(0, 8).equals(Buffer.from('#!python'))) return data;
  const eol = data.indexOf(0x0a);
  const rest = eol === -1 ? Buffer.alloc(0) : data.subarray(eol + 1);
  return Buffer.concat([Buffer.from(shebang(executable)), rest]);
}

export function wrapperScript(executable: string, ep: EntryPoint): Buffer {
  // An entry point naming a module (no `:attr`) has nothing to call; distlib refuses it too.
  const attr = ep.attr ?? '';
  const importName = attr.split('.')[0];
  return Buffer.from(
    shebang(executable) +
      `# -*- coding: utf-8 -*-
import re
import sys
from ${ep.module} import ${importName}
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(${attr}())
`,
  );
}

/**
 * The console and GUI scripts to generate, keyed by file name. pip rewrites the
 * versioned wrappers of pip and easy_install (baked in for whichever Python built the
 * wheel) into ones for the target interpreter; sidewheel does the same so the same
 * wheel yields the same scripts.
 */
export function scriptEntryPoints(entryPoints: readonly EntryPoint[], pythonVersion: readonly [number, number, number]): Map<string, EntryPoint> {
  const [major, minor] = pythonVersion;
  const scripts = new Map<string, EntryPoint>();
  const console = entryPoints.filter((ep) => ep.group === 'console_scripts');
  const pip = console.find((ep) => ep.name === 'pip');
  const easyInstall = console.find((ep) => ep.name === 'easy_install');
  if (pip) for (const name of ['pip', `pip${major}`, `pip${major}.${minor}`]) scripts.set(name, { ...pip, name });
  if (easyInstall) for (const name of ['easy_install', `easy_install-${major}.${minor}`]) scripts.set(name, { ...easyInstall, name });
  for (const ep of console) {
    if (pip && /^pip(\d+(\.\d+)?)?$/.test(ep.name)) continue;
    if (easyInstall && /^easy_install(-\d+\.\d+)?$/.test(ep.name)) continue;
    scripts.set(ep.name, ep);
  }
  for (const ep of entryPoints) if (ep.group === 'gui_scripts') scripts.set(ep.name, ep);
  return scripts;
}
