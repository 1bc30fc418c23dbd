/**
 * The pure parts of linked appeals (docs/after-decision.md): which departments
 * are above another, which actions a kind of appeal allows, and the domain
 * events of escalation as they cross instances (strict schemas).
 */
import { describe, expect, it } from 'vitest';
import { departmentsAbove } from '../../server/domain/appeals/appeal-links.rules.js';
import { parseDomainEvent } from '../../server/domain/events.js';
import { allowedForKind, isAnsweredKind, TRANSITION_ACTIONS } from '../../shared/status-machine.js';
import { makeDepartment } from '../helpers/factories.js';

describe('departments above', () => {
  const federal = makeDepartment({ id: 'dep-federal-0001', level: 'federal' });
  const regional = makeDepartment({ id: 'dep-regional-001', level: 'regional', parentId: federal.id });
  const municipal = makeDepartment({ id: 'dep-municipal-01', level: 'municipal', parentId: regional.id });
  const sideways = makeDepartment({ id: 'dep-sideways-001', level: 'regional', parentId: null });

  it('are the parent, its parent and so on, nearest first', () => {
    expect(departmentsAbove([federal, regional, municipal, sideways], municipal.id).map((d) => d.id)).toStrictEqual([regional.id, federal.id]);
    expect(departmentsAbove([federal, regional, municipal], regional.id).map((d) => d.id)).toStrictEqual([federal.id]);
    expect(departmentsAbove([federal, regional, municipal], federal.id)).toStrictEqual([]);
    expect(departmentsAbove([federal], null)).toStrictEqual([]);
  });

  it('stop at a parent that is not on a higher level, and at a cycle', () => {
    const flat = makeDepartment({ id: 'dep-flat-000001', level: 'regional', parentId: sideways.id });
    expect(departmentsAbove([flat, sideways], flat.id)).toStrictEqual([]);
    const a = makeDepartment({ id: 'dep-cycle-a-0001', level: 'regional', parentId: 'dep-cycle-b-0001' });
    const b = makeDepartment({ id: 'dep-cycle-b-0001', level: 'federal', parentId: a.id });
    expect(departmentsAbove([a, b], a.id).map((d) => d.id)).toStrictEqual([b.id]);
  });
});

describe('actions by kind of appeal', () => {
  it('a suggestion and an escalated appeal are answered, with no resolution to propose; other kinds keep the whole table', () => {
    for (const kind of [
      { type: 'suggestion', escalated: false },
      { type: 'complaint', escalated: true },
    ]) {
      expect(isAnsweredKind(kind)).toBe(true);
      expect(TRANSITION_ACTIONS.filter((a) => !allowedForKind(a, kind))).toStrictEqual(['propose_resolution']);
    }
    for (const type of ['complaint', 'application', 'info_request', null]) {
      expect(isAnsweredKind({ type, escalated: false })).toBe(false);
      expect(TRANSITION_ACTIONS.every((a) => allowedForKind(a, { type, escalated: false }))).toBe(true);
    }
  });
});

describe('escalation events across instances', () => {
  const access = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    status: 'registered',
    version: 1,
    citizenId: 'citizen-000000001',
    assigneeId: null,
    departmentId: 'dep-minstroy-0001',
    expertIds: [],
    ...extra,
  });
  const event = {
    type: 'appeal.escalated',
    appeal: access('appeal-new-000001'),
    original: access('appeal-orig-00001', { readerDepartmentIds: ['dep-minstroy-0001'] }),
    actorId: 'citizen-000000001',
    byRole: 'citizen',
  };

  it('parse with the readers of the original, and drop any extra field or unknown role', () => {
    expect(parseDomainEvent(event)).toStrictEqual(event);
    expect(parseDomainEvent({ ...event, reason: 'текст причины' })).toBeNull();
    expect(parseDomainEvent({ ...event, byRole: 'operator' })).toBeNull();
    expect(
      parseDomainEvent({
        type: 'escalation.answered',
        appeal: access('appeal-new-000001'),
        originalAppealId: 'appeal-orig-00001',
        kind: 'note',
        actorId: 'officer-000000001',
      }),
    ).not.toBeNull();
    expect(parseDomainEvent({ type: 'suggestion.marked', appeal: access('appeal-new-000001'), mark: 'accepted', actorId: 'officer-000000001' })).toBeNull();
  });
});
