/**
 * Column alignment with the semantics of Go's text/tabwriter, which kubectl prints through: cells
 * end at a tab, the text after a line's last tab is not part of any column, and a column's width
 * is set per block of consecutive lines that have a cell in it. Matching those rules (rather than
 * padding each table on its own) is what makes `describe` output line up exactly as kubectl's,
 * including the quirks, e.g. `Volumes:` padded to the width of the conditions table above it.
 */

export interface TabOptions {
  /** Smallest width of a column, padding included. */
  minWidth: number;
  /** Spaces added to the widest cell of a column. */
  padding: number;
}

/** What `kubectl describe` uses. */
export const DESCRIBE_TABS: TabOptions = { minWidth: 0, padding: 2 };
/** What `kubectl get` and `kubectl events` use. */
export const TABLE_TABS: TabOptions = { minWidth: 6, padding: 3 };

/** Aligns `text` (lines of tab-separated cells). Widths count code points, as Go counts runes. */
export function alignTabs(text: string, options: TabOptions): string {
  const lines = text.split('\n').map((line) => line.split('\t'));
  const widthOf = (cell: string): number => [...cell].length;
  const widths: number[] = [];
  const out: string[] = [];

  const emit = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = lines[i];
      let line = '';
      cells.forEach((cell, j) => {
        line += cell;
        // Every tab-terminated cell is padded to its column; the last cell never is.
        if (j < cells.length - 1 && j < widths.length) line += ' '.repeat(Math.max(0, widths[j] - widthOf(cell)));
      });
      out.push(line);
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    let printed = line0;
    for (let i = line0; i < line1; i++) {
      if (column >= lines[i].length - 1) continue;
      // A block of this column starts here: earlier lines only use columns already sized.
      emit(printed, i);
      let width = options.minWidth;
      let end = i;
      for (; end < line1 && column < lines[end].length - 1; end++) width = Math.max(width, widthOf(lines[end][column]) + options.padding);
      widths.push(width);
      format(i, end);
      widths.pop();
      printed = end;
      i = end - 1;
    }
    emit(printed, line1);
  };

  format(0, lines.length);
  return out.join('\n');
}
