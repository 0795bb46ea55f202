import type { Command } from 'commander';
import { SidewheelError } from '../errors.js';
import { parseRemovalTarget, uninstall, type RemovalTarget } from '../install/uninstall.js';
import { listDistributions, type ListRow } from '../list.js';
import { normalizeName } from '../names.js';
import { RUNTIME_NAME } from '../runtime/render.js';
import { sameVersion } from '../versions.js';
import { announceActedOn, report, targetInterpreter } from './context.js';

interface UninstallFlags {
  python?: string;
  side?: boolean;
  default?: boolean;
  force?: boolean;
}

export function registerUninstall(program: Command): void {
  program
    .command('uninstall')
    .description('remove a default version (exactly the files its RECORD lists) or, with ==VERSION, a side version')
    .argument('<names...>', 'NAME (the default version) or NAME==VERSION (the default or a side version of that version)')
    .option('--side', 'every NAME==VERSION names a side version')
    .option('--default', 'every NAME[==VERSION] names the default version')
    .option('--force', 'remove the sidewheel runtime even though side versions remain (they can then no longer be activated)')
    .addHelpText('after', '\nNames that are not installed are reported after the others are removed, and the exit code is then 5.')
    .action(async (names: string[], flags: UninstallFlags) => {
      const targets = removalTargets(names, flags);
      const python = await targetInterpreter(flags.python);
      const rows = await listDistributions(python);
      if (!flags.force) refuseRuntimeRemoval(targets, rows);
      const present = targets.filter((t) => rows.some((row) => matches(t, row)));
      // When nothing named is there, the library says best why (which versions are installed instead).
      const removed = await uninstall(present.length ? present : targets, python);
      for (const r of removed) report(`removed ${r.name} ${r.version}${r.default ? '' : ' (side version)'} (${r.files} files)`);
      announceActedOn(python);
      const missing = targets.filter((t) => !present.includes(t));
      if (missing.length) throw new SidewheelError('NOT_INSTALLED', `not removed, as not installed: ${missing.map(describeTarget).join(', ')}`, 'sidewheel list shows what is installed');
    });
}

function removalTargets(names: readonly string[], flags: UninstallFlags): RemovalTarget[] {
  if (flags.side && flags.default) throw new SidewheelError('USAGE', '--side and --default exclude each other');
  const kind = flags.side ? 'side' : flags.default ? 'default' : undefined;
  return names.map((text) => {
    const target = parseRemovalTarget(text);
    if (kind === 'side' && target.version === null) throw new SidewheelError('USAGE', `--side needs NAME==VERSION, not ${text}`, 'sidewheel list shows the side versions installed');
    return kind ? { ...target, kind } : target;
  });
}

function matches(target: RemovalTarget, row: ListRow): boolean {
  if (normalizeName(row.name) !== normalizeName(target.name)) return false;
  if (target.version === null) return row.default;
  return (target.kind === undefined || (target.kind === 'default') === row.default) && sameVersion(row.version, target.version);
}

/** Removing the runtime while side versions stay would leave them installed but impossible to activate. */
function refuseRuntimeRemoval(targets: readonly RemovalTarget[], rows: readonly ListRow[]): void {
  if (!targets.some((t) => normalizeName(t.name) === RUNTIME_NAME && t.kind !== 'side')) return;
  const remaining = rows.filter((row) => !row.default && !targets.some((t) => matches(t, row)));
  if (remaining.length === 0) return;
  throw new SidewheelError(
    'USAGE',
    `sidewheel is the runtime that activates the ${remaining.length} side version${remaining.length === 1 ? '' : 's'} here (${remaining.map((r) => `${r.name} ${r.version}`).join(', ')}); without it they could no longer be activated`,
    'uninstall those side versions first, or pass --force',
  );
}

function describeTarget(target: RemovalTarget): string {
  return `${target.kind ? `${target.kind} ` : ''}${target.name}${target.version ? `==${target.version}` : ''}`;
}
