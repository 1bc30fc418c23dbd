/**
 * A new draft's record: nothing chosen yet, no number, no clocks, version 0.
 * A citizen's appeal (AppealService.createDraft) and a support conversation
 * (SupportService.open) start from it and set what they know.
 */
import { DEFAULT_REGION } from '../../../shared/catalogue.js';
import { newId } from '../../lib/ids.js';
import type { AppealRecord } from '../../store/store.js';

export function blankDraft(citizenId: string, now: number): AppealRecord {
  return {
    id: newId(),
    number: null,
    citizenId,
    categoryId: null,
    departmentId: null,
    type: null,
    subject: '',
    description: '',
    details: {},
    applicant: { kind: 'individual' },
    extra: {},
    region: DEFAULT_REGION,
    priority: 'normal',
    status: 'draft',
    deadlineAt: null,
    assigneeId: null,
    expertIds: [],
    resubmissionCount: 0,
    accessCodeHash: null,
    repeatOfId: null,
    createdAt: now,
    updatedAt: now,
    submittedAt: null,
    statusChangedAt: now,
    clocks: null,
    decisions: [],
    feedback: null,
    complaint: null,
    suggestionMark: null,
    escalation: null,
    escalations: [],
    readerDepartmentIds: [],
    kind: 'appeal',
    expertsSeeContacts: false,
    version: 0,
  };
}
