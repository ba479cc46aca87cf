import { DEFAULT_THRESHOLDS } from '../monitor/health-verdict.js';
import { formatThresholds } from '../monitor/thresholds.js';

/** Help of `--thresholds` (monitor, demo, pipeline run): what each name measures and the defaults. */
export const THRESHOLDS_HELP =
  'absolute health limits NAME=WARN/ERR (- = off) beside the trend rules: lag = age of the oldest ' +
  'unprocessed record, backlog = unprocessed records, watermark-gap = clock − watermark, since-batch = ' +
  `time since the engine's last progress (env BREWLINE_THRESHOLDS; default ${formatThresholds(DEFAULT_THRESHOLDS)})`;
