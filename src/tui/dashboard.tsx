import { Box } from 'ink';
import { useSyncExternalStore } from 'react';
import type { MonitorSnapshot, MonitorStore } from '../monitor/monitor-snapshot.js';
import { branchPickerLines, filterBranches, pickerPageSize } from './branch-picker.js';
import { drillTable, drillTableLines, tablePageSize } from './drill-down.js';
import { branchRevenueLines } from './branch-revenue.js';
import { headerLines, keyHintLine } from './header.js';
import { helpLines } from './help-overlay.js';
import { hourlyChartLines, hourlySubtitle } from './hourly-chart.js';
import { layoutDashboard, MIN_COLUMNS, MIN_ROWS } from './layout.js';
import { loadGeneratorLines } from './load-generator.js';
import { LineText, PanelFrame, type FrameOptions } from './panel-frame.js';
import { productPopularityLines } from './product-popularity.js';
import { fitLine, span, type Line } from './spans.js';
import { streamHealthLines } from './stream-health.js';
import { useTerminalSize } from './terminal-size.js';
import { verdictTone, type Theme } from './theme.js';
import { useDashboard, type MonitorControls } from './use-dashboard.js';
import { PANELS, PANEL_TITLES, tableOf, type DashboardState, type PanelId } from './use-dashboard-state.js';

/** Panel content for its inner size (border excluded). */
export function panelContent(id: PanelId, s: MonitorSnapshot, width: number, height: number): Line[] {
  switch (id) {
    case 'branches':
      return branchRevenueLines(s.gold, width, height);
    case 'products':
      return productPopularityLines(s.gold, width, height);
    case 'hourly':
      return hourlyChartLines(s.gold?.hourly, width, height);
    case 'health':
      return streamHealthLines(s.stream, width, height, s.thresholds);
    case 'load':
      return loadGeneratorLines(s.load, s.stream, width, height);
  }
}

function subtitleOf(id: PanelId, s: MonitorSnapshot): string | undefined {
  const scope = s.branch ?? undefined;
  switch (id) {
    case 'branches':
      return scope ? `${scope}, all windows` : 'all windows';
    case 'products':
      return scope ? `${scope}, by quantity` : 'by quantity, all windows';
    case 'hourly':
      return [scope, 'NPR per hour', hourlySubtitle(s.gold?.hourly)].filter(Boolean).join(' · ');
    case 'health':
      return s.stream?.queryName || undefined;
    case 'load':
      return s.load ? undefined : 'not attached';
  }
}

export interface DashboardViewProps {
  readonly snapshot: MonitorSnapshot;
  readonly ui: DashboardState;
  readonly columns: number;
  readonly rows: number;
  readonly theme: Theme;
}

/** The whole screen from a snapshot, UI state and terminal size; pure, so tests render it with fixed data. */
export function DashboardView({ snapshot: s, ui, columns, rows, theme }: DashboardViewProps) {
  const layout = layoutDashboard(columns, rows, ui.focus);
  if (layout.tooSmall) {
    return (
      <Box flexDirection="column">
        <LineText
          theme={theme}
          line={fitLine(
            [
              span(
                `brewline: terminal ${columns}×${rows} is too small; need ${MIN_COLUMNS}×${MIN_ROWS} (q quits)`,
                'warn',
              ),
            ],
            layout.width,
          )}
        />
        <LineText
          theme={theme}
          line={fitLine(
            [
              span(`verdict `),
              span(s.stream?.verdict ?? '…', verdictTone(s.stream?.verdict), { bold: true }),
            ],
            layout.width,
          )}
        />
      </Box>
    );
  }
  const header = headerLines(s, layout.width);
  let body;
  if (ui.help || ui.picker.open) {
    const options: FrameOptions = {
      title: ui.help ? 'Keys' : 'Branch filter',
      subtitle: ui.help ? 'esc or ? closes' : (s.branch ?? 'all branches'),
      width: layout.width,
      height: layout.bodyHeight,
      focused: true,
    };
    const inner = layout.width - 2;
    const innerHeight = layout.bodyHeight - 2;
    const content = ui.help
      ? helpLines(inner, innerHeight)
      : branchPickerLines(
          filterBranches(s.gold?.branchNames ?? [], ui.pickerFilter),
          ui.picker.cursor,
          s.branch,
          inner,
          innerHeight,
          { filter: ui.pickerFilter ?? '', typing: ui.searching === true },
        );
    body = <PanelFrame options={options} content={content} theme={theme} />;
  } else {
    body = layout.rows.map((row, r) => (
      <Box key={r} flexDirection="row" height={row.height}>
        {row.panels.map((slot) => {
          const number = PANELS.indexOf(slot.id) + 1;
          const options: FrameOptions = {
            title: `${number} ${PANEL_TITLES[slot.id]}`,
            subtitle: subtitleOf(slot.id, s),
            width: slot.width,
            height: row.height,
            focused: ui.focus === slot.id,
            tone: slot.id === 'health' ? verdictToneIfBad(s) : undefined,
          };
          // Expanded, a panel with a table shows all of its rows (scroll, sort, search).
          const table = ui.focus === slot.id ? drillTable(slot.id, s) : undefined;
          const content = table
            ? drillTableLines(table, tableOf(ui), ui.searching === true, slot.width - 2, row.height - 2)
            : panelContent(slot.id, s, slot.width - 2, row.height - 2);
          return <PanelFrame key={slot.id} options={options} content={content} theme={theme} />;
        })}
      </Box>
    ));
  }
  return (
    <Box flexDirection="column" width={layout.width}>
      {header.map((line, i) => (
        <LineText key={i} line={line} theme={theme} />
      ))}
      {body}
      <LineText
        line={keyHintLine(s, ui, layout.width, drillTable(ui.focus, s) !== undefined)}
        theme={theme}
      />
    </Box>
  );
}

function verdictToneIfBad(s: MonitorSnapshot) {
  const v = s.stream?.verdict;
  return v && v !== 'OK' ? verdictTone(v) : undefined;
}

export interface DashboardProps {
  readonly store: MonitorStore;
  readonly controls: MonitorControls;
  readonly theme: Theme;
}

/** The live dashboard: reads the monitor model with useSyncExternalStore, keys via useDashboard. */
export function Dashboard({ store, controls, theme }: DashboardProps) {
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const { columns, rows } = useTerminalSize();
  const bodyHeight = layoutDashboard(columns, rows, null).bodyHeight;
  const ui = useDashboard(snapshot, controls, pickerPageSize(bodyHeight - 2), tablePageSize(bodyHeight - 2));
  return <DashboardView snapshot={snapshot} ui={ui} columns={columns} rows={rows} theme={theme} />;
}
