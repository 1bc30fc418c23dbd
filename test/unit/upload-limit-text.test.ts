/**
 * The attachment size limit is stated in the same words everywhere: the
 * server's refusals (ATTACHMENT_LIMIT_TEXT), the client's hints in both
 * languages and docs/api-files.md — and those words name LIMITS.attachmentBytes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ATTACHMENT_LIMIT_TEXT, LIMITS } from '../../shared/limits.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

describe('the attachment size limit in words', () => {
  it('names exactly LIMITS.attachmentBytes, in megabytes and in bytes', () => {
    const bytes = LIMITS.attachmentBytes;
    const mb = bytes / 1024 / 1024;
    expect(ATTACHMENT_LIMIT_TEXT.ru).toBe(`не больше ${mb} МБ (${bytes.toLocaleString('en-US').replaceAll(',', ' ')} байт)`);
    expect(ATTACHMENT_LIMIT_TEXT.en).toBe(`at most ${mb} MB (${bytes.toLocaleString('en-US')} bytes)`);
  });

  it('is what the client tells people, in both languages', () => {
    // Read as text: the client's modules resolve the Vite way, not under this tsconfig.
    const tables = { ru: read('client/src/lib/i18n/ru.ts'), en: read('client/src/lib/i18n/en.ts') };
    for (const key of ['upload.rules', 'upload.tooLarge', 'landing.step2Text']) {
      for (const lang of ['ru', 'en'] as const) {
        // The key and its value, which the formatter may put on the next line.
        const value = new RegExp(`'${key.replace('.', '\\.')}':\\s*'((?:[^'\\\\]|\\\\.)*)'`).exec(tables[lang])?.[1];
        expect(value, `${lang} ${key}`).toContain(ATTACHMENT_LIMIT_TEXT[lang]);
      }
    }
  });

  it('is what docs/api-files.md says', () => {
    const api = read('docs/api-files.md');
    const attachments = api.slice(api.indexOf('## Attachments'));
    expect(attachments).toContain(ATTACHMENT_LIMIT_TEXT.ru);
    expect(attachments).toContain(LIMITS.attachmentBytes.toLocaleString('en-US'));
  });
});
