/**
 * The PdfRenderer port (server/domain/documents/print.model.ts) on pdfkit: A4,
 * the DejaVu Sans fonts shipped by the `dejavu-fonts-ttf` package embedded
 * (subset) for Cyrillic, page numbers at the foot. pdfkit is imported at the
 * first document, so a server that prints nothing never loads it; it stays in
 * node_modules (scripts/build-server.mjs), where it reads its own data files.
 */
import { createRequire } from 'node:module';
import type { PdfRenderer, PrintBlock, PrintDocument } from '../domain/documents/print.model.js';

const require = createRequire(import.meta.url);
/** The fonts' files, resolved in node_modules (nothing is fetched at run time). */
export const FONT_FILES = {
  regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
} as const;

type PdfKit = new (options?: PDFKit.PDFDocumentOptions) => PDFKit.PDFDocument;
let pdfkit: Promise<PdfKit> | null = null;

const MARGIN = 56;
const TEXT = '#1b1b1b';
const MUTED = '#555555';

export class PdfKitRenderer implements PdfRenderer {
  async render(doc: PrintDocument): Promise<Uint8Array> {
    const PDFDocument = await (pdfkit ??= import('pdfkit').then((m: unknown) => (m as { default: PdfKit }).default));
    const pdf = new PDFDocument({
      size: 'A4',
      margins: { top: MARGIN, bottom: MARGIN + 16, left: MARGIN, right: MARGIN },
      bufferPages: true,
      info: { Title: doc.title, Author: 'Госуслуги · Совместное решение вопросов', Subject: doc.subtitle ?? doc.title },
      lang: 'ru-RU',
      displayTitle: true,
    });
    const chunks: Buffer[] = [];
    pdf.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise<void>((resolve, reject) => {
      pdf.on('end', resolve);
      pdf.on('error', reject);
    });
    pdf.registerFont('body', FONT_FILES.regular);
    pdf.registerFont('bold', FONT_FILES.bold);

    pdf.font('body').fontSize(9).fillColor(MUTED);
    for (const line of doc.header) pdf.text(line);
    pdf.moveDown(0.8).font('bold').fontSize(16).fillColor(TEXT).text(doc.title);
    if (doc.subtitle) pdf.moveDown(0.2).font('body').fontSize(10).fillColor(MUTED).text(doc.subtitle);
    pdf.moveDown(0.8);
    for (const block of doc.blocks) drawBlock(pdf, block);

    // Page numbers, once every page exists.
    const range = pdf.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      pdf.switchToPage(i);
      const y = pdf.page.height - MARGIN;
      pdf
        .font('body')
        .fontSize(8)
        .fillColor(MUTED)
        .text(`${doc.footer} · стр. ${i - range.start + 1} из ${range.count}`, MARGIN, y, {
          width: pdf.page.width - 2 * MARGIN,
          align: 'center',
          lineBreak: false,
        });
    }
    pdf.end();
    await done;
    return new Uint8Array(Buffer.concat(chunks));
  }
}

function drawBlock(pdf: PDFKit.PDFDocument, block: PrintBlock): void {
  const width = pdf.page.width - 2 * MARGIN;
  switch (block.kind) {
    case 'heading':
      pdf.moveDown(0.6).font('bold').fontSize(12).fillColor(TEXT).text(block.text, MARGIN, undefined, { width });
      pdf.moveDown(0.3);
      return;
    case 'paragraph':
      pdf
        .font('body')
        .fontSize(10.5)
        .fillColor(block.isMuted ? MUTED : TEXT)
        .text(block.text, MARGIN, undefined, { width, align: 'left' });
      pdf.moveDown(0.4);
      return;
    case 'facts':
      for (const [label, value] of block.rows) {
        pdf.font('bold').fontSize(10).fillColor(TEXT).text(`${label}: `, MARGIN, undefined, { width, continued: true });
        pdf.font('body').text(value);
      }
      pdf.moveDown(0.4);
      return;
    case 'list':
      pdf
        .font('body')
        .fontSize(10.5)
        .fillColor(TEXT)
        .list(block.items, MARGIN + 6, undefined, { width: width - 6, bulletRadius: 1.8 });
      pdf.moveDown(0.4);
      return;
    case 'entry':
      pdf.font('bold').fontSize(9.5).fillColor(TEXT).text(block.head, MARGIN, undefined, { width });
      if (block.text)
        pdf
          .font('body')
          .fontSize(10)
          .text(block.text, MARGIN + 10, undefined, { width: width - 10 });
      if (block.note)
        pdf
          .font('body')
          .fontSize(9)
          .fillColor(MUTED)
          .text(block.note, MARGIN + 10, undefined, { width: width - 10 });
      pdf.moveDown(0.5);
      return;
    case 'signature':
      pdf.moveDown(1.5);
      for (const line of block.lines) pdf.font('body').fontSize(10.5).fillColor(TEXT).text(line, MARGIN, undefined, { width, align: 'right' });
      return;
  }
}
