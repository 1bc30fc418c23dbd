/**
 * The access policy of one appeal (appeal.policy.ts), written out case by case
 * from PRODUCT.md §1 instead of recomputed: the part each viewer has, who may
 * write, who is staff, and the assignee-only rule for operators.
 */
import { describe, expect, it } from 'vitest';
import { accessOf, canWriteInRoom, isAssignedToAnother, isStaffIn, roomRoleOf, type AppealAccess } from '../../server/domain/appeals/appeal.policy.js';
import type { Viewer } from '../../server/domain/viewer.js';
import type { Role, Status } from '../../shared/status-machine.js';
import { makeRegisteredAppeal } from '../helpers/factories.js';

const DEP = 'd-housing';
const OTHER_DEP = 'd-tax';

function viewer(id: string, role: Role, departmentId: string | null = null): Viewer {
  return { id, role, departmentId, sessionId: `s-${id}` };
}

const citizen = viewer('u-citizen', 'citizen');
const otherCitizen = viewer('u-other-citizen', 'citizen');
const operator = viewer('u-operator', 'operator', DEP);
const assignedOperator = viewer('u-assigned-op', 'operator', DEP);
const foreignOperator = viewer('u-foreign-op', 'operator', OTHER_DEP);
const supervisor = viewer('u-supervisor', 'supervisor', DEP);
const foreignSupervisor = viewer('u-foreign-sup', 'supervisor', OTHER_DEP);
const invitedExpert = viewer('u-expert', 'expert');
const otherExpert = viewer('u-other-expert', 'expert');
const admin = viewer('u-admin', 'admin');

function appeal(overrides: Partial<AppealAccess> = {}): AppealAccess {
  return {
    id: 'a-1',
    status: 'in_progress',
    version: 3,
    citizenId: citizen.id,
    assigneeId: assignedOperator.id,
    departmentId: DEP,
    expertIds: [invitedExpert.id],
    ...overrides,
  };
}

describe('accessOf', () => {
  it('keeps exactly the seven access fields of a whole record, with their values', () => {
    const record = makeRegisteredAppeal({
      id: 'a-9',
      status: 'info_requested',
      version: 7,
      citizenId: 'c-9',
      assigneeId: 'op-9',
      departmentId: 'd-9',
      expertIds: ['e-1', 'e-2'],
    });
    expect(accessOf(record)).toStrictEqual({
      id: 'a-9',
      status: 'info_requested',
      version: 7,
      citizenId: 'c-9',
      assigneeId: 'op-9',
      departmentId: 'd-9',
      expertIds: ['e-1', 'e-2'],
    });
  });
});

describe('roomRoleOf', () => {
  // [who, expected part, viewer, appeal]
  const cases: [string, ReturnType<typeof roomRoleOf>, Viewer, AppealAccess][] = [
    ['the citizen who filed it', 'owner', citizen, appeal()],
    ['the citizen who filed it, a draft', 'owner', citizen, appeal({ status: 'draft', departmentId: null, assigneeId: null })],
    ['another citizen', null, otherCitizen, appeal()],
    ['an admin', null, admin, appeal()],
    // Roles are checked before membership: an id in the list of experts makes no one else an expert.
    ['an admin whose id is among the experts', null, admin, appeal({ expertIds: [admin.id] })],
    ['a citizen whose id is among the experts', null, otherCitizen, appeal({ expertIds: [otherCitizen.id] })],
    ['an invited expert', 'expert', invitedExpert, appeal()],
    ['an expert not invited', null, otherExpert, appeal()],
    ['an operator of the department', 'officer', operator, appeal()],
    ['the assigned operator', 'officer', assignedOperator, appeal()],
    ['an operator of another department', null, foreignOperator, appeal()],
    ['a supervisor of the department', 'officer', supervisor, appeal()],
    ['a supervisor of another department', null, foreignSupervisor, appeal()],
    // Staff with no department match nothing, not even an appeal with none.
    ['an operator with no department, appeal with none', null, viewer('u-op-nodep', 'operator', null), appeal({ departmentId: null })],
    ['a supervisor with no department, appeal with none', null, viewer('u-sup-nodep', 'supervisor', null), appeal({ departmentId: null })],
    // A draft is its citizen's alone, whoever else would match.
    ['an operator of the department, a draft', null, operator, appeal({ status: 'draft' })],
    ['a supervisor of the department, a draft', null, supervisor, appeal({ status: 'draft' })],
    ['an invited expert, a draft', null, invitedExpert, appeal({ status: 'draft' })],
  ];
  it.each(cases)('%s → %s', (_who, expected, v, a) => {
    expect(roomRoleOf(v, a)).toBe(expected);
  });

  it('the owner is recognised by id whatever the viewer role says', () => {
    // A staff account that filed the appeal (citizenId) is its owner, not an officer.
    const filedByStaff = appeal({ citizenId: operator.id });
    expect(roomRoleOf(operator, filedByStaff)).toBe('owner');
    expect(roomRoleOf(operator, { ...filedByStaff, status: 'draft' })).toBe('owner');
  });

  it.each<Status>(['registered', 'in_progress', 'info_requested', 'awaiting_confirmation', 'completed', 'rejected'])(
    'after submission (%s) the department and invited experts keep their parts',
    (status) => {
      expect(roomRoleOf(operator, appeal({ status }))).toBe('officer');
      expect(roomRoleOf(invitedExpert, appeal({ status }))).toBe('expert');
      expect(roomRoleOf(citizen, appeal({ status }))).toBe('owner');
    },
  );
});

