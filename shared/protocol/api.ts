/**
 * The JSON shapes of the REST API's replies, one definition for the server that
 * builds them and the client that reads them (docs/api.md describes them).
 */
import type { DepartmentLevel, ExtraField } from '../catalogue.js';
import type { CodeChannel } from '../schemas/account.schema.js';
import type { Applicant, AppealType, Details, Priority } from '../schemas/appeal.schema.js';
import type { Role, Status, TransitionAction } from '../status-machine.js';

/** A user as shown to the user themself and to admins (never the password hash). */
export interface User {
  id: string;
  email: string;
  phone: string;
  fullName: string;
  role: Role;
  departmentId: string | null;
  emailConfirmed: boolean;
  phoneConfirmed: boolean;
  locked: boolean;
  expertsSeeContacts: boolean;
  birthDate: string | null;
  inn: string | null;
  address: string | null;
  createdAt: number;
}

/** Where a confirmation code went (masked destination). */
export interface CodeRequest {
  requestId: string;
  channel: CodeChannel;
  sentTo: string;
  expiresAt: number;
}

export interface Department {
  id: string;
  code: string;
  name: string;
  region: string;
  level: DepartmentLevel;
}

export interface Category {
  id: string;
  code: string;
  name: string;
  departmentId: string;
  deadlineDays: number;
  requiredDocuments: string[];
  extraFields: ExtraField[];
  keywords: string[];
  archived: boolean;
}

export interface Suggestion {
  categoryId: string;
  name: string;
  score: number;
}

export type RoomRole = 'owner' | 'officer' | 'expert' | 'observer';

/** An appeal as the viewer is allowed to see it. */
export interface Appeal {
  id: string;
  number: string | null;
  citizenId: string | null;
  categoryId: string | null;
  departmentId: string | null;
  type: AppealType | null;
  subject: string;
  description: string;
  details: Details;
  applicant: Applicant;
  extra: Record<string, string>;
  region: string;
  priority: Priority;
  status: Status;
  deadlineAt: number | null;
  assigneeId: string | null;
  /** The assignee's name; null when unassigned. */
  assigneeName: string | null;
  expertIds: string[];
  resubmissionCount: number;
  repeatOfId: string | null;
  createdAt: number;
  updatedAt: number;
  submittedAt: number | null;
  statusChangedAt: number;
  version: number;
  roomRole: RoomRole | null;
  canWrite: boolean;
  /** Transitions this viewer may take now. */
  actions: TransitionAction[];
  overdue: boolean;
  citizen: { fullName: string; email: string | null; phone: string | null } | null;
  /** In lists only: chat messages by others the viewer has not read (capped at 100). */
  unread?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
}

/** Public status lookup answer. */
export interface PublicStatus {
  number: string;
  status: Status;
  statusLabel: string;
  deadlineAt: number | null;
  updatedAt: number;
  history: { at: number; from: Status; to: Status }[];
}
