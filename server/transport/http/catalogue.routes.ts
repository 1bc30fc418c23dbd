/** REST for the catalogue: public reads, admin writes. */
import { Router } from 'express';
import { z } from 'zod';
import { categoryInputSchema, departmentInputSchema } from '../../../shared/schemas/catalogue.schema.js';
import type { CatalogueService } from '../../domain/catalogue/catalogue.service.js';
import { param, parse } from './http-errors.js';
import { requireConfirmed } from './request-context.js';

const suggestSchema = z.object({ text: z.string().max(20000) });
const categoryPatchSchema = categoryInputSchema.partial().extend({ archived: z.boolean().optional() });

export function catalogueRoutes(catalogue: CatalogueService): Router {
  const r = Router();
  r.get('/api/departments', async (_req, res) => {
    res.json({ items: await catalogue.departments() });
  });
  r.get('/api/categories', async (_req, res) => {
    res.json({ items: await catalogue.categories() });
  });
  r.post('/api/categories/suggest', async (req, res) => {
    const found = await catalogue.suggest(parse(suggestSchema, req.body).text);
    res.json({ items: found.map((f) => ({ categoryId: f.category.id, name: f.category.name, score: f.score })) });
  });
  r.post('/api/admin/departments', async (req, res) => {
    res.status(201).json({ department: await catalogue.createDepartment(requireConfirmed(res), parse(departmentInputSchema, req.body)) });
  });
  r.patch('/api/admin/departments/:id', async (req, res) => {
    res.json({ department: await catalogue.updateDepartment(requireConfirmed(res), param(req, 'id'), parse(departmentInputSchema.partial(), req.body)) });
  });
  r.get('/api/admin/categories', async (_req, res) => {
    res.json({ items: await catalogue.allCategories(requireConfirmed(res)) });
  });
  r.post('/api/admin/categories', async (req, res) => {
    res.status(201).json({ category: await catalogue.createCategory(requireConfirmed(res), parse(categoryInputSchema, req.body)) });
  });
  r.patch('/api/admin/categories/:id', async (req, res) => {
    res.json({ category: await catalogue.updateCategory(requireConfirmed(res), param(req, 'id'), parse(categoryPatchSchema, req.body)) });
  });
  return r;
}
