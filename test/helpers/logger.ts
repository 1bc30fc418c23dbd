/** A logger for tests that keeps every line, to assert on what the server logged. */
import type { Logger } from '../../server/lib/logger.js';

export interface LoggedLine {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

export function capturingLogger(): Logger & { lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const keep =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}): void => {
      lines.push({ level, msg, fields });
    };
  return { lines, debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error'), banner: () => undefined };
}
