/** The target interpreter's PEP 508 marker environment, asked of the interpreter itself. */
import { SidewheelError } from '../errors.js';
import { loadExeca } from '../execa-lazy.js';
import { MARKER_ENVIRONMENT_SCRIPT, markerEnvironmentFrom, type MarkerEnvironment } from '../versions.js';
import type { InterpreterInfo } from './interpreter.js';

export async function markerEnvironment(python: InterpreterInfo): Promise<MarkerEnvironment> {
  const execa = await loadExeca();
  const r = await execa(python.executable, ['-I', '-c', MARKER_ENVIRONMENT_SCRIPT], { reject: false });
  if (r.exitCode !== 0) {
    throw new SidewheelError('PYTHON', `${python.executable} could not report its marker environment: ${String(r.stderr).trim().split('\n').pop()}`);
  }
  return markerEnvironmentFrom(JSON.parse(String(r.stdout)));
}
