/**
 * The generated cases of the hostile uploads area: each is a request body (or
 * a way of sending one) and the outcome the rules in docs/api-files.md
 * ("Attachments") call for. uploads.hostile.test.ts sends them and checks that
 * nothing is left behind by a refusal.
 */
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { LIMITS } from '../../shared/limits.js';
import { docxBytes, docxEntries, gifBytes, jpegBytes, pdfBytes, pngBytes, zipBytes } from '../helpers/files.js';
import type { RawPart } from '../helpers/raw-upload.js';

export type CaseKind = 'type-confusion' | 'polyglot' | 'truncated' | 'zip-bomb' | 'name' | 'size' | 'many-files' | 'stalled';

/** Accepted (201), or refused with this status and code. */
export type Expected = 'accepted' | { status: number; code: string };

export interface UploadCase {
  kind: CaseKind;
  title: string;
  expected: Expected;
  /** The parts of a new-attachment upload, or of a new version with `toVersion`. */
  parts: RawPart[];
  toVersion?: boolean;
  /** The stored names an accepted upload must end up with. */
  storedNames?: string[];
}

const MISMATCH = { status: 415, code: 'TYPE_MISMATCH' };
const UNSUPPORTED = { status: 415, code: 'UNSUPPORTED_TYPE' };
const TOO_LARGE = { status: 413, code: 'PAYLOAD_TOO_LARGE' };
const INVALID = { status: 400, code: 'VALIDATION_FAILED' };

type Good = 'pdf' | 'png' | 'jpeg' | 'docx';
const GOOD: Record<Good, { bytes: () => Buffer; extensions: string[] }> = {
  pdf: { bytes: () => pdfBytes('hostile'), extensions: ['pdf'] },
  png: { bytes: pngBytes, extensions: ['png'] },
  jpeg: { bytes: jpegBytes, extensions: ['jpg', 'jpeg'] },
  docx: { bytes: () => docxBytes('hostile'), extensions: ['docx'] },
};

const one = (name: string, bytes: Uint8Array): RawPart[] => [{ name, bytes }];

/** A PNG chunk of `type` with `data` and its CRC. */
function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.byteLength, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

/** A PNG with `chunk` inserted after IHDR (at the start) or before IEND (at the end). */
function pngWith(chunk: Buffer, where: 'start' | 'end'): Buffer {
  const png = pngBytes();
  const at = where === 'start' ? 33 : png.length - 12;
  return Buffer.concat([png.subarray(0, at), chunk, png.subarray(at)]);
}

/** A JPEG with a comment segment (COM) holding `text` right after SOI. */
function jpegWithComment(text: string): Buffer {
  const jpeg = jpegBytes();
  const body = Buffer.from(text, 'latin1');
  const head = Buffer.from([0xff, 0xfe, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), head, body, jpeg.subarray(2)]);
}

function typeConfusion(): UploadCase[] {
  const cases: UploadCase[] = [];
  for (const [kind, good] of Object.entries(GOOD) as [Good, (typeof GOOD)[Good]][]) {
    for (const ext of ['pdf', 'png', 'jpg', 'jpeg', 'docx', 'html']) {
      const isOwn = good.extensions.includes(ext);
      cases.push({
        kind: 'type-confusion',
        title: `${kind} content named .${ext}`,
        expected: isOwn ? 'accepted' : MISMATCH,
        parts: one(`файл.${ext}`, good.bytes()),
      });
    }
  }
  const foreign: [string, string, Buffer][] = [
    ['GIF named .png', 'анимация.png', gifBytes()],
    ['SVG with a script named .png', 'рисунок.png', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
    ['HTML named .pdf', 'страница.pdf', Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>')],
    ['a Windows executable named .docx', 'setup.docx', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)])],
    ['a plain zip named .docx', 'архив.docx', zipBytes({ 'readme.txt': 'не документ' })],
    ['an ELF binary named .jpg', 'бинарник.jpg', Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(100)])],
    ['a WebP named .png', 'фото.png', Buffer.concat([Buffer.from('RIFF'), Buffer.from([30, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(18)])],
    ['a TIFF named .jpg', 'скан.jpg', Buffer.concat([Buffer.from([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]), Buffer.alloc(64)])],
  ];
  for (const [title, name, bytes] of foreign) cases.push({ kind: 'type-confusion', title, expected: UNSUPPORTED, parts: one(name, bytes) });
  return cases;
}

