/** REST for the catalogue: public reads, admin writes. Paths and schemas: shared/protocol/routes.ts. */
import { Router } from 'express';
import type { CatalogueService } from '../../domain/catalogue/catalogue.service.js';
import { mountRoute } from './mount-route.js';
import { requireConfirmed } from './request-context.js';

export function catalogueRoutes(catalogue: CatalogueService): Router {
  const r = Router();
  mountRoute(r, 'departments.list', async () => ({ items: await catalogue.departments() }));
  mountRoute(r, 'categories.list', async () => ({ items: await catalogue.categories() }));
  mountRoute(r, 'categories.suggest', async ({ body }) => {
    const found = await catalogue.suggest(body().text);
    return { items: found.map((f) => ({ categoryId: f.category.id, name: f.category.name, score: f.score })) };
  });
  mountRoute(r, 'admin.departments.create', async ({ res, body }) => ({ department: await catalogue.createDepartment(requireConfirmed(res), body()) }));
  mountRoute(r, 'admin.departments.update', async ({ res, param, body }) => ({
    department: await catalogue.updateDepartment(requireConfirmed(res), param('id'), body()),
  }));
  mountRoute(r, 'admin.categories.list', async ({ res }) => ({ items: await catalogue.allCategories(requireConfirmed(res)) }));
  mountRoute(r, 'admin.categories.create', async ({ res, body }) => ({ category: await catalogue.createCategory(requireConfirmed(res), body()) }));
  mountRoute(r, 'admin.categories.update', async ({ res, param, body }) => ({
    category: await catalogue.updateCategory(requireConfirmed(res), param('id'), body()),
  }));
  return r;
}
