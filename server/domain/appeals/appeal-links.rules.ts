/**
 * Where an appeal of a kind with its own route goes, and which departments are
 * above another (PRODUCT.md §7, seed 004). Reads only; the services decide.
 */
import { LEVEL_RANK } from '../../../shared/catalogue.js';
import type { AppealRecord, DepartmentRecord, Store } from '../../store/store.js';

/** Statuses from which an appeal may be filed again on the same matter. */
export const REPEATABLE_STATUSES: ReadonlySet<AppealRecord['status']> = new Set(['completed', 'rejected']);

/**
 * The department (and the first assignee) of an appeal whose kind decides its
 * route, or null when the category's department takes it: a complaint goes to
 * the body it names, to that body's supervisor; a repeat to the department
 * that had the original.
 */
export async function routeOf(
  store: Pick<Store, 'appeals' | 'users'>,
  appeal: Pick<AppealRecord, 'type' | 'complaint' | 'repeatOfId'>,
): Promise<{ departmentId: string; assigneeId: string | null } | null> {
  if (appeal.type === 'complaint' && appeal.complaint) {
    const { departmentId } = appeal.complaint;
    const supervisors = await store.users.list({ role: 'supervisor', departmentId, limit: 1, offset: 0 });
    return { departmentId, assigneeId: supervisors.items[0]?.id ?? null };
  }
  if (appeal.repeatOfId) {
    const original = await store.appeals.get(appeal.repeatOfId);
    if (original?.departmentId) return { departmentId: original.departmentId, assigneeId: null };
  }
  return null;
}

/**
 * The departments above `departmentId`, nearest first: its parent, the
 * parent's parent… each on a higher level than the one below it (a cycle or
 * a parent that is not higher ends the chain).
 */
export function departmentsAbove(departments: readonly DepartmentRecord[], departmentId: string | null): DepartmentRecord[] {
  const byId = new Map(departments.map((d) => [d.id, d]));
  const above: DepartmentRecord[] = [];
  let current = departmentId ? byId.get(departmentId) : undefined;
  while (current?.parentId) {
    const parent = byId.get(current.parentId);
    if (!parent || LEVEL_RANK[parent.level] <= LEVEL_RANK[current.level] || above.includes(parent)) break;
    above.push(parent);
    current = parent;
  }
  return above;
}
