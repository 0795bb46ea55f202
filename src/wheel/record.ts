/** RECORD files: CSV rows of `path,algorithm=urlsafe-b64-digest,size`. */
import { createHash } from 'node:crypto';
import { compareCodePoints } from '../versions/python-text.js';

export interface RecordRow {
  readonly path: string;
  /** `sha256=...` or empty for RECORD itself and signatures. */
  readonly hash: string;
  /** Decimal size, or empty. */
  readonly size: string;
}

/** Parse CSV as Python's csv module writes it: quoted fields, doubled quotes, `\r\n` or `\n`. */
export function parseRecord(text: string): RecordRow[] {
  const rows: RecordRow[] = [];
  for (const fields of parseCsv(text)) {
    if (fields.length === 1 && fields[0] === '') continue;
    rows.push({ path: fields[0] ?? '', hash: fields[1] ?? '', size: fields[2] ?? '' });
  }
  return rows;
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  // Literal characters are taken as slices, not one by one: a RECORD of 20,000 rows built
  // character by character held ~30 MB of string fragments.
  let run = 0;
  const flush = (end: number): void => {
    if (end > run) field += text.slice(run, end);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        flush(i);
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
        run = i + 1;
      }
    } else if (c === '"' && field === '' && run === i) {
      quoted = true;
      run = i + 1;
    } else if (c === ',') {
      flush(i);
      row.push(field);
      field = '';
      run = i + 1;
    } else if (c === '\n' || c === '\r') {
      flush(i);
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      run = i + 1;
    }
  }
  flush(text.length);
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Rows as pip writes them (csv's excel dialect): sorted as Python sorts strings (by code
 * point, not JavaScript's UTF-16 units), `\r\n` line ends, quoting only where needed.
 */
export function formatRecord(rows: readonly RecordRow[]): string {
  const sorted = [...rows].sort((a, b) => compareCodePoints(a.path, b.path) || compareCodePoints(a.hash, b.hash) || compareCodePoints(a.size, b.size));
  return sorted.map((r) => [r.path, r.hash, r.size].map(csvField).join(',') + '\r\n').join('');
}

// RECORD spells algorithms as Python's hashlib does; node names a few differently.
export const NODE_HASH_NAMES: Readonly<Record<string, string>> = {
  sha3_256: 'sha3-256',
  sha3_384: 'sha3-384',
  sha3_512: 'sha3-512',
  blake2b: 'blake2b512',
  blake2s: 'blake2s256',
};

/** The urlsafe, unpadded base64 digest RECORD uses, for a hashlib algorithm name. */
export function recordDigest(data: Buffer, algorithm: string): string {
  return createHash(NODE_HASH_NAMES[algorithm] ?? algorithm).update(data).digest('base64url');
}

/** `sha256=<digest>` as installers write it. */
export function recordHash(data: Buffer): string {
  return `sha256=${recordDigest(data, 'sha256')}`;
}

export function recordRowFor(filePath: string, data: Buffer): RecordRow {
  return { path: filePath, hash: recordHash(data), size: String(data.length) };
}
