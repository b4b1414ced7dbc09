import type { BigIntStats } from 'node:fs';

/** What a rewrite, a replacement or a rename over a file changes, as git's index compares it. */
const FIELDS = ['size', 'mtimeNs', 'ctimeNs', 'ino', 'dev', 'mode'] as const;
const KNOWN = 1;
const RACY = 2;

/**
 * The stats of a listing's files by their position in it, as the file index compares them: six
 * 64-bit numbers each in one typed array (48 bytes a file, where an object of six BigInts takes over
 * 250), and whether each is known and whether it is racy (changed too close to its scan to tell a
 * later rewrite, so read again next time). Values are kept modulo 2^64, and compared the same way.
 */
export class StampTable {
  private readonly values: BigUint64Array;
  private readonly flags: Uint8Array;

  constructor(readonly length: number) {
    this.values = new BigUint64Array(length * FIELDS.length);
    this.flags = new Uint8Array(length);
  }

  /** Records the stat of the file at `i`, racy or not. */
  set(i: number, stat: BigIntStats, racy: boolean): void {
    const at = i * FIELDS.length;
    for (const [k, field] of FIELDS.entries()) this.values[at + k] = BigInt.asUintN(64, stat[field]);
    this.flags[i] = racy ? KNOWN | RACY : KNOWN;
  }

  /** Takes the stat at `j` of `from` (the last scan's table) as the one at `i`. */
  copy(i: number, from: StampTable, j: number): void {
    this.values.set(from.values.subarray(j * FIELDS.length, (j + 1) * FIELDS.length), i * FIELDS.length);
    this.flags[i] = from.flags[j];
  }

  /** Whether the stat at `i` is known, not racy, and the same as `stat` in every field compared. */
  trusts(i: number, stat: BigIntStats | undefined): boolean {
    if (stat === undefined || this.flags[i] !== KNOWN) return false;
    const at = i * FIELDS.length;
    return FIELDS.every((field, k) => this.values[at + k] === BigInt.asUintN(64, stat[field]));
  }

  /** Makes the stat at `i` racy: the file is read again whatever its stat. */
  distrust(i: number): void {
    this.flags[i] |= RACY;
  }
}
