import { describe, expect, it } from 'vitest';
import { FOOTER_LINES, HEADER_LINES, layoutDashboard } from '../../../src/tui/layout.js';
import { PANELS } from '../../../src/tui/use-dashboard-state.js';

describe('dashboard layout', () => {
  it('never uses more than rows − 1 lines or more than columns − 1 columns, at any usable size', () => {
    for (let columns = 60; columns <= 260; columns += 7) {
      for (let rows = 17; rows <= 90; rows += 3) {
        const layout = layoutDashboard(columns, rows, null);
        expect(layout.tooSmall).toBe(false);
        const height = HEADER_LINES + FOOTER_LINES + layout.rows.reduce((h, r) => h + r.height, 0);
        expect(height).toBe(rows - 1);
        for (const row of layout.rows) {
          expect(row.panels.reduce((w, p) => w + p.width, 0)).toBe(columns - 1);
          expect(row.height).toBeGreaterThanOrEqual(4);
        }
        expect(layout.rows.flatMap((r) => r.panels.map((p) => p.id)).sort()).toEqual([...PANELS].sort());
      }
    }
  });

  it('gives a focused panel the whole body', () => {
    const layout = layoutDashboard(80, 24, 'hourly');
    expect(layout.rows).toEqual([{ height: 20, panels: [{ id: 'hourly', width: 79 }] }]);
  });

  it('says when the terminal is too small', () => {
    expect(layoutDashboard(59, 24, null).tooSmall).toBe(true);
    expect(layoutDashboard(80, 15, null).tooSmall).toBe(true);
  });
});
