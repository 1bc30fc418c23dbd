/**
 * Content sniffing and file names: the type comes from the bytes, the extension
 * must agree with it, and names never carry paths or control characters.
 */
import { describe, expect, it } from 'vitest';
import { contentDisposition, sanitizeFileName } from '../../server/domain/attachments/file-name.js';
import { checkFileType, sniffType, zipHasEntry } from '../../server/domain/attachments/file-sniff.js';
import { DomainError } from '../../server/domain/errors.js';
import { docxBytes, gifBytes, jpegBytes, pdfBytes, pngBytes, zipBytes } from '../helpers/files.js';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof DomainError ? e.code : String(e);
  }
}

describe('sniffType', () => {
  it('recognises PDF, PNG, JPEG and DOCX by content', async () => {
    expect((await sniffType(pdfBytes()))?.kind).toBe('pdf');
    expect((await sniffType(pngBytes()))?.kind).toBe('png');
    expect((await sniffType(jpegBytes()))?.kind).toBe('jpeg');
    expect(await sniffType(docxBytes())).toEqual({
      kind: 'docx', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    });
  });

  it('refuses GIF, plain text, empty input and a zip without word/document.xml', async () => {
    expect(await sniffType(gifBytes())).toBeNull();
    expect(await sniffType(Buffer.from('просто текст, не документ'))).toBeNull();
    expect(await sniffType(new Uint8Array(0))).toBeNull();
    expect(await sniffType(zipBytes({ 'readme.txt': 'hi', 'word/other.xml': '<x/>' }))).toBeNull();
  });

  it('accepts a zip that file-type calls plain zip when it holds word/document.xml', async () => {
    // No [Content_Types].xml, so file-type cannot say docx; the entry decides.
    const bare = zipBytes({ 'word/document.xml': '<w:document/>' });
    expect((await sniffType(bare))?.kind).toBe('docx');
  });

  it('reads the zip directory defensively', () => {
    expect(zipHasEntry(docxBytes(), 'word/document.xml')).toBe(true);
    expect(zipHasEntry(docxBytes(), 'word/missing.xml')).toBe(false);
    const cut = docxBytes().subarray(0, 100);
    expect(zipHasEntry(cut, 'word/document.xml')).toBe(false);
    // An end record pointing past the data answers false instead of throwing.
    const broken = Buffer.from(docxBytes());
    broken.writeUInt32LE(0xfffffff0, broken.length - 6);
    expect(zipHasEntry(broken, 'word/document.xml')).toBe(false);
  });
});

describe('checkFileType', () => {
  it('accepts matching extensions, .jpg and .jpeg alike, in any case', async () => {
    expect(await codeOf(checkFileType('скан.PDF', pdfBytes()))).toBe('ok');
    expect(await codeOf(checkFileType('фото.jpg', jpegBytes()))).toBe('ok');
    expect(await codeOf(checkFileType('фото.jpeg', jpegBytes()))).toBe('ok');
    expect(await codeOf(checkFileType('заявление.docx', docxBytes()))).toBe('ok');
  });

  it('refuses a PNG named .pdf with TYPE_MISMATCH naming the file', async () => {
    const err = await checkFileType('договор.pdf', pngBytes()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('TYPE_MISMATCH');
    expect((err as DomainError).message).toContain('договор.pdf');
    expect((err as DomainError).message).toContain('PNG');
    expect(await codeOf(checkFileType('без-расширения', pdfBytes()))).toBe('TYPE_MISMATCH');
  });

  it('refuses unknown types with UNSUPPORTED_TYPE even when the name looks right', async () => {
    expect(await codeOf(checkFileType('картинка.png', gifBytes()))).toBe('UNSUPPORTED_TYPE');
    expect(await codeOf(checkFileType('отчёт.docx', zipBytes({ 'a.txt': 'a' })))).toBe('UNSUPPORTED_TYPE');
  });
});

describe('sanitizeFileName', () => {
  it('keeps Cyrillic and ordinary punctuation', () => {
    expect(sanitizeFileName('Заявление (копия) №2.pdf')).toBe('Заявление (копия) №2.pdf');
  });

  it('refuses path separators and leading ..', () => {
    for (const bad of ['../../x.pdf', '..\\x.pdf', 'a/b.pdf', 'C:\\Users\\x.pdf', '..', '..x.pdf']) {
      expect(() => sanitizeFileName(bad), bad).toThrow(DomainError);
    }
  });

  it('drops control and bidi characters, trims, and refuses names that end up empty', () => {
    expect(sanitizeFileName('  отчёт\u0000\u0007.pdf ')).toBe('отчёт.pdf');
    expect(sanitizeFileName('evil\u202Efdp.exe.pdf')).toBe('evilfdp.exe.pdf');
    expect(sanitizeFileName('name.pdf...')).toBe('name.pdf');
    expect(() => sanitizeFileName('\u0001\u0002')).toThrow(DomainError);
  });

  it('caps the length at 200 characters and keeps the extension', () => {
    const long = `${'я'.repeat(500)}.docx`;
    const out = sanitizeFileName(long);
    expect(Array.from(out)).toHaveLength(200);
    expect(out.endsWith('.docx')).toBe(true);
  });
});

describe('contentDisposition', () => {
  it('encodes the exact name per RFC 5987 and gives an ASCII fallback', () => {
    const value = contentDisposition('attachment', 'Жалоба "срочно".pdf');
    expect(value).toBe(`attachment; filename="file.pdf"; filename*=UTF-8''${encodeURIComponent('Жалоба "срочно".pdf')}`);
    expect(contentDisposition('inline', "Scan №1 (it's).png")).toBe(
      `inline; filename="Scan _1 (it's).png"; filename*=UTF-8''Scan%20%E2%84%961%20%28it%27s%29.png`,
    );
  });
});
