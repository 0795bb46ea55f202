/**
 * A made-up interpreter for tests of pure code (tags, install plans): every fact an
 * InterpreterInfo holds, spelled out once, so a test states only the facts it is about.
 */
import type { InterpreterInfo } from '../../src/python/interpreter.js';

/** CPython 3.11.4, x86_64 glibc 2.36, installed at /opt/python (not a venv, not externally managed). */
const BASE: InterpreterInfo = {
  executable: '/opt/python/bin/python3',
  implementation: 'cpython',
  version: [3, 11, 4],
  soabi: 'cpython-311-x86_64-linux-gnu',
  abiflags: '',
  debug: false,
  freeThreaded: false,
  platform: 'linux-x86_64',
  machine: 'x86_64',
  is32bit: false,
  libc: { kind: 'glibc', major: 2, minor: 36 },
  isVenv: false,
  prefix: '/opt/python',
  scheme: {
    purelib: '/opt/python/lib/python3.11/site-packages',
    platlib: '/opt/python/lib/python3.11/site-packages',
    scripts: '/opt/python/bin',
    data: '/opt/python',
    headers: '/opt/python/include/python3.11',
  },
  externallyManaged: null,
  markers: {
    implementation_name: 'cpython',
    implementation_version: '3.11.4',
    os_name: 'posix',
    platform_machine: 'x86_64',
    platform_release: '6.1.0',
    platform_system: 'Linux',
    platform_version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1',
    python_full_version: '3.11.4',
    platform_python_implementation: 'CPython',
    python_version: '3.11',
    sys_platform: 'linux',
  },
};

/** The base interpreter with some facts replaced (whole values: `scheme` is not merged). */
export function syntheticInterpreter(overrides: Partial<InterpreterInfo> = {}): InterpreterInfo {
  return { ...BASE, ...overrides };
}
