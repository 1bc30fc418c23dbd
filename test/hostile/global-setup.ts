/**
 * The hostile suite's summary: a directory where each area leaves its figures,
 * read back after the last file ran and printed as one line per area and one
 * final JSON line (`hostile: {...}`).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'caseroom-hostile-'));
  project.provide('hostileReportDir', dir);
  return () => {
    const areas: Record<string, unknown> = {};
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.json')) continue;
      areas[file.slice(0, -'.json'.length)] = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as unknown;
    }
    rmSync(dir, { recursive: true, force: true });
    const lines = Object.entries(areas).map(([area, figures]) => `hostile ${area}: ${JSON.stringify(figures)}`);
    console.log(`\n${lines.join('\n')}\n${JSON.stringify({ hostile: areas })}\n`);
  };
}
