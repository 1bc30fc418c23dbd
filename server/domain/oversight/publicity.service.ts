/**
 * Whether an appeal is published on Open311 (docs/oversight.md): off until
 * its citizen turns it on; only the citizen changes it, and each change is
 * journalled. Anyone who may open the appeal reads the flag.
 */
import type { Clock } from '../../lib/clock.js';
import type { Store } from '../../store/store.js';
import { roomRoleOf } from '../appeals/appeal.policy.js';
import type { AuditService } from '../audit/audit.service.js';
import { forbidden, notFound } from '../errors.js';
import type { Viewer } from '../viewer.js';

export class PublicityService {
  constructor(private readonly d: { store: Store; clock: Clock; audit: AuditService }) {}

  private async appeal(viewer: Viewer, id: string) {
    const appeal = await this.d.store.appeals.get(id);
    const role = appeal ? roomRoleOf(viewer, appeal) : null;
    if (!appeal || role === null) throw notFound('Обращение не найдено');
    return { appeal, role };
  }

  async get(viewer: Viewer, id: string): Promise<{ public: boolean }> {
    await this.appeal(viewer, id);
    return { public: await this.d.store.oversight.isPublic(id) };
  }

  async set(viewer: Viewer, id: string, isPublic: boolean): Promise<{ public: boolean }> {
    const { role } = await this.appeal(viewer, id);
    if (role !== 'owner') throw forbidden('Публикацию разрешает только заявитель');
    const before = await this.d.store.oversight.isPublic(id);
    if (before !== isPublic) {
      await this.d.store.oversight.setPublic(id, isPublic, this.d.clock.now());
      await this.d.audit.record({
        actorId: viewer.id,
        action: 'appeal.publicity_changed',
        subjectType: 'appeal',
        subjectId: id,
        details: { public: { before, after: isPublic } },
      });
    }
    return { public: isPublic };
  }
}
