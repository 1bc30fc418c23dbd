/**
 * REST after the decision: decision PDFs and the case PDF, the citizen's
 * rating, the supervisor's review (docs/api-case.md, "Decisions, ratings and
 * reviews"). Thin handlers; paths and schemas: shared/protocol/routes.ts.
 */
import { Router, type Response } from 'express';
import { contentDisposition } from '../../domain/attachments/file-name.js';
import type { FeedbackService } from '../../domain/decisions/feedback.service.js';
import type { DocumentService, PdfFile } from '../../domain/documents/document.service.js';
import { mountRoute } from './mount-route.js';
import { requireConfirmed } from './request-context.js';

export function outcomeRoutes(feedback: FeedbackService, documents: DocumentService): Router {
  const r = Router();

  mountRoute(r, 'decisions.pdf', async ({ res, param }) => {
    sendPdf(res, await documents.decisionPdf(requireConfirmed(res), param('id'), param('decisionId')));
  });
  mountRoute(r, 'appeals.pdf', async ({ res, param }) => {
    sendPdf(res, await documents.casePdf(requireConfirmed(res), param('id')));
  });
  mountRoute(r, 'feedback.rate', async ({ res, param, body }) => ({ appeal: await feedback.rate(requireConfirmed(res), param('id'), body()) }));
  mountRoute(r, 'feedback.change', async ({ res, param, body }) => ({ appeal: await feedback.change(requireConfirmed(res), param('id'), body()) }));
  mountRoute(r, 'review.act', async ({ res, param, body }) => ({ appeal: await feedback.act(requireConfirmed(res), param('id'), body()) }));
  mountRoute(r, 'review.checklist', async ({ res, param, body }) => ({
    appeal: await feedback.markChecklist(requireConfirmed(res), param('id'), param('itemId'), body().done),
  }));
  mountRoute(r, 'reviews.list', async ({ res, query }) => feedback.list(requireConfirmed(res), query()));

  return r;
}

function sendPdf(res: Response, file: PdfFile): void {
  res.setHeader('Content-Type', 'application/pdf');
  res.setHeader('Content-Length', String(file.bytes.byteLength));
  res.setHeader('Content-Disposition', contentDisposition('attachment', file.fileName));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  res.end(file.bytes);
}
