/**
 * What an appeal keeps of its links to other appeals and of its kind's own flow
 * (PRODUCT.md §7, seed 004): a complaint's subject, a suggestion's mark, the
 * escalation it came from, and the escalations it went to. Inside the appeal's
 * record, like the decisions (decision.records.ts).
 */
import type { ComplaintConduct, EscalationAnswerKind, SuggestionMark } from '../../shared/schemas/links.schema.js';

export interface ComplaintRecord {
  conduct: ComplaintConduct;
  /** The officer or body concerned, as the citizen named them. */
  concerned: string;
  /** The body concerned: the complaint is routed to it and assigned to its supervisor. */
  departmentId: string;
}

export interface EscalationAnswerRecord {
  kind: EscalationAnswerKind;
  text: string;
  at: number;
  byId: string;
  /** The signer's name then. */
  byName: string;
}

/** On an appeal created by escalation: where it came from, why, and the higher department's answer. */
export interface EscalationRecord {
  fromAppealId: string;
  fromNumber: string | null;
  fromDepartmentId: string;
  reason: string;
  /** Files of the original appeal given as evidence. */
  evidenceIds: string[];
  byId: string;
  byRole: 'citizen' | 'supervisor';
  at: number;
  answer: EscalationAnswerRecord | null;
}

/** On the original: one escalation of it, to the appeal created in the higher department. */
export interface EscalationLinkRecord {
  appealId: string;
  departmentId: string;
  at: number;
}

export type { SuggestionMark };
