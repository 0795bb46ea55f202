/**
 * Wheels in, validated Wheel objects out: from the shared cache when these exact bytes
 * were validated before, otherwise read, checked in full, and added to the cache.
 * Then the checks that depend on the target interpreter: tags and Requires-Python.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { WheelCache } from '../cache/wheel-cache.js';
import { SidewheelError } from '../errors.js';
import { parseWheelFilename } from '../names.js';
import { counter, type ProgressListener } from '../progress.js';
import { pythonVersionText, type InterpreterInfo } from '../python/interpreter.js';
import { supportsPython } from '../python/requires-python.js';
import { describeUnsupported, supportedTags, wheelRank } from '../tags.js';
import { openWheelBytes, type Wheel } from '../wheel/wheel.js';

/** A wheel to install: a file, or bytes with the name they go by (a bundle member). */
export interface WheelInput {
  /** A path (for messages and direct_url.json); its base name is the wheel's file name. */
  readonly file: string;
  /** The bytes when already in memory; else the file is read. */
  readonly bytes?: Buffer;
}

export interface LoadOptions {
  readonly python: InterpreterInfo;
  readonly cache: WheelCache | null;
  /** Extra platform tags from config, most specific first. */
  readonly extraPlatforms?: readonly string[];
  readonly onWarning?: (message: string) => void;
  readonly onProgress?: ProgressListener;
}

export async function loadWheels(inputs: readonly WheelInput[], options: LoadOptions): Promise<Wheel[]> {
  const tick = counter(options.onProgress, 'validating wheels', inputs.length);
  const wheels = await Promise.all(inputs.map(async (input) => loadWheel(input, options.cache).finally(tick)));
  const supported = supportedTags(options.python, { extraPlatforms: options.extraPlatforms ?? [] });
  for (const wheel of wheels) {
    checkInterpreter(wheel, options.python, supported);
    for (const w of wheel.warnings) options.onWarning?.(w);
  }
  return wheels;
}

async function loadWheel(input: WheelInput, cache: WheelCache | null): Promise<Wheel> {
  const filename = parseWheelFilename(path.basename(input.file));
  const bytes = input.bytes ?? (await readWheelFile(input.file));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const cached = cache?.lookup(filename.filename, sha256, input.file, bytes);
  if (cached) return cached;
  const wheel = await openWheelBytes(input.file, bytes, sha256);
  // The bytes are in memory already: this install writes from them, later ones copy from the cache.
  cache?.store(wheel);
  return wheel;
}

async function readWheelFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new SidewheelError('BAD_WHEEL', `${file}: cannot read (${why})`);
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
