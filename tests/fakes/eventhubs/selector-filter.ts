/**
 * The receiver filter Event Hubs accepts on attach (`apache.org:selector-filter:string`), as the SDK writes it
 * (`getEventPositionFilter`): `amqp.annotation.x-opt-offset > '12'`, `... >= '12'`,
 * `amqp.annotation.x-opt-sequence-number > '5'`, `amqp.annotation.x-opt-enqueued-time > '1700000000000'`.
 * The offset may be `-1` (start of the stream) or `@latest` (only events enqueued after the attach).
 */
export type EventPositionFilter =
  | { kind: 'offset'; value: number | 'latest'; inclusive: boolean }
  | { kind: 'sequence-number'; value: number; inclusive: boolean }
  | { kind: 'enqueued-time'; value: number; inclusive: boolean };

const PATTERN = /^amqp\.annotation\.x-opt-(offset|sequence-number|enqueued-time)\s*(>=|>)\s*'([^']*)'$/;

/** Parses one selector; returns an error text (as the service would put in the detach) when it can't. */
export function parseSelectorFilter(text: string): EventPositionFilter | { error: string } {
  const match = PATTERN.exec(text.trim());
  if (!match) return { error: `unsupported selector filter: ${text}` };
  const [, field, operator, raw] = match as unknown as [string, string, string, string];
  const inclusive = operator === '>=';
  if (field === 'offset' && raw === '@latest') return { kind: 'offset', value: 'latest', inclusive };
  const value = Number(raw);
  if (!Number.isInteger(value))
    return { error: `the ${field} '${raw}' in the selector filter is not a number` };
  if (field === 'offset') return { kind: 'offset', value, inclusive };
  if (field === 'sequence-number') return { kind: 'sequence-number', value, inclusive };
  return { kind: 'enqueued-time', value, inclusive };
}
