/**
 * What reading a session file had to skip, and the notes that tell the user: damaged lines (with
 * their numbers), records of a type this version does not know, records out of time order, a last
 * line cut short. Bounded: a file with a million bad lines keeps the first few line numbers only.
 */
import type { NoteRecord } from '../../shared/model';

const MAX_LINES_NAMED = 12;

interface Skipped {
  count: number;
  lines: number[];
  firstReason?: string;
}

function skipped(): Skipped {
  return { count: 0, lines: [] };
}

function add(s: Skipped, line: number, reason?: string): void {
  s.count++;
  if (s.lines.length < MAX_LINES_NAMED) s.lines.push(line);
  s.firstReason ??= reason;
}

function lineList(s: Skipped): string {
  const more = s.count > s.lines.length ? `, … ${s.count - s.lines.length} more` : '';
  return `${s.lines.length === 1 && s.count === 1 ? 'line' : 'lines'} ${s.lines.join(', ')}${more}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export type SalvageNote = Pick<NoteRecord, 'level' | 'message'>;

export class SalvageLog {
  private readonly damaged = skipped();
  private readonly outOfOrder = skipped();
  private readonly unknown = new Map<string, number>();
  private unknownLines = skipped();
  truncatedAt: number | undefined;

  damagedLine(line: number, reason: string): void {
    add(this.damaged, line, reason);
  }

  unknownRecord(line: number, type: string): void {
    if (this.unknown.size < MAX_LINES_NAMED || this.unknown.has(type)) {
      this.unknown.set(type, (this.unknown.get(type) ?? 0) + 1);
    }
    add(this.unknownLines, line);
  }

  outOfOrderRecord(line: number, type: string): void {
    add(this.outOfOrder, line, type);
  }

  get damagedLines(): number {
    return this.damaged.count;
  }

  /** the line numbers named in the note (the first few) */
  get damagedLineNumbers(): readonly number[] {
    return this.damaged.lines;
  }

  get skippedRecords(): number {
    return this.damaged.count + this.outOfOrder.count + this.unknownLines.count;
  }

  notes(): SalvageNote[] {
    const out: SalvageNote[] = [];
    if (this.damaged.count > 0) {
      out.push({
        level: 'warning',
        message:
          `${plural(this.damaged.count, 'damaged line was', 'damaged lines were')} skipped ` +
          `(${lineList(this.damaged)}; first: ${this.damaged.firstReason ?? 'unreadable'}); the report shows the rest`,
      });
    }
    if (this.outOfOrder.count > 0) {
      out.push({
        level: 'warning',
        message: `${plural(this.outOfOrder.count, 'sample was', 'samples were')} out of time order and skipped (${lineList(this.outOfOrder)})`,
      });
    }
    if (this.unknownLines.count > 0) {
      const types = [...this.unknown.entries()].map(([t, n]) => `${JSON.stringify(t)} ×${n}`).join(', ');
      out.push({
        level: 'info',
        message: `${plural(this.unknownLines.count, 'record', 'records')} of a type this version does not know ${this.unknownLines.count === 1 ? 'was' : 'were'} skipped (${types}): a newer trainio may have written them`,
      });
    }
    return out;
  }
}
