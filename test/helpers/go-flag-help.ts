/**
 * Reads help text in the layout of Go's flag.PrintDefaults, strictly: every line
 * must belong to an entry, or the parse fails naming the line.
 */

/** One flag of the help text. */
export interface HelpEntry {
  /** Name without the dash. */
  name: string;
  /** The value word ("string", "int", "duration", "value", …), "" for a bool flag. */
  word: string;
  /** Usage text, lines joined with "\n". */
  usage: string;
  /** The text inside the trailing "(default …)", if any. */
  defaultText?: string;
}

/**
 * Parses `text`: a "Usage of …:" line, then entries. An entry is `  -name[ word]` followed by
 * usage lines starting with four spaces and a tab, except a one-letter flag without a word,
 * whose usage follows a tab on the same line.
 */
export function parseGoFlagHelp(text: string): { header: string; entries: HelpEntry[] } {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const header = lines.shift() ?? "";
  if (!/^Usage of \S+:$/.test(header)) throw new Error(`help does not start with "Usage of <program>:": ${JSON.stringify(header)}`);
  const entries: HelpEntry[] = [];
  let current: HelpEntry | undefined;
  let usage: string[] = [];
  const finish = (): void => {
    if (current === undefined) return;
    if (usage.length === 0) throw new Error(`flag -${current.name} has no usage line`);
    current.usage = usage.join("\n");
    const d = /\(default (.*)\)$/.exec(current.usage);
    if (d !== null) current.defaultText = d[1];
    entries.push(current);
    current = undefined;
    usage = [];
  };
  for (const line of lines) {
    const short = /^ {2}-(\w)\t(.*)$/.exec(line);
    const head = /^ {2}-([^\s=]+)(?: (\S+))?$/.exec(line);
    if (short !== null) {
      finish();
      current = { name: short[1]!, word: "", usage: "" };
      usage = [short[2]!];
    } else if (head !== null) {
      finish();
      current = { name: head[1]!, word: head[2] ?? "", usage: "" };
    } else if (line.startsWith("    \t") && current !== undefined) {
      usage.push(line.slice(5));
    } else {
      throw new Error(`line is not in Go's flag.PrintDefaults layout: ${JSON.stringify(line)}`);
    }
  }
  finish();
  return { header, entries };
}
