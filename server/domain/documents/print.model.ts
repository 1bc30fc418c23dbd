/**
 * A printable document as the domain describes it: headings, paragraphs,
 * facts and entries, with no layout. The PDF renderer
 * (server/channels/pdf.renderer.ts, pdfkit with an embedded Cyrillic font)
 * implements the port; the domain decides what goes in, so what a person
 * downloads is built from what they may see in the room.
 */
import { MSK_OFFSET_MS } from '../../../shared/calendar-dates.js';

export type PrintBlock =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string; isMuted?: boolean }
  /** Label–value pairs. */
  | { kind: 'facts'; rows: [string, string][] }
  | { kind: 'list'; items: string[] }
  /** One dated entry (a message, a history step): a bold head line, the text, an optional note. */
  | { kind: 'entry'; head: string; text: string; note?: string }
  /** The signature block at the end of a decision. */
  | { kind: 'signature'; lines: string[] };

export interface PrintDocument {
  /** The PDF's title (its metadata) and the first heading. */
  title: string;
  /** Small lines above the title (the service, the department). */
  header: string[];
  /** A line under the title (the version, a draft's mark). */
  subtitle: string | null;
  blocks: PrintBlock[];
  /** The line at the foot of every page, before «стр. N из M». */
  footer: string;
}

/** Renders a document to PDF bytes. */
export interface PdfRenderer {
  render(doc: PrintDocument): Promise<Uint8Array>;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** ДД.ММ.ГГГГ in Moscow time (the documents' dates are the department's). */
export function printDate(at: number): string {
  const d = new Date(at + MSK_OFFSET_MS);
  return `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`;
}

/** ДД.ММ.ГГГГ ЧЧ:ММ (МСК). */
export function printDateTime(at: number): string {
  const d = new Date(at + MSK_OFFSET_MS);
  return `${printDate(at)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** A file's size in КБ/МБ. */
export function printSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} Б`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace('.', ',')} КБ`;
  return `${(bytes / 1024 / 1024).toFixed(1).replace('.', ',')} МБ`;
}
