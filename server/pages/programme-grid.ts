// The time × track grid of a released programme, as a plain function: one row per distinct start time,
// one column per track (side by side, in their order), plenary items (no track) spanning every column, and
// each item spanning the rows until its end. Cells covered by an item above are left out (rowspan), gaps are
// empty cells. An item that would overlap one already placed (the plan's checks warn of that) gets its own
// row instead of disappearing.

export interface GridItem {
  trackId: string | null;
  startTime: string;
  endTime: string;
}

export type GridCell<I> = { item: I; colspan: number; rowspan: number } | { empty: true; colspan: number };

export interface GridRow<I> {
  startTime: string;
  cells: GridCell<I>[];
}

export function programmeGrid<I extends GridItem>(trackIds: readonly string[], items: readonly I[]): GridRow<I>[] {
  const columns = Math.max(1, trackIds.length);
  const sorted = [...items].sort((a, b) => a.startTime.localeCompare(b.startTime) || a.endTime.localeCompare(b.endTime));
  const starts = [...new Set(sorted.map((i) => i.startTime))].sort();
  // occupied[row][col]: taken by an item placed at or above that row.
  const occupied: boolean[][] = starts.map(() => new Array<boolean>(columns).fill(false));
  const placed: { row: number; col: number; colspan: number; rowspan: number; item: I }[] = [];
  const extraRows: I[] = [];
  for (const item of sorted) {
    const row = starts.indexOf(item.startTime);
    const trackIndex = item.trackId === null ? -1 : trackIds.indexOf(item.trackId);
    // An item of a track that is not shown (should not happen in a snapshot) is shown across the grid.
    const col = trackIndex === -1 ? 0 : trackIndex;
    const colspan = trackIndex === -1 ? columns : 1;
    let end = row + 1;
    while (end < starts.length && starts[end]! < item.endTime) end++;
    const cells = [];
    for (let r = row; r < end; r++) for (let c = col; c < col + colspan; c++) cells.push([r, c] as const);
    if (cells.some(([r, c]) => occupied[r]![c])) {
      extraRows.push(item);
      continue;
    }
    for (const [r, c] of cells) occupied[r]![c] = true;
    placed.push({ row, col, colspan, rowspan: end - row, item });
  }
  const rows: GridRow<I>[] = starts.map((startTime, r) => {
    const cells: GridCell<I>[] = [];
    for (let c = 0; c < columns; ) {
      const here = placed.find((p) => p.row === r && p.col === c);
      if (here) {
        cells.push({ item: here.item, colspan: here.colspan, rowspan: here.rowspan });
        c += here.colspan;
      } else if (occupied[r]![c]) c++;
      else {
        cells.push({ empty: true, colspan: 1 });
        c++;
      }
    }
    return { startTime, cells };
  });
  for (const item of extraRows) rows.push({ startTime: item.startTime, cells: [{ item, colspan: columns, rowspan: 1 }] });
  return rows;
}
