/**
 * Shapes of the REST answers as the client reads them: the shared definitions
 * (shared/protocol/api.ts, inferred from the route table's schemas).
 */
import type { RouteReply } from '../../../shared/protocol/routes';

export type {
  User,
  CodeRequest,
  Department,
  Category,
  Suggestion,
  RoomRole,
  Appeal,
  Page,
  PublicStatus,
  StaffEntry,
  StaffDirectory,
  VersionSummary,
  VersionDetail,
} from '../../../shared/protocol/api';

/** Answer of login, confirm and me. */
export type SessionAnswer = RouteReply<'me.get'>;
