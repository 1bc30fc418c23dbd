/**
 * PDFs in tests: a download as bytes (the TestClient reads bodies as text),
 * and a PDF's text read back with PDF.js (pdfjs-dist), page by page, the
 * runs of each page joined by spaces.
 */
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { TestClient } from './session.js';

/** GET `path` as `client`; the status, the headers and the body's bytes. */
export async function download(client: TestClient, path: string): Promise<{ status: number; headers: Headers; bytes: Uint8Array }> {
  const res = await fetch(client.baseUrl + path, { headers: { origin: client.origin, cookie: client.cookie } });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** The text of every page of a PDF, in reading order, whitespace collapsed to single spaces. */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdf = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= pdf.numPages; i++) {
    const content = await (await pdf.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
  }
  await pdf.destroy();
  return pages.join(' ').replace(/\s+/g, ' ');
}
