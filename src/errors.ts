/**
 * Every failure sidewheel expects (bad input, a refused environment, a missing
 * distribution) is a SidewheelError with a stable code and, where it helps, a hint.
 * Only the CLI entry point turns these into exit codes; anything else that escapes
 * is a bug and is shown with its stack.
 */
export type ErrorCode =
  | 'USAGE' // the command line itself is wrong
  | 'BAD_WHEEL' // a wheel failed validation
  | 'BAD_FILENAME' // a wheel or bundle file name does not parse
  | 'UNSUPPORTED_TAGS' // no tag of the wheel is supported by the interpreter
  | 'BAD_REQUIREMENT' // a PEP 508 requirement or specifier does not parse
  | 'BAD_VERSION' // a PEP 440 version does not parse
  | 'BAD_CONFIG' // the config file is malformed
  | 'BAD_BUNDLE' // a bundle is malformed or fails its manifest
  | 'MISSING_INPUT' // a file or directory named as input does not exist
  | 'PYTHON' // the target interpreter cannot be found or probed
  | 'EXTERNALLY_MANAGED' // PEP 668 refusal
  | 'NOT_INSTALLED' // uninstall or resolve of something absent
  | 'ALREADY_INSTALLED' // a side version that is already there
  | 'UNSAFE_RECORD' // an installed RECORD points outside the environment
  | 'RESOLUTION' // no set of versions satisfies the requirements
  | 'LOCKED' // another sidewheel holds the environment's lock too long
  | 'IO' // the environment could not be written
  | 'INTERRUPTED' // SIGINT arrived; the change was rolled back
  | 'TERMINATED' // SIGTERM arrived; the change was rolled back
  | 'BAD_INDEX' // a package index answered with something unusable (bad page, wrong hash, too large)
  | 'NETWORK'; // a package index could not be reached (refused, reset, timed out, HTTP error)

export class SidewheelError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SidewheelError';
    this.code = code;
    this.hint = hint;
  }
}

/** Exit codes by error family, so scripts can tell a user error from an environment one. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  USAGE: 2,
  BAD_WHEEL: 3,
  BAD_FILENAME: 3,
  UNSUPPORTED_TAGS: 3,
  BAD_REQUIREMENT: 3,
  BAD_VERSION: 3,
  BAD_CONFIG: 3,
  BAD_BUNDLE: 3,
  MISSING_INPUT: 3,
  PYTHON: 4,
  EXTERNALLY_MANAGED: 4,
  NOT_INSTALLED: 5,
  ALREADY_INSTALLED: 5,
  UNSAFE_RECORD: 5,
  RESOLUTION: 6,
  LOCKED: 7,
  IO: 8,
  // As a shell reports a process killed by the signal: 128 + its number.
  INTERRUPTED: 130,
  TERMINATED: 143,
  BAD_INDEX: 3,
  NETWORK: 9,
};

export function isSidewheelError(e: unknown): e is SidewheelError {
  return e instanceof SidewheelError;
}
