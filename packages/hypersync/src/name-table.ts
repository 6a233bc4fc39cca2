/**
 * Member ids interned as small integers, so the per-connection columns of a store hold numbers
 * instead of strings. Index 0 stands for no member (`undefined`). Ids come from the view and from
 * records of view members, so the table stays as small as the set of members ever seen.
 */
export class NameTable {
  private readonly names: (string | undefined)[] = [undefined];
  private readonly index = new Map<string, number>();
  /** The last id interned: records and creates come in long runs of one owner. */
  private lastName: string | undefined = undefined;
  private lastIndex = 0;

  /** Ids interned, plus one for index 0. */
  get size(): number {
    return this.names.length;
  }

  /** The index of `name` (0 for undefined), adding it when new. */
  intern(name: string | undefined): number {
    if (name === this.lastName) return this.lastIndex;
    if (name === undefined) return 0;
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.index.set(name, i);
    }
    this.lastName = name;
    this.lastIndex = i;
    return i;
  }

  /** The index of `name` when interned, else -1 (never adds). */
  find(name: string): number {
    return this.index.get(name) ?? -1;
  }

  /** The id at `index` (undefined for 0 or an index never handed out). */
  name(index: number): string | undefined {
    return this.names[index];
  }
}
