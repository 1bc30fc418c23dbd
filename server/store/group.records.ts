/**
 * Linked appeals (PRODUCT.md §11): staff put appeals about the same problem
 * into a group with one working room for staff. Each appeal stays the
 * citizen's own; the group is kept apart from the appeals' records, by the
 * Store's `appealGroups`.
 */

export interface AppealGroupRecord {
  id: string;
  /** The department of the appeal the group was made from. */
  departmentId: string;
  /** The member appeals, in the order linked; an appeal is in one group at most. */
  appealIds: string[];
  createdAt: number;
  createdBy: string;
  /** Bumped on every write; for the compare-and-set of `put`. */
  version: number;
}

export interface AppealGroupRepo {
  get(id: string): Promise<AppealGroupRecord | null>;
  /** The group that holds this appeal, if any. */
  ofAppeal(appealId: string): Promise<AppealGroupRecord | null>;
  /**
   * Stores `record` if the stored version is `expectedVersion` (null: the
   * group is new). False, and nothing written, when someone else wrote first
   * or one of its appeals is already in another group.
   */
  put(record: AppealGroupRecord, expectedVersion: number | null): Promise<boolean>;
  /** Removes the group (its last member unlinked). */
  delete(id: string): Promise<void>;
}
