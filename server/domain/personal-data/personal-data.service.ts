/**
 * A person's own data (152-ФЗ; docs/personal-data.md): the export of all of it
 * (data-export.service.ts) and the deletion of the account with its later
 * pseudonymisation (account-deletion.service.ts). One object for the
 * composition root and the REST routes; each part registers its scheduler jobs.
 */
import type { DataExportView } from '../../../shared/schemas/personal-data.schema.js';
import type { Viewer } from '../viewer.js';
import { AccountDeletionService } from './account-deletion.service.js';
import { DataExportService } from './data-export.service.js';
import type { PersonalDataDeps } from './person-records.js';

export { PERSONAL_DATA_JOBS, type PersonalDataDeps } from './person-records.js';

export class PersonalDataService {
  private readonly exports: DataExportService;
  private readonly deletion: AccountDeletionService;

  constructor(d: PersonalDataDeps) {
    this.exports = new DataExportService(d);
    this.deletion = new AccountDeletionService(d);
  }

  /** Starts an export, or answers the one still being prepared. */
  requestExport(viewer: Viewer): Promise<DataExportView> {
    return this.exports.requestExport(viewer);
  }

  listExports(viewer: Viewer): Promise<DataExportView[]> {
    return this.exports.listExports(viewer);
  }

  /** The ZIP, to its owner only: NOT_FOUND for anyone else and for an unknown id, LINK_EXPIRED after 24 hours. */
  download(viewer: Viewer, id: string): Promise<{ bytes: Uint8Array; fileName: string }> {
    return this.exports.download(viewer, id);
  }

  /** Deletes the viewer's account; the caller clears the cookie. */
  deleteAccount(viewer: Viewer, password: string): Promise<{ keptAppeals: number; retainUntil: number | null }> {
    return this.deletion.deleteAccount(viewer, password);
  }
}
