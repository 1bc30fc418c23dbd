/**
 * Content checks and file names: the type comes from the bytes, whose magic
 * number must stand at byte 0; the file must be whole for its kind (PNG to
 * IEND, JPEG to EOI, PDF to %%EOF, a DOCX whose directory agrees with itself
 * and does not expand like a bomb); the extension must agree; names never
 * carry paths or control characters.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { contentDisposition, sanitizeFileName } from '../../server/domain/attachments/file-name.js';
import { checkFileType, sniffKind } from '../../server/domain/attachments/file-sniff.js';
import { DomainError } from '../../server/domain/errors.js';
import { docxBytes, docxEntries, gifBytes, jpegBytes, pdfBytes, pngBytes, zipBytes } from '../helpers/files.js';

const dir = mkdtempSync(path.join(tmpdir(), 'caseroom-sniff-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
let n = 0;

/** Writes the bytes to a temp file, as the upload receiver would, and checks it under `name`. */
function check(name: string, bytes: Uint8Array): Promise<{ kind: string; mime: string }> {
  const file = path.join(dir, `${n++}.part`);
  writeFileSync(file, bytes);
  return checkFileType(name, file);
}

/** 'ok', or the refusal's code and message. */
async function outcome(name: string, bytes: Uint8Array): Promise<string> {
  try {
    await check(name, bytes);
    return 'ok';
  } catch (e) {
    return e instanceof DomainError ? `${e.code}: ${e.message}` : String(e);
  }
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const DAMAGED = /^UNSUPPORTED_TYPE: .*повреждён или загружен не полностью/;

/** A PNG whose IHDR says width × height, with a correct CRC. */
function pngSized(width: number, height: number): Buffer {
  const png = Buffer.from(pngBytes());
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

describe('sniffKind', () => {
  it('names the kind by the magic number and says whether it stands at byte 0', async () => {
    expect(await sniffKind(pdfBytes())).toEqual({ kind: 'pdf', hasMagicAtStart: true });
    expect(await sniffKind(pngBytes())).toEqual({ kind: 'png', hasMagicAtStart: true });
    expect(await sniffKind(jpegBytes())).toEqual({ kind: 'jpeg', hasMagicAtStart: true });
    expect((await sniffKind(docxBytes()))?.kind).toBe('docx');
    // file-type skips a UTF-8 BOM; we do not.
    expect(await sniffKind(Buffer.concat([BOM, pngBytes()]))).toEqual({ kind: 'png', hasMagicAtStart: false });
    expect(await sniffKind(gifBytes())).toBeNull();
    expect(await sniffKind(new Uint8Array(0))).toBeNull();
  });
});

describe('checkFileType: the type', () => {
  it('accepts PDF, PNG, JPEG and DOCX with matching extensions, .jpg and .jpeg alike, in any case', async () => {
    expect(await check('скан.PDF', pdfBytes())).toEqual({ kind: 'pdf', mime: 'application/pdf' });
    expect((await check('фото.png', pngBytes())).kind).toBe('png');
    expect((await check('фото.jpg', jpegBytes())).kind).toBe('jpeg');
    expect((await check('фото.jpeg', jpegBytes())).kind).toBe('jpeg');
    expect(await check('заявление.docx', docxBytes())).toEqual({
      kind: 'docx',
      mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    });
    expect((await check('сжатый.docx', docxBytes('текст', { deflate: true }))).kind).toBe('docx');
  });

  it('accepts a zip that file-type calls plain zip when it holds word/document.xml', async () => {
    // No [Content_Types].xml, so file-type cannot say docx; the directory decides.
    expect((await check('голый.docx', zipBytes({ 'word/document.xml': '<w:document/>' }))).kind).toBe('docx');
  });

  it('refuses a PNG named .pdf with TYPE_MISMATCH naming the file and the real type', async () => {
    const result = await outcome('договор.pdf', pngBytes());
    expect(result).toMatch(/^TYPE_MISMATCH: /);
    expect(result).toContain('договор.pdf');
    expect(result).toContain('PNG');
    expect(await outcome('без-расширения', pdfBytes())).toMatch(/^TYPE_MISMATCH/);
    expect(await outcome('документ.pdf', docxBytes())).toMatch(/^TYPE_MISMATCH/);
  });

  it('refuses unknown types with UNSUPPORTED_TYPE even when the name looks right', async () => {
    expect(await outcome('картинка.png', gifBytes())).toMatch(/^UNSUPPORTED_TYPE: .*допустимы только/);
    expect(await outcome('заметка.pdf', Buffer.from('просто текст, не документ'))).toMatch(/^UNSUPPORTED_TYPE/);
    expect(await outcome('отчёт.docx', zipBytes({ 'a.txt': 'a', 'word/other.xml': '<x/>' }))).toMatch(/^UNSUPPORTED_TYPE: .*допустимы только/);
  });

  it('refuses a UTF-8 BOM in front of a PNG, a PDF or a JPEG', async () => {
    for (const [name, bytes] of [
      ['bom.png', pngBytes()],
      ['bom.pdf', pdfBytes()],
      ['bom.jpg', jpegBytes()],
    ] as const) {
      const result = await outcome(name, Buffer.concat([BOM, bytes]));
      expect(result, name).toMatch(/^UNSUPPORTED_TYPE: .*лишние байты/);
      expect(result, name).toContain(name);
    }
  });
});

describe('checkFileType: whole files only', () => {
  it('refuses PNG, JPEG, PDF and DOCX cut short, with a message saying so', async () => {
    for (const [name, bytes] of [
      ['a.png', pngBytes()],
      ['a.jpg', jpegBytes()],
      ['a.pdf', pdfBytes()],
      ['a.docx', docxBytes()],
    ] as const) {
      for (const keep of [0.5, 0.9]) {
        expect(await outcome(name, bytes.subarray(0, Math.floor(bytes.length * keep))), `${name} at ${keep}`).toMatch(DAMAGED);
      }
      // A PDF's last byte is the newline after %%EOF; cut into the marker itself.
      const cut = name.endsWith('.pdf') ? 2 : 1;
      expect(await outcome(name, bytes.subarray(0, bytes.length - cut)), `${name} less ${cut} byte(s)`).toMatch(DAMAGED);
    }
  });

  it('refuses a PNG whose header does not decode: zero width, a broken IHDR CRC, no IDAT', async () => {
    expect(await outcome('ноль.png', pngSized(0, 1))).toMatch(/^UNSUPPORTED_TYPE: .*размеры/);
    const badCrc = Buffer.from(pngBytes());
    badCrc[29] = (badCrc[29] ?? 0) ^ 0xff;
    expect(await outcome('crc.png', badCrc)).toMatch(/IHDR/);
    const noData = Buffer.concat([pngBytes().subarray(0, 33), pngBytes().subarray(-12)]);
    expect(await outcome('пусто.png', noData)).toMatch(/IDAT/);
    expect(await check('большой.png', pngSized(4000, 3000))).toMatchObject({ kind: 'png' });
  });

  it('refuses a JPEG without a frame header or without a scan', async () => {
    const jpeg = jpegBytes();
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    const noFrame = Buffer.from(jpeg);
    noFrame[sof + 1] = 0xfe; // the frame header becomes a comment
    expect(await outcome('кадр.jpg', noFrame)).toMatch(/^UNSUPPORTED_TYPE: .*размеры/);
    const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
    expect(await outcome('без-скана.jpg', Buffer.concat([jpeg.subarray(0, sos), Buffer.from([0xff, 0xd9])]))).toMatch(DAMAGED);
  });

  it("accepts bytes after a JPEG's end marker (phones write trailers) but not after a PNG's IEND", async () => {
    const trailer = Buffer.from('SEFH\u0000\u0000Image_UTC_Data1700000000000SEFT', 'latin1');
    expect((await check('телефон.jpg', Buffer.concat([jpegBytes(), trailer]))).kind).toBe('jpeg');
    expect(await outcome('хвост.png', Buffer.concat([pngBytes(), trailer]))).toMatch(/после конца PNG/);
  });

  it('refuses polyglots: a ZIP behind a JPEG, PNG or PDF, a PDF header inside an image', async () => {
    const zip = zipBytes({ 'payload.txt': 'x' });
    expect(await outcome('jpeg-zip.jpg', Buffer.concat([jpegBytes(), zip]))).toMatch(/^UNSUPPORTED_TYPE: .*ZIP/);
    expect(await outcome('pdf-zip.pdf', Buffer.concat([pdfBytes(), zip]))).toMatch(/^UNSUPPORTED_TYPE/);
    const jpeg = jpegBytes();
    const withPdfComment = Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xfe, 0x00, 0x0b]), Buffer.from('%PDF-1.4\n', 'latin1'), jpeg.subarray(2)]);
    expect(await outcome('jpeg-pdf.jpg', withPdfComment)).toMatch(/спрятан PDF/);
  });
});

