import { jsonStatus } from './json-output.js';
import type { MonitorSnapshot } from './monitor-snapshot.js';

/**
 * The JSON-lines headless form: one `brewline.status/1` object per report (`type: "status"`) and one at the
 * end (`type: "summary"`); see json-output.ts.
 */
export function jsonLine(s: MonitorSnapshot, type: 'status' | 'summary' = 'status', top = 10): string {
  return JSON.stringify(jsonStatus(s, type, top));
}
