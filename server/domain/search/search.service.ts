/**
 * Search across appeals (docs/search.md). A person searches the appeals they
 * may open: the Store applies their access as grants in the query itself
 * (`grantsFor`), and every hit is checked again with the appeal policy before
 * it goes out. Staff match the number, the body, the chat and the internal
 * notes of their department's appeals (and of those escalated to it, and an
 * expert of those they were invited to); the citizen's name only where the
 * personal-data policy gives it to them (a read of it is logged). A citizen
 * searches their own appeals by number and text (the body and the chat).
 */
import type { SearchFragment, SearchHitView, SearchQueryInput, SearchReply } from '../../../shared/schemas/search.schema.js';
import type { AppealRecord, SearchField, SearchFilter, SearchGrant, SearchHit, Store } from '../../store/store.js';
import { queryTermsOf } from '../../store/search-text.js';
import { isStaffIn, roomRoleOf } from '../appeals/appeal.policy.js';
import type { AuditService } from '../audit/audit.service.js';
import { invalid } from '../errors.js';
import { logPersonalRead } from '../privacy/access-log.js';
import { seesPersonalData } from '../privacy/personal-data.policy.js';
import type { Viewer } from '../viewer.js';
import { highlight } from './highlight.js';

export interface SearchDeps {
  store: Store;
  audit: AuditService;
}

const WITHOUT_NAME: readonly SearchField[] = ['number', 'body', 'chat', 'notes'];
const WITH_NAME: readonly SearchField[] = ['number', 'name', 'body', 'chat', 'notes'];
const DAY = 24 * 60 * 60 * 1000;

/**
 * The viewer's access as grants (search.port.ts), mirroring `roomRoleOf` and
 * `seesPersonalData`: the name is matched only under a grant where the
 * policy gives it (the assignee, the department's supervisors, an expert the
 * citizen allowed). An admin opens no appeal, and finds none.
 */
export function grantsFor(viewer: Viewer): SearchGrant[] {
  const dep = viewer.departmentId;
  switch (viewer.role) {
    case 'citizen':
      return [{ citizenId: viewer.id, fields: ['number', 'body', 'chat'], excludeDrafts: true }];
    case 'operator':
      if (dep === null) return [];
      return [
        { departmentId: dep, fields: WITHOUT_NAME, excludeDrafts: true },
        { departmentId: dep, assigneeId: viewer.id, fields: WITH_NAME, excludeDrafts: true },
        { readerDepartmentId: dep, fields: WITHOUT_NAME, excludeDrafts: true },
      ];
    case 'supervisor':
      if (dep === null) return [];
      return [
        { departmentId: dep, fields: WITH_NAME, excludeDrafts: true },
        { readerDepartmentId: dep, fields: WITHOUT_NAME, excludeDrafts: true },
      ];
    case 'expert':
      return [
        { expertId: viewer.id, fields: WITHOUT_NAME, excludeDrafts: true },
        { expertId: viewer.id, expertsSeeContacts: true, fields: WITH_NAME, excludeDrafts: true },
      ];
    case 'admin':
      return [];
  }
}

/** The query's filters as the Store takes them: the period's days (UTC) as instants, `to` taking its whole day. */
function filterOf(input: SearchQueryInput): SearchFilter {
  return {
    ...(input.status !== undefined ? { status: input.status } : {}),
    ...(input.categoryId !== undefined ? { categoryId: input.categoryId } : {}),
    ...(input.departmentId !== undefined ? { departmentId: input.departmentId } : {}),
    ...(input.type !== undefined ? { type: input.type } : {}),
    ...(input.from !== undefined ? { from: Date.parse(input.from) } : {}),
    ...(input.to !== undefined ? { to: Date.parse(input.to) + DAY } : {}),
  };
}

export class SearchService {
  constructor(private readonly d: SearchDeps) {}

  /** The viewer's hits, best first, with the matching words marked. Refused: a query with no word to look for. */
  async search(viewer: Viewer, input: SearchQueryInput): Promise<SearchReply> {
    const terms = queryTermsOf(input.q);
    if (terms.length === 0) throw invalid({ q: 'В запросе нет слов для поиска' }, 'В запросе нет слов для поиска');
    const page = await this.d.store.search.search({
      text: input.q,
      grants: grantsFor(viewer),
      filter: filterOf(input),
      limit: input.limit,
      offset: input.offset,
    });
    const wanted = new Set(terms);
    const items: SearchHitView[] = [];
    for (const hit of page.items) {
      const appeal = await this.d.store.appeals.get(hit.appealId);
      // The index may lag a change of access by moments: the policy decides on the record itself.
      if (!appeal || appeal.status === 'draft' || roomRoleOf(viewer, appeal) === null) continue;
      items.push(await this.view(viewer, appeal, hit, wanted));
    }
    return { items, total: page.total - (page.items.length - items.length), more: page.more };
  }

  private async view(viewer: Viewer, appeal: AppealRecord, hit: SearchHit, terms: ReadonlySet<string>): Promise<SearchHitView> {
    const fragments: SearchFragment[] = [{ field: 'subject', segments: highlight(appeal.subject, terms, true) ?? [] }];
    const add = (field: SearchFragment['field'], text: string | null): boolean => {
      const segments = text ? highlight(text, terms, false, field === 'name') : null;
      if (segments) fragments.push({ field, segments });
      return segments !== null;
    };
    add('number', appeal.number);
    if (seesPersonalData(viewer, appeal)) {
      const citizen = await this.d.store.users.get(appeal.citizenId);
      if (add('name', citizen?.fullName ?? null)) await logPersonalRead(this.d.audit, viewer, appeal, ['fullName'], 'search');
    }
    const { replyContact: _contact, happenedOn: _date, ...details } = appeal.details;
    const body = [appeal.description, ...Object.values(appeal.extra), ...Object.values(details)].filter((s): s is string => typeof s === 'string');
    for (const text of body) if (add('body', text)) break;
    const staff = isStaffIn(viewer, appeal);
    for (const m of hit.chat) if (!m.internal || staff) add(m.internal ? 'note' : 'chat', m.text);
    return {
      id: appeal.id,
      number: appeal.number,
      subject: appeal.subject,
      status: appeal.status,
      type: appeal.type,
      categoryId: appeal.categoryId,
      departmentId: appeal.departmentId,
      submittedAt: appeal.submittedAt,
      fragments,
    };
  }
}
