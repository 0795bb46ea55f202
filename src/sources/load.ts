/**
 * Wheels in, validated Wheel objects out: from the shared cache when these exact bytes
 * were validated before, otherwise unpacked (into a new cache entry, or into a scratch
 * directory beside site-packages) while every member is checked, in one pass with
 * bounded memory. Then the checks that depend on the target interpreter: tags and
 * Requires-Python. Nothing unpacked is visible to the environment: installing moves or
 * copies it in later, under the transaction.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PendingEntry, WheelCache } from '../cache/wheel-cache.js';
import { SidewheelError } from '../errors.js';
import { parseWheelFilename } from '../names.js';
import { counter, type ProgressListener } from '../progress.js';
import { pythonVersionText, type InterpreterInfo } from '../python/interpreter.js';
import { supportsPython } from '../python/requires-python.js';
import { describeUnsupported, supportedTags, wheelRank } from '../tags.js';
import { sha256Of, type ByteRange } from '../wheel/archive.js';
import { openWheel, type Wheel } from '../wheel/wheel.js';

/** A wheel to install: a file, or a range of another file with the name it goes by (a bundle member). */
export interface WheelInput {
  /** A path (for messages and direct_url.json); its base name is the wheel's file name. */
  readonly file: string;
  /** Where the bytes are, when not in `file` itself. */
  readonly range?: ByteRange;
  /** The wheel's sha256, when already verified (a bundle's manifest). */
  readonly sha256?: string;
}

export interface LoadOptions {
  readonly python: InterpreterInfo;
  readonly cache: WheelCache | null;
  /** Extra platform tags from config, most specific first. */
  readonly extraPlatforms?: readonly string[];
  readonly onWarning?: (message: string) => void;
  readonly onProgress?: ProgressListener;
}

/**
 * Load and check the wheels, give them to `use`, then remove whatever was unpacked
 * outside the cache. The wheels' files are valid only inside `use`.
 */
export async function withWheels<T>(inputs: readonly WheelInput[], options: LoadOptions, use: (wheels: Wheel[]) => Promise<T>): Promise<T> {
  const scratch = new Scratch(options.python.scheme.purelib);
  try {
    const tick = counter(options.onProgress, 'validating wheels', inputs.length);
    const wheels: Wheel[] = [];
    // One at a time: each wheel's unpacking is synchronous work, and memory stays bounded by one member.
    for (const input of inputs) {
      wheels.push(await loadWheel(input, options.cache, scratch));
      tick();
    }
    const supported = supportedTags(options.python, { extraPlatforms: options.extraPlatforms ?? [] });
    for (const wheel of wheels) {
      checkInterpreter(wheel, options.python, supported);
      for (const w of wheel.warnings) options.onWarning?.(w);
    }
    return await use(wheels);
  } finally {
    scratch.remove();
  }
}

async function loadWheel(input: WheelInput, cache: WheelCache | null, scratch: Scratch): Promise<Wheel> {
  const filename = parseWheelFilename(path.basename(input.file));
  const range = input.range ?? wholeFile(input.file);
  const sha256 = input.sha256 ?? sha256Of(range);
  const cached = cache?.lookup(filename.filename, sha256, { source: input.file, archive: range });
  if (cached) return cached;
  const pending: PendingEntry | null = cache?.begin() ?? null;
  const dest = pending?.filesDir ?? scratch.newDir();
  try {
    const wheel = await openWheel(range, { dest, movable: pending === null, sha256, file: input.file });
    return (pending && cache!.commit(pending, wheel)) ?? (pending ? scratch.adopt(pending.dir, wheel) : wheel);
  } catch (e) {
    if (pending) cache!.abandon(pending);
    throw e;
  }
}

function wholeFile(file: string): ByteRange {
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) throw new SidewheelError('BAD_WHEEL', `${file}: cannot read (it is a directory)`);
    return { file, offset: 0, size: stat.size };
  } catch (e) {
    if (e instanceof SidewheelError) throw e;
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new SidewheelError('BAD_WHEEL', `${file}: cannot read (${why})`);
  }
}

/**
 * Directories for wheels unpacked without the cache, beside site-packages (the same
 * filesystem as staging, so installing moves files rather than copying them). Named
 * with the pid, so one left by a killed run is recognised and removed by a later one.
 */
class Scratch {
  private readonly dirs: string[] = [];

  constructor(private readonly site: string) {}

  newDir(): string {
    if (this.dirs.length === 0) removeAbandoned(this.site);
    const dir = path.join(this.site, `${SCRATCH_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new SidewheelError('IO', `cannot unpack into ${this.site}: ${(e as Error).message}`, 'nothing was changed', { cause: e });
    }
    this.dirs.push(dir);
    return dir;
  }

  /** Take over a directory (a cache entry that could not be committed) to remove with the rest. */
  adopt(dir: string, wheel: Wheel): Wheel {
    this.dirs.push(dir);
    return wheel;
  }

  remove(): void {
    for (const dir of this.dirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}

const SCRATCH_PREFIX = '.sidewheel-unpack-';

function removeAbandoned(site: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(site);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(SCRATCH_PREFIX)) continue;
    const pid = Number(name.slice(SCRATCH_PREFIX.length).split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) fs.rmSync(path.join(site, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function checkInterpreter(wheel: Wheel, python: InterpreterInfo, supported: ReturnType<typeof supportedTags>): void {
  if (wheelRank(wheel.filename.tags, supported) === null) {
    throw new SidewheelError('UNSUPPORTED_TAGS', `${wheel.filename.filename}: ${describeUnsupported(wheel.filename.tags, python, supported)}`, 'use a wheel built for this interpreter and platform, or add its platform to [tags] platforms in the config');
  }
  const requiresPython = wheel.metadata.get('Requires-Python');
  if (!supportsPython(requiresPython, python)) {
    throw new SidewheelError('UNSUPPORTED_TAGS', `${wheel.filename.filename}: requires Python ${requiresPython}, and ${python.executable} is ${pythonVersionText(python)}`, 'use a version of the project that supports this Python');
  }
}
