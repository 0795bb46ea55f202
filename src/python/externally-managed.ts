/** PEP 668: an interpreter whose packages belong to the OS is not installed into unless asked. */
import { SidewheelError } from '../errors.js';
import type { InterpreterInfo } from './interpreter.js';

export function assertNotExternallyManaged(python: InterpreterInfo, breakSystemPackages: boolean): void {
  if (python.externallyManaged === null || breakSystemPackages) return;
  const message = python.externallyManaged.replace(/\s+/g, ' ').trim();
  throw new SidewheelError(
    'EXTERNALLY_MANAGED',
    `${python.executable} is externally managed: ${message}`,
    'install into a virtual environment (python3 -m venv DIR; --python DIR/bin/python), or pass --break-system-packages',
  );
}
