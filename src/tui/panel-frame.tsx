import { Box, Text } from 'ink';
import { fitLine, span, truncate, type Line, type Span } from './spans.js';
import type { Theme, Tone } from './theme.js';

/** Joins neighbouring spans of the same style: Ink measures every text node on every frame. */
export function mergeSpans(line: Line, theme: Theme): Span[] {
  const out: Span[] = [];
  for (const s of line) {
    if (s.text === '') continue;
    const prev = out[out.length - 1];
    if (
      prev &&
      theme.tone(prev.tone) === theme.tone(s.tone) &&
      !prev.bold === !s.bold &&
      !prev.dim === !s.dim &&
      !prev.inverse === !s.inverse
    ) {
      out[out.length - 1] = { ...prev, text: prev.text + s.text };
    } else {
      out.push(s);
    }
  }
  return out;
}

/** One line of spans as Ink text (colour only through the theme, so NO_COLOR drops every colour code). */
export function LineText({ line, theme }: { line: Line; theme: Theme }) {
  return (
    <Text>
      {mergeSpans(line, theme).map((s, i) => (
        <Text key={i} color={theme.tone(s.tone)} bold={s.bold} dimColor={s.dim} inverse={s.inverse}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}

export interface FrameOptions {
  readonly title: string;
  /** Shown after the title in the top border when there is room. */
  readonly subtitle?: string | undefined;
  readonly width: number;
  readonly height: number;
  readonly focused?: boolean;
  /** Border tone (focus wins over it). */
  readonly tone?: Tone | undefined;
}

/**
 * A rounded box with its title in the top border, as exact lines: `height` lines of exactly `width`
 * characters, whatever the content (cut with "…", padded with spaces).
 */
export function frameLines(options: FrameOptions, content: readonly Line[]): Line[] {
  const { width, height } = options;
  if (width < 4 || height < 2) return [];
  const border = options.focused ? 'focus' : options.tone;
  const inner = width - 2;
  const titleText = truncate(` ${options.title} `, inner - 2);
  const subtitleRoom = inner - 2 - titleText.length - 2;
  // A subtitle is shown whole or not at all: a cut-off detail reads worse than none.
  const subtitle =
    options.subtitle && options.subtitle.length + 2 <= subtitleRoom ? ` ${options.subtitle} ` : '';
  const rule = '─'.repeat(Math.max(0, inner - 1 - titleText.length - subtitle.length));
  const lines: Line[] = [
    [
      span('╭─', border),
      span(titleText, options.focused ? 'focus' : undefined, { bold: true }),
      span(subtitle, undefined, { dim: true }),
      span(`${rule}╮`, border),
    ],
  ];
  for (let i = 0; i < height - 2; i++) {
    lines.push([span('│', border), ...fitLine(content[i] ?? [], inner), span('│', border)]);
  }
  lines.push([span(`╰${'─'.repeat(inner)}╯`, border)]);
  return lines;
}

export function PanelFrame({
  options,
  content,
  theme,
}: {
  options: FrameOptions;
  content: readonly Line[];
  theme: Theme;
}) {
  const lines = frameLines(options, content);
  return (
    <Box flexDirection="column" width={options.width} height={lines.length} flexShrink={0}>
      {lines.map((line, i) => (
        <LineText key={i} line={line} theme={theme} />
      ))}
    </Box>
  );
}
