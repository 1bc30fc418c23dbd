/**
 * What the search index keeps of an appeal and of a chat message
 * (search.port.ts): the parts the grants tell apart, built from the records.
 */
import type { AppealRecord, ChatMessageRecord, SearchAppealDoc, SearchChatDoc, UserRecord } from '../../store/store.js';
import { foldEdits } from '../chat/chat-edits.js';

/**
 * The appeal's texts and attributes. `name`: the citizen's full name and the
 * organisation or principal they file for (shown only where the contacts
 * are). `body`: the subject, the description's plain text, the category's
 * fields (the address among them) and the details, but not the reply contact.
 */
export function searchDocOf(appeal: AppealRecord, citizen: Pick<UserRecord, 'fullName'> | null): SearchAppealDoc {
  const applicant = appeal.applicant;
  const names = [
    citizen?.fullName ?? '',
    applicant.kind === 'legal_entity' ? applicant.orgName : applicant.kind === 'representative' ? applicant.principalName : '',
  ];
  const { replyContact: _contact, happenedOn: _date, ...details } = appeal.details;
  const body = [appeal.subject, appeal.description, ...Object.values(appeal.extra), ...Object.values(details)].filter(
    (s) => typeof s === 'string' && s.length > 0,
  );
  return {
    appealId: appeal.id,
    version: appeal.version,
    number: appeal.number,
    name: names.filter((s) => s.length > 0).join('\n'),
    body: body.join('\n'),
    citizenId: appeal.citizenId,
    departmentId: appeal.departmentId,
    readerDepartmentIds: [...appeal.readerDepartmentIds],
    assigneeId: appeal.assigneeId,
    expertIds: [...appeal.expertIds],
    expertsSeeContacts: appeal.expertsSeeContacts,
    status: appeal.status,
    categoryId: appeal.categoryId,
    type: appeal.type,
    at: appeal.submittedAt ?? appeal.createdAt,
  };
}

/**
 * The current text of each message among `entries` (messages and their edit
 * entries, a `ChatRepo.related` answer or a whole log), folded by the chat's
 * own rule (chat-edits.ts): a withdrawn message is null, leaving the index.
 */
export function chatDocsOf(entries: readonly ChatMessageRecord[]): SearchChatDoc[] {
  const folded = foldEdits([...entries].sort((a, b) => a.seq - b.seq));
  return entries
    .filter((m) => m.editOf === undefined)
    .map((m) => {
      const state = folded.get(m.seq);
      return { appealId: m.appealId, seq: m.seq, internal: m.internal, text: !state || state.withdrawn ? null : state.text };
    });
}
