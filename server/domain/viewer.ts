import type { Role } from '../../shared/status-machine.js';

/** Who is asking: built by the transport from the session, trusted by services. */
export interface Viewer {
  id: string;
  role: Role;
  departmentId: string | null;
  /** Session id hash, to tie realtime connections to the session. */
  sessionId: string;
}
