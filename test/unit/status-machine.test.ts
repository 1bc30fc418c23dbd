import { describe, expect, it } from 'vitest';
import {
  AUTO_CONFIRM_DAYS,
  findTransition,
  isOpen,
  ROLES,
  STATUS_LABELS_RU,
  STATUSES,
  TRANSITION_ACTIONS,
  LINKED_TRANSITIONS,
  TRANSITIONS,
  transitionsFrom,
  type Actor,
  type Status,
} from '../../shared/status-machine.js';

/** PRODUCT.md §2 written out independently of the table under test: from → to → who. */
const EXPECTED: Record<string, Actor[]> = {
  'draft→registered': ['citizen'],
  'registered→in_progress': ['operator', 'supervisor'],
  'in_progress→info_requested': ['operator', 'supervisor'],
  'info_requested→in_progress': ['citizen', 'operator', 'supervisor'],
  'in_progress→awaiting_confirmation': ['operator', 'supervisor'],
  'awaiting_confirmation→completed': ['citizen', 'system'],
  'awaiting_confirmation→in_progress': ['citizen'],
  'registered→rejected': ['operator', 'supervisor'],
  'in_progress→rejected': ['operator', 'supervisor'],
  'info_requested→rejected': ['operator', 'supervisor'],
  'rejected→registered': ['citizen'],
  'completed→in_progress': ['supervisor'],
};

const ACTORS: Actor[] = [...ROLES, 'system'];
const cases: [Actor, Status, Status, boolean][] = [];
for (const actor of ACTORS) {
  for (const from of STATUSES) {
    for (const to of STATUSES) {
      cases.push([actor, from, to, EXPECTED[`${from}→${to}`]?.includes(actor) ?? false]);
    }
  }
}

describe('status machine table (every role × from × to)', () => {
  it.each(cases)('%s: %s → %s allowed=%s', (actor, from, to, allowed) => {
    expect(findTransition(actor, from, to) !== undefined).toBe(allowed);
  });

  it('rejection needs a reason and the resolution steps need a comment', () => {
    for (const t of TRANSITIONS) {
      if (t.to === 'rejected') expect(t.requires).toBe('reason');
      if (['request_info', 'propose_resolution', 'dispute', 'reopen'].includes(t.action)) expect(t.requires).toBe('comment');
    }
  });

  it('experts and admins take no transition at all', () => {
    expect(TRANSITIONS.filter((t) => t.actors.includes('expert') || t.actors.includes('admin'))).toEqual([]);
  });
});

/** The whole table as PRODUCT.md §2 words it: action, from → to, who, what they must write. */
const TABLE = [
  'submit: draft → registered by citizen, requires none',
  'take: registered → in_progress by operator,supervisor, requires none',
  'request_info: in_progress → info_requested by operator,supervisor, requires comment',
  'provide_info: info_requested → in_progress by citizen, requires comment',
  'resume: info_requested → in_progress by operator,supervisor, requires none',
  'propose_resolution: in_progress → awaiting_confirmation by operator,supervisor, requires comment',
  'confirm: awaiting_confirmation → completed by citizen, requires none',
  'auto_confirm: awaiting_confirmation → completed by system, requires none',
  'dispute: awaiting_confirmation → in_progress by citizen, requires comment',
  'reject: registered → rejected by operator,supervisor, requires reason',
  'reject: in_progress → rejected by operator,supervisor, requires reason',
  'reject: info_requested → rejected by operator,supervisor, requires reason',
  'resubmit: rejected → registered by citizen, requires none',
  'reopen: completed → in_progress by supervisor, requires comment',
];

describe('status machine, every entry and helper', () => {
  it('the table holds exactly these transitions, with their action names and requirements', () => {
    expect(TRANSITIONS.map((t) => `${t.action}: ${t.from} → ${t.to} by ${t.actors.join(',')}, requires ${t.requires}`)).toStrictEqual(TABLE);
  });

  it("names every action and status once, in the order of an appeal's life", () => {
    expect(TRANSITION_ACTIONS).toStrictEqual([
      'submit',
      'take',
      'request_info',
      'provide_info',
      'resume',
      'propose_resolution',
      'confirm',
      'dispute',
      'auto_confirm',
      'reject',
      'resubmit',
      'reopen',
      're_examine',
      'answer',
    ]);
    // Every action is in the table, or taken only inside another use case (LINKED_TRANSITIONS).
    expect([...new Set([...TRANSITIONS, ...LINKED_TRANSITIONS].map((t) => t.action))].sort()).toStrictEqual([...TRANSITION_ACTIONS].sort());
    expect(STATUSES).toStrictEqual(['draft', 'registered', 'in_progress', 'info_requested', 'awaiting_confirmation', 'completed', 'rejected']);
    expect(ROLES).toStrictEqual(['citizen', 'operator', 'expert', 'supervisor', 'admin']);
  });

  it('labels each status in Russian as the seeds word it', () => {
    expect(STATUS_LABELS_RU).toStrictEqual({
      draft: 'Черновик',
      registered: 'Принято',
      in_progress: 'В работе',
      info_requested: 'Требуются сведения',
      awaiting_confirmation: 'Ожидает подтверждения',
      completed: 'Завершено',
      rejected: 'Отклонено',
    });
  });

  it('auto-confirms after five days', () => {
    expect(AUTO_CONFIRM_DAYS).toBe(5);
  });

  it('transitionsFrom lists the actions an actor may take out of a status, in table order', () => {
    const actions = (actor: Actor, from: Status): string[] => transitionsFrom(actor, from).map((t) => `${t.action}→${t.to}`);
    expect(actions('operator', 'in_progress')).toStrictEqual(['request_info→info_requested', 'propose_resolution→awaiting_confirmation', 'reject→rejected']);
    expect(actions('citizen', 'awaiting_confirmation')).toStrictEqual(['confirm→completed', 'dispute→in_progress']);
    expect(actions('system', 'awaiting_confirmation')).toStrictEqual(['auto_confirm→completed']);
    expect(actions('supervisor', 'completed')).toStrictEqual(['reopen→in_progress']);
    expect(actions('operator', 'completed')).toStrictEqual([]);
    expect(actions('citizen', 'in_progress')).toStrictEqual([]);
    expect(actions('expert', 'in_progress')).toStrictEqual([]);
    expect(actions('citizen', 'draft')).toStrictEqual(['submit→registered']);
  });

  it('transitionsFrom agrees with findTransition for every actor and status', () => {
    for (const actor of ACTORS) {
      for (const from of STATUSES) {
        const listed = transitionsFrom(actor, from);
        expect(listed.every((t) => t.from === from && t.actors.includes(actor))).toBe(true);
        for (const to of STATUSES) expect(listed.some((t) => t.to === to)).toBe(findTransition(actor, from, to) !== undefined);
      }
    }
  });

  it('isOpen: the room is open from registration until completion or rejection', () => {
    expect(STATUSES.filter(isOpen)).toStrictEqual(['registered', 'in_progress', 'info_requested', 'awaiting_confirmation']);
  });
});
