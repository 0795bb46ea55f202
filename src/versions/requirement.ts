/** PEP 508 dependency specifiers: `name[extras] specifier ; marker` or `name @ url ; marker`. */
import { SidewheelError } from '../errors.js';
import { Marker } from './marker.js';
import { parseRequirementSyntax, SyntaxProblem, Tokenizer } from './pep508-syntax.js';
import { compareCodePoints } from './python-text.js';
import { SpecifierSet } from './specifier.js';

/** A parsed PEP 508 dependency specifier. */
export class Requirement {
  private constructor(
    /** As written: compare names with normalizeName. */
    readonly name: string,
    /** Sorted, duplicates dropped, as written. */
    readonly extras: readonly string[],
    readonly specifier: SpecifierSet,
    readonly marker: Marker | null,
    readonly url: string | null,
  ) {}

  /** Throws SidewheelError BAD_REQUIREMENT saying what is wrong where. */
  static parse(text: string): Requirement {
    try {
      const p = parseRequirementSyntax(new Tokenizer(text));
      const extras = [...new Set(p.extras)].sort(compareCodePoints);
      const marker = p.marker === null ? null : Marker.fromNodes(p.marker);
      return new Requirement(p.name, extras, new SpecifierSet(p.specifier), marker, p.url || null);
    } catch (e) {
      if (e instanceof SyntaxProblem) throw badRequirement(text, e.message);
      if (e instanceof SidewheelError) throw badRequirement(text, e.message);
      throw e;
    }
  }

  toString(): string {
    let out = this.name;
    if (this.extras.length) out += `[${this.extras.join(',')}]`;
    if (this.specifier.size) out += this.specifier.toString();
    if (this.url) out += ` @ ${this.url}${this.marker ? ' ' : ''}`;
    if (this.marker) out += `; ${this.marker}`;
    return out;
  }
}

function badRequirement(text: string, why: string): SidewheelError {
  return new SidewheelError('BAD_REQUIREMENT', `invalid requirement ${JSON.stringify(text)}: ${why}`);
}

/** Throws SidewheelError BAD_REQUIREMENT saying what is wrong where. */
export function parseRequirement(text: string): Requirement {
  return Requirement.parse(text);
}
