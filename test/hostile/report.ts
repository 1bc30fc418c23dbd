/**
 * Figures of the hostile-input suite. Each area's test file calls `report`
 * once with its counts; the suite's global teardown (global-setup.ts) prints
 * one summary line per area and a final JSON line with all of them.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    hostileReportDir: string;
  }
}

/** The figures of one area: counts, and the few fields that say what they mean. */
export type AreaFigures = Record<string, number | string | boolean | Record<string, number>>;

/** Records the area's figures for the final summary (one call per area). */
export function report(area: string, figures: AreaFigures): void {
  writeFileSync(path.join(inject('hostileReportDir'), `${area}.json`), JSON.stringify(figures));
}