describe('isAssignedToAnother', () => {
  const mine = { assigneeId: operator.id };
  const theirs = { assigneeId: assignedOperator.id };
  const nobodys = { assigneeId: null };
  it('keeps an operator from moving an appeal assigned to someone else, or to nobody', () => {
    expect(isAssignedToAnother('operator', operator.id, theirs, 'request_info')).toBe(true);
    expect(isAssignedToAnother('operator', operator.id, nobodys, 'reject')).toBe(true);
  });
  it('lets an operator move their own appeal', () => {
    expect(isAssignedToAnother('operator', operator.id, mine, 'request_info')).toBe(false);
  });
  it('lets an operator take an appeal whoever it is assigned to', () => {
    expect(isAssignedToAnother('operator', operator.id, theirs, 'take')).toBe(false);
    expect(isAssignedToAnother('operator', operator.id, nobodys, 'take')).toBe(false);
  });
  it('never applies to supervisors, citizens or the clock', () => {
    expect(isAssignedToAnother('supervisor', supervisor.id, theirs, 'request_info')).toBe(false);
    expect(isAssignedToAnother('citizen', citizen.id, theirs, 'provide_info')).toBe(false);
    expect(isAssignedToAnother('system', 'system', theirs, 'auto_confirm')).toBe(false);
  });
});

describe('canWriteInRoom and isStaffIn', () => {
  // [who, may write, is staff, viewer, appeal]
  const cases: [string, boolean, boolean, Viewer, AppealAccess][] = [
    ['the owner', true, false, citizen, appeal()],
    ['the owner of a draft', true, false, citizen, appeal({ status: 'draft' })],
    ['an invited expert', true, true, invitedExpert, appeal()],
    ['an expert not invited', false, false, otherExpert, appeal()],
    ['any operator of the department (not the assignee)', true, true, operator, appeal()],
    ['the assigned operator', true, true, assignedOperator, appeal()],
    ['an operator of another department', false, false, foreignOperator, appeal()],
    ['a supervisor who has not taken it: a silent observer', false, true, supervisor, appeal()],
    ['a supervisor of an unassigned appeal: a silent observer', false, true, supervisor, appeal({ assigneeId: null })],
    ['a supervisor who is the assignee', true, true, supervisor, appeal({ assigneeId: supervisor.id })],
    ['a supervisor of another department', false, false, foreignSupervisor, appeal({ assigneeId: foreignSupervisor.id })],
    ['another citizen', false, false, otherCitizen, appeal()],
    ['an admin', false, false, admin, appeal({ assigneeId: admin.id })],
    ['an operator of the department, a draft', false, false, operator, appeal({ status: 'draft' })],
  ];
  it.each(cases)('%s: write=%s, staff=%s', (_who, write, staff, v, a) => {
    expect(canWriteInRoom(v, a)).toBe(write);
    expect(isStaffIn(v, a)).toBe(staff);
  });
});
