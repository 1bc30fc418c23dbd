/**
 * Shapes of the REST answers as the client reads them: the shared definitions
 * (shared/protocol/api.ts) plus what only the client needs.
 */
import type { User } from '../../../shared/protocol/api';

export type {
  User, CodeRequest, Department, Category, Suggestion, RoomRole, Appeal, Page, PublicStatus,
} from '../../../shared/protocol/api';

/** Answer of login, confirm and me. */
export interface SessionAnswer {
  user: User;
  csrfToken?: string;
}
