/**
 * The staff directory officers need to invite experts and reassign appeals:
 * names and ids only, never contacts, and only for operators and supervisors.
 */
import type { Role } from '../../../shared/status-machine.js';
import type { Store, UserRecord } from '../../store/store.js';
import { forbidden } from '../errors.js';
import type { Viewer } from '../viewer.js';

export interface StaffEntry {
  id: string;
  fullName: string;
  role: Role;
}

export interface StaffDirectory {
  /** Every unlocked expert (experts belong to no department). */
  experts: StaffEntry[];
  /** Operators and supervisors of the viewer's department. */
  officers: StaffEntry[];
}

const PAGE = 100;

export class DirectoryService {
  constructor(private readonly store: Store) {}

  async staff(viewer: Viewer): Promise<StaffDirectory> {
    if ((viewer.role !== 'operator' && viewer.role !== 'supervisor') || !viewer.departmentId) throw forbidden();
    const experts = await this.all({ role: 'expert' });
    const department = await this.all({ departmentId: viewer.departmentId });
    return {
      experts: experts.map(entry),
      officers: department.filter((u) => u.role === 'operator' || u.role === 'supervisor').map(entry),
    };
  }

  private async all(filter: { role?: Role; departmentId?: string }): Promise<UserRecord[]> {
    const out: UserRecord[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.store.users.list({ ...filter, limit: PAGE, offset });
      out.push(...page.items.filter((u) => !u.locked));
      if (page.items.length < PAGE || offset > 10_000) return out;
    }
  }
}

const entry = (u: UserRecord): StaffEntry => ({ id: u.id, fullName: u.fullName, role: u.role });
