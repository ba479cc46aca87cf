import type { PanelId } from './use-dashboard-state.js';

/**
 * Panel sizes from the terminal size. The whole frame is at most `rows − 1` lines: Ink clears the screen
 * (flicker, lost scrollback) whenever its output is as tall as the terminal. It is one column narrower than
 * the terminal so no line ever lands in the last column, where terminals differ on wrapping.
 */

export const MIN_COLUMNS = 60;
export const MIN_ROWS = 17;
export const HEADER_LINES = 2;
/** The key-hint bar under the panels, at every size. */
export const FOOTER_LINES = 1;

export interface PanelSlot {
  readonly id: PanelId;
  /** Outer width, border included. */
  readonly width: number;
}

export interface PanelRow {
  /** Outer height, border included. */
  readonly height: number;
  readonly panels: readonly PanelSlot[];
}

export interface DashboardLayout {
  readonly width: number;
  /** Lines below the header. */
  readonly bodyHeight: number;
  readonly tooSmall: boolean;
  readonly rows: readonly PanelRow[];
}

export function layoutDashboard(columns: number, rows: number, focus: PanelId | null): DashboardLayout {
  const width = Math.max(1, columns - 1);
  const bodyHeight = Math.max(0, rows - 1 - HEADER_LINES - FOOTER_LINES);
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) return { width, bodyHeight, tooSmall: true, rows: [] };
  if (focus !== null) {
    return {
      width,
      bodyHeight,
      tooSmall: false,
      rows: [{ height: bodyHeight, panels: [{ id: focus, width }] }],
    };
  }
  // Stream health needs about 6 lines inside its border; the gold panels and the chart share the rest.
  const healthHeight =
    bodyHeight >= 30 ? 10 : bodyHeight >= 21 ? 8 : Math.max(5, Math.floor(bodyHeight * 0.38));
  const rest = bodyHeight - healthHeight;
  const goldHeight = Math.ceil(rest / 2);
  const chartHeight = rest - goldHeight;
  const left = Math.ceil(width / 2);
  const healthWidth = Math.round(width * 0.58);
  return {
    width,
    bodyHeight,
    tooSmall: false,
    rows: [
      {
        height: goldHeight,
        panels: [
          { id: 'branches', width: left },
          { id: 'products', width: width - left },
        ],
      },
      { height: chartHeight, panels: [{ id: 'hourly', width }] },
      {
        height: healthHeight,
        panels: [
          { id: 'health', width: healthWidth },
          { id: 'load', width: width - healthWidth },
        ],
      },
    ],
  };
}
