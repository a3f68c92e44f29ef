/** Interned strings of one head; id 0 is always "". */
export class StringTable {
  readonly strings: string[] = [""];
  private readonly ids = new Map<string, number>([["", 0]]);

  /** The id of `s`, adding it if new. */
  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  /** The id of `s`, or -1 if absent. */
  lookup(s: string): number {
    return this.ids.get(s) ?? -1;
  }

  /** Number of strings. */
  get count(): number {
    return this.strings.length;
  }
}
