/**
 * Bytecode compiled by the target interpreter, on every core: the jobs are dealt out to
 * a small pool of interpreter processes. Sources are compiled where they are staged,
 * with `dfile` set to their final path so tracebacks and `co_filename` name the
 * installed file, exactly as compiling in place would.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { counter, type ProgressListener } from '../progress.js';
import type { InterpreterInfo } from '../python/interpreter.js';

export interface CompileJob {
  /** The staged source file. */
  readonly source: string;
  /** Where the source will finally live. */
  readonly target: string;
  /** Where to write the staged .pyc. */
  readonly output: string;
}

export interface CompiledFile {
  readonly output: string;
  /** The final `__pycache__/...pyc` path of the compiled file. */
  readonly target: string;
  /** Its RECORD hash (`sha256=...`) and size, computed by the worker that wrote it. */
  readonly hash: string;
  readonly size: number;
}

// One line out per job, as it is done (the progress bar counts them): the final .pyc
// path, its RECORD hash and size, or nothing when the source does not compile. Failures
// are skipped silently, as pip does: a wheel may ship files that are not valid for this
// Python (templates, py2-only tests), and they must not block the install. A worker
// never outlives sidewheel: killed, sidewheel can no longer stop it, so it watches for
// being orphaned and exits rather than keep writing into a staging area the next run
// is recovering.
const COMPILE_SCRIPT = String.raw`
import base64, hashlib, importlib.util, json, os, py_compile, sys, threading, time
def _exit_when_orphaned(parent=int(sys.argv[1])):
    while os.getppid() == parent:
        time.sleep(0.05)
    os._exit(1)
threading.Thread(target=_exit_when_orphaned, daemon=True).start()
out = sys.stdout
for source, target, output in json.load(sys.stdin):
    try:
        py_compile.compile(source, cfile=output, dfile=target, doraise=True)
        with open(output, "rb") as f:
            data = f.read()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        done = "%s\tsha256=%s\t%d" % (importlib.util.cache_from_source(target), digest, len(data))
    except Exception:
        done = ""
    out.write(done + "\n")
    out.flush()
`;

/** Below this many files per worker, another interpreter's start costs more than it saves. */
const MIN_JOBS_PER_WORKER = 24;

/** `signal` stops every worker at once (and throws its reason) when it aborts. */
export async function compileBytecode(python: InterpreterInfo, jobs: readonly CompileJob[], options: { readonly onProgress?: ProgressListener; readonly signal?: AbortSignal } = {}): Promise<CompiledFile[]> {
  if (jobs.length === 0) return [];
  const tick = counter(options.onProgress, 'compiling bytecode', jobs.length);
  const workers = Math.max(1, Math.min(availableParallelism(), Math.floor(jobs.length / MIN_JOBS_PER_WORKER)));
  // Dealt round-robin: files of one package, often of similar size, spread over the pool.
  const shares = Array.from({ length: workers }, (_, w) => jobs.filter((_, i) => i % workers === w));
  const results = await Promise.all(shares.map((share) => compileShare(python, share, tick, options.signal)));
  options.signal?.throwIfAborted();
  return results.flat();
}

function compileShare(python: InterpreterInfo, share: readonly CompileJob[], tick: () => void, signal: AbortSignal | undefined): Promise<CompiledFile[]> {
  return new Promise((resolve) => {
    const child = spawn(python.executable, ['-I', '-c', COMPILE_SCRIPT, String(process.pid)], { stdio: ['pipe', 'pipe', 'ignore'], ...(signal && { signal }) });
    const compiled: CompiledFile[] = [];
    let pending = '';
    let next = 0;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      const lines = (pending + text).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const job = share[next++];
        const [target, hash, size] = line.split('\t');
        if (job && target && hash && size) compiled.push({ output: job.output, target, hash, size: Number(size) });
        tick();
      }
    });
    // An interpreter that cannot run at all (or a worker stopped by the signal) compiles
    // nothing; the install goes on without bytecode, or the caller throws the signal's reason.
    child.on('error', () => resolve([]));
    child.on('close', (code) => resolve(code === 0 ? compiled : []));
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(share.map((j) => [j.source, j.target, j.output])));
  });
}
