/** Departments and categories on SQLite. */
import type { CatalogueRepo, CategoryRecord, DepartmentRecord } from '../store.js';
import type { SqliteContext } from './table.js';
import { Table } from './table.js';

const departments = new Table<DepartmentRecord>('departments', {
  id: 'text',
  code: 'text',
  name: 'text',
  region: 'text',
  level: 'text',
  parentId: 'text',
});

const categories = new Table<CategoryRecord>('categories', {
  id: 'text',
  code: 'text',
  name: 'text',
  departmentId: 'text',
  deadlineDays: 'int',
  requiredDocuments: 'json',
  extraFields: 'json',
  keywords: 'json',
  archived: 'bool',
});

/** Get, patch and list for one catalogue table; lists are ordered by code. */
function crud<R extends { id: string }>(ctx: SqliteContext, table: Table<R>) {
  const get = (id: string): R | null => {
    const row = ctx.get(`SELECT * FROM ${table.name} WHERE id = ?`, id);
    return row ? table.decode(row) : null;
  };
  return {
    create: (record: R) => ctx.write(() => void ctx.run(table.insertSql(), table.params(record))),
    update: (id: string, patch: Partial<R>) =>
      ctx.write(() => {
        const fields = table.patchFields(patch, ['id']);
        if (fields.length > 0) {
          ctx.run(`UPDATE ${table.name} SET ${table.setClause(fields)} WHERE id = @id`, { ...table.params(patch, fields), id });
        }
        return get(id);
      }),
    get: (id: string) => ctx.read(() => get(id)),
    list: () => ctx.read(() => ctx.all(`SELECT * FROM ${table.name} ORDER BY code, id`).map((r) => table.decode(r))),
  };
}

export function sqliteCatalogue(ctx: SqliteContext): CatalogueRepo {
  const deps = crud(ctx, departments);
  const cats = crud(ctx, categories);
  return {
    createDepartment: deps.create,
    updateDepartment: deps.update,
    getDepartment: deps.get,
    listDepartments: deps.list,
    createCategory: cats.create,
    updateCategory: cats.update,
    getCategory: cats.get,
    listCategories: cats.list,
  };
}