function polyglots(): UploadCase[] {
  const zip = zipBytes({ 'payload.js': 'alert(1)' });
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);
  const list: [string, string, Buffer][] = [
    ['a ZIP appended to a JPEG', 'фото.jpg', Buffer.concat([jpegBytes(), zip])],
    ['a ZIP in a PNG chunk before IEND', 'скан.png', pngWith(pngChunk('tEXt', Buffer.concat([Buffer.from('zip\0', 'latin1'), zip])), 'end')],
    ['a ZIP appended to a PDF', 'акт.pdf', Buffer.concat([pdfBytes(), zip])],
    ["2 KB of HTML after a PDF's %%EOF", 'акт.pdf', Buffer.concat([pdfBytes(), Buffer.from(`<html><script>${'x'.repeat(2048)}</script></html>`)])],
    ['%PDF- in a JPEG comment', 'фото.jpg', jpegWithComment('%PDF-1.7\n1 0 obj<<>>endobj\n')],
    ['%PDF- in a PNG text chunk', 'скан.png', pngWith(pngChunk('tEXt', Buffer.from('c\0%PDF-1.7\n', 'latin1')), 'start')],
    ['a PDF appended to a DOCX', 'жалоба.docx', Buffer.concat([docxBytes(), pdfBytes()])],
    ['a UTF-8 BOM before a PNG', 'bom.png', Buffer.concat([bom, pngBytes()])],
    ['a UTF-8 BOM before a PDF', 'bom.pdf', Buffer.concat([bom, pdfBytes()])],
    ['a UTF-8 BOM before a JPEG', 'bom.jpg', Buffer.concat([bom, jpegBytes()])],
    ['a UTF-8 BOM before a DOCX', 'bom.docx', Buffer.concat([bom, docxBytes()])],
    ['a UTF-16 BOM before a PDF', 'bom16.pdf', Buffer.concat([Buffer.from([0xfe, 0xff]), pdfBytes()])],
    ['a GIF with a ZIP appended (GIFAR) named .png', 'gifar.png', Buffer.concat([gifBytes(), zip])],
    ['the PNG signature followed by HTML', 'страница.png', Buffer.concat([pngBytes().subarray(0, 8), Buffer.from('<html><script>alert(1)</script></html>')])],
  ];
  return list.map(([title, name, bytes]) => ({ kind: 'polyglot', title, expected: UNSUPPORTED, parts: one(name, bytes) }));
}

function truncated(): UploadCase[] {
  const magic: Record<Good, number> = { pdf: 5, png: 8, jpeg: 3, docx: 4 };
  const cases: UploadCase[] = [];
  for (const [kind, good] of Object.entries(GOOD) as [Good, (typeof GOOD)[Good]][]) {
    const bytes = good.bytes();
    const name = `обрезан.${good.extensions[0] ?? kind}`;
    // A PDF's last byte is the newline after %%EOF: cut into the marker.
    const cuts: [string, number][] = [
      ['to its magic number', magic[kind]],
      ['to half', Math.floor(bytes.length / 2)],
      ['by its last bytes', bytes.length - 2],
    ];
    for (const [how, keep] of cuts)
      cases.push({ kind: 'truncated', title: `${kind} cut ${how}`, expected: UNSUPPORTED, parts: one(name, bytes.subarray(0, keep)) });
  }
  return cases;
}

function zipBombs(): UploadCase[] {
  const media: Record<string, Uint8Array> = {};
  for (let i = 0; i < 11; i++) media[`word/media/p${i}.bin`] = randomBytes(120 * 1024);
  const many: Record<string, string> = { ...docxEntries() };
  for (let i = 0; i < 10_001; i++) many[`word/p${i}.xml`] = '';
  return [
    {
      title: '50 MB of zeros in one entry (about 1000-fold)',
      expected: TOO_LARGE,
      bytes: zipBytes({ ...docxEntries(), 'word/media/zeros.bin': Buffer.alloc(50 * 1024 * 1024) }, { deflate: true }),
    },
    {
      title: '11 entries declared 10 MB each (110 MB in all)',
      expected: TOO_LARGE,
      bytes: zipBytes({ ...docxEntries(), ...media }, { deflate: true, declaredSize: (n, real) => (n.startsWith('word/media/') ? 10 * 1024 * 1024 : real) }),
    },
    {
      title: 'an entry declared 100 bytes that inflates to 4 MB',
      expected: UNSUPPORTED,
      bytes: zipBytes(
        { ...docxEntries(), 'word/media/liar.bin': Buffer.alloc(4 * 1024 * 1024) },
        { deflate: true, declaredSize: (n, real) => (n === 'word/media/liar.bin' ? 100 : real) },
      ),
    },
    { title: '10,001 entries', expected: TOO_LARGE, bytes: zipBytes(many) },
  ].map(({ title, expected, bytes }) => ({ kind: 'zip-bomb' as const, title, expected, parts: one('бомба.docx', bytes) }));
}