describe('checkFileType: DOCX directory and zip bombs', () => {
  it('refuses a DOCX whose end record counts fewer or more entries than its directory lists', async () => {
    const count = Object.keys(docxEntries()).length;
    expect(await outcome('меньше.docx', docxBytes('x', { declaredCount: count - 1 }))).toMatch(DAMAGED);
    expect(await outcome('больше.docx', docxBytes('x', { declaredCount: count + 1 }))).toMatch(DAMAGED);
  });

  it('refuses bytes after the end record and an end record pointing past the data', async () => {
    expect(await outcome('хвост.docx', Buffer.concat([docxBytes(), Buffer.from('tail')]))).toMatch(DAMAGED);
    const broken = Buffer.from(docxBytes());
    broken.writeUInt32LE(0xfffffff0, broken.length - 6);
    expect(await outcome('сломан.docx', broken)).toMatch(DAMAGED);
  });

  it('refuses an entry compressed more than 100-fold, and more than 100 MB expanded, with PAYLOAD_TOO_LARGE', async () => {
    const zeros = zipBytes({ ...docxEntries(), 'word/media/zeros.bin': Buffer.alloc(8 * 1024 * 1024) }, { deflate: true });
    expect(zeros.length).toBeLessThan(20_000);
    expect(await outcome('бомба.docx', zeros)).toMatch(/^PAYLOAD_TOO_LARGE: .*бомба\.docx.*сжата больше чем в 100 раз/);
    // Eleven parts each declared 10 MB over 120 KB of data (under 100-fold): 110 MB in all.
    const parts: Record<string, Uint8Array> = {};
    for (let i = 0; i < 11; i++) parts[`word/media/p${i}.bin`] = randomBytes(120 * 1024);
    const big = zipBytes(
      { ...docxEntries(), ...parts },
      { deflate: true, declaredSize: (name, real) => (name.startsWith('word/media/') ? 10 * 1024 * 1024 : real) },
    );
    expect(await outcome('много.docx', big)).toMatch(/^PAYLOAD_TOO_LARGE: .*больше 100 МБ/);
  });

  it('refuses an entry that inflates to more than its declared size (a lying directory)', async () => {
    const lying = zipBytes(
      { ...docxEntries(), 'word/media/big.bin': Buffer.alloc(64 * 1024) },
      {
        deflate: true,
        declaredSize: (name, real) => (name === 'word/media/big.bin' ? 100 : real),
      },
    );
    expect(await outcome('лжец.docx', lying)).toMatch(DAMAGED);
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

  it('puts an underscore in front of Windows device names, and only those', () => {
    expect(sanitizeFileName('CON.pdf')).toBe('_CON.pdf');
    expect(sanitizeFileName('com1.docx')).toBe('_com1.docx');
    expect(sanitizeFileName('Lpt9.tar.png')).toBe('_Lpt9.tar.png');
    expect(sanitizeFileName('nul')).toBe('_nul');
    expect(sanitizeFileName('console.pdf')).toBe('console.pdf');
    expect(sanitizeFileName('com10.pdf')).toBe('com10.pdf');
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