function names(): UploadCase[] {
  const pdf = pdfBytes('names');
  const refused: [string, string, Expected][] = [
    ['path traversal with /', '../../etc/passwd.pdf', INVALID],
    ['path traversal with \\', '..\\..\\windows\\win.ini.pdf', INVALID],
    ['an absolute path', '/etc/passwd.pdf', INVALID],
    ['a drive path', 'C:\\Users\\x.pdf', INVALID],
    ['a bare ..', '..', INVALID],
    ['dots only', '....pdf', INVALID],
    ['an RTL override hiding .exe', 'evil\u202Efdp.exe', MISMATCH],
    ['no name at all', '', INVALID],
    ['an extension and nothing else', '   .pdf', MISMATCH],
    // Not a valid header value: the multipart parser refuses the request.
    ['a NUL byte', 'a\u0000b.pdf', INVALID],
    ['an ANSI escape', 'bell\u0007\u001b[31m.pdf', INVALID],
  ];
  const accepted: [string, string, string][] = [
    ['a tab', 'tab\tname.pdf', 'tabname.pdf'],
    ['a C1 control (NEL)', 'next\u0085line.pdf', 'nextline.pdf'],
    ['an RTL override inside', 'report\u202Egnp.pdf', 'reportgnp.pdf'],
    ['a zero-width space', '\u200Bневидимка.pdf', 'невидимка.pdf'],
    ['5,000 Cyrillic letters', `${'я'.repeat(5000)}.pdf`, `${'я'.repeat(196)}.pdf`],
    ['1,000 ASCII letters', `${'a'.repeat(1000)}.pdf`, `${'a'.repeat(196)}.pdf`],
    ['the reserved name CON', 'CON.pdf', '_CON.pdf'],
    ['the reserved name nul', 'nul.pdf', '_nul.pdf'],
    ['the reserved name COM1', 'COM1.pdf', '_COM1.pdf'],
    ['the reserved name LPT9', 'lpt9.pdf', '_lpt9.pdf'],
    ['the reserved name AUX before two extensions', 'AUX.report.pdf', '_AUX.report.pdf'],
    ['quotes and angle brackets', 'quote"and<tag>.pdf', 'quote"and<tag>.pdf'],
    ['a trailing dot', 'name.pdf.', 'name.pdf'],
  ];
  return [
    ...refused.map(([title, name, expected]): UploadCase => ({ kind: 'name', title, expected, parts: one(name, pdf) })),
    ...accepted.map(([title, name, stored]): UploadCase => ({ kind: 'name', title, expected: 'accepted', parts: one(name, pdf), storedNames: [stored] })),
  ];
}

function sizes(): UploadCase[] {
  const limit = LIMITS.attachmentBytes;
  return [
    { title: 'exactly 10,485,760 bytes', expected: 'accepted' as const, parts: one('ровно.pdf', pdfBytes('limit', limit)) },
    { title: '10,485,759 bytes', expected: 'accepted' as const, parts: one('без-байта.pdf', pdfBytes('under', limit - 1)) },
    { title: '10,485,761 bytes', expected: TOO_LARGE, parts: one('байт-сверху.pdf', pdfBytes('over', limit + 1)) },
    { title: '11 MiB', expected: TOO_LARGE, parts: one('большой.pdf', pdfBytes('big', 11 * 1024 * 1024)) },
    { title: 'an empty file', expected: INVALID, parts: one('пустой.pdf', new Uint8Array(0)) },
    { title: 'one byte', expected: UNSUPPORTED, parts: one('байт.pdf', Buffer.from('%')) },
    {
      title: 'a new version of exactly 10,485,760 bytes',
      expected: 'accepted' as const,
      parts: one('версия.pdf', pdfBytes('version', limit)),
      toVersion: true,
    },
    { title: 'a new version of 10,485,761 bytes', expected: TOO_LARGE, parts: one('версия.pdf', pdfBytes('version over', limit + 1)), toVersion: true },
  ].map((c) => ({ kind: 'size' as const, ...c }));
}

function manyFiles(): UploadCase[] {
  const small = (n: number): RawPart[] =>
    Array.from({ length: n }, (_, i) => ({ name: `файл-${i}.pdf`, bytes: pdfBytes(`many ${i} ${randomBytes(4).toString('hex')}`) }));
  const full = Array.from({ length: 10 }, (_, i) => ({ name: `полный-${i}.pdf`, bytes: pdfBytes(`full ${i}`, LIMITS.attachmentBytes) }));
  const fields = Array.from({ length: 11 }, (_, i) => ({ field: `note${i}`, bytes: Buffer.from('x') }));
  return [
    { title: '10 files', expected: 'accepted' as const, parts: small(10) },
    { title: '10 files of exactly 10,485,760 bytes', expected: 'accepted' as const, parts: full },
    { title: '11 files', expected: TOO_LARGE, parts: small(11) },
    { title: '10 files, the last one a GIF', expected: UNSUPPORTED, parts: [...small(9), { name: 'последний.png', bytes: gifBytes() }] },
    { title: '11 text fields and a file', expected: TOO_LARGE, parts: [...fields, ...small(1)] },
    { title: 'no file part at all', expected: INVALID, parts: [] },
    { title: 'two files for a new version', expected: INVALID, parts: small(2), toVersion: true },
  ].map((c) => ({ kind: 'many-files' as const, ...c }));
}

/** Every generated case but the stalled uploads (those are sent by hand in the test). */
export function uploadCases(): UploadCase[] {
  return [...typeConfusion(), ...polyglots(), ...truncated(), ...zipBombs(), ...names(), ...sizes(), ...manyFiles()];
}
